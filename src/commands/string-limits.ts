// The size limit of a string value, shared by the string and bit commands. strings.ts
// re-exports `stringBytesMax`; it is the one place the limit is declared.
import { defaultServerLimits } from '../config/limits.js';
import { ErrorReply, Errors } from '../resp/reply.js';
import type { ExecContext } from './context.js';
import { assert } from '../util/assert.js';

/** Largest string a command may build (Redis: proto-max-bulk-len, 512 MiB by default). */
export const stringBytesMax: number = defaultServerLimits.protoMaxBulkLenBytes;

/**
 * Largest JS string V8 can hold on 64-bit (String::kMaxLength = 2^29 - 24 chars). Strings are
 * stored as latin1 JS strings, so a value of 536870889..536870912 bytes, which Redis accepts at
 * the default limit, cannot exist here: building one is refused with Redis's size error.
 */
export const jsStringLengthMax = 2 ** 29 - 24;

assert(Number.isSafeInteger(stringBytesMax) && stringBytesMax > 0, 'stringBytesMax must be a positive integer');

/**
 * Redis's checkStringLength: refuses to build a string of `size + append` bytes beyond the
 * limit. Effects being applied were checked by the primary (Redis skips it for its master).
 */
export function checkStringLength(ctx: ExecContext, size: number, append: number): ErrorReply | null {
  const total = size + append;
  if (total > jsStringLengthMax) return Errors.stringTooLong;
  if (ctx.isApplying) return null;
  return total > stringBytesMax ? Errors.stringTooLong : null;
}
