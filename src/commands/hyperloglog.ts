// HyperLogLog commands. An HLL is a string value in our own encoding (see hll-core.ts): TYPE
// says string and GET returns its bytes, as in Redis; a string that is not one of ours is
// refused with Redis's WRONGTYPE text. Effects: PFADD and PFMERGE are deterministic given the
// state (the hash has a fixed seed) and are logged as is. PFCOUNT is a pure read (Redis may
// cache the count inside the value; we do not).
import { ErrorReply, OK, err, type Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { ALL_KEYS, FIRST_KEY, type CommandSpec } from './spec.js';
import {
  HLL_CORRUPT, HLL_NOT_HLL, hllAdd, hllDecode, hllEmpty, hllEncode, hllEstimate, hllMergeInto,
} from './hll-core.js';

const group = 'hyperloglog';
const acl = ['hyperloglog'];

export const notHllError = err('WRONGTYPE Key is not a valid HyperLogLog string value.');
export const corruptHllError = err('INVALIDOBJ Corrupted HLL object detected');

/**
 * The last decoded value and its registers: a PFADD stream on one key decodes each new text
 * only once. Strings are immutable, so an equal text always means equal registers.
 */
let decodeCache: { text: string; registers: Uint8Array } | null = null;

function decode(text: string, forWrite: boolean): Uint8Array | ErrorReply {
  if (decodeCache !== null && decodeCache.text === text) {
    return forWrite ? decodeCache.registers : decodeCache.registers.slice();
  }
  const registers = hllDecode(text);
  if (registers === HLL_NOT_HLL) return notHllError;
  if (registers === HLL_CORRUPT) return corruptHllError;
  if (forWrite) decodeCache = { text, registers };
  return registers;
}

/** Registers of the HLL at `key` (a fresh copy unless `forWrite`), null when missing. */
function registersAt(ctx: ExecContext, key: string, forWrite: boolean): Uint8Array | ErrorReply | null {
  const text = ctx.getString(key);
  if (text === undefined) return null;
  return decode(text, forWrite);
}

function store(ctx: ExecContext, key: string, registers: Uint8Array): void {
  const text = hllEncode(registers);
  // Redis updates the string in place: an existing key keeps its TTL.
  ctx.setValue(key, text, true);
  decodeCache = { text, registers };
}

function cmdPfadd(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const existing = registersAt(ctx, key, true);
  if (existing instanceof ErrorReply) return existing;
  const registers = existing ?? hllEmpty();
  let changed = existing === null;
  for (let i = 2; i < argv.length; i++) if (hllAdd(registers, argv[i]!)) changed = true;
  if (!changed) return 0;
  // A PFADD whose decode was cached mutated the cached registers; re-encoding keeps them in step.
  store(ctx, key, registers);
  ctx.dirty++;
  return 1;
}

function cmdPfcount(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length === 2) {
    const registers = registersAt(ctx, argv[1]!, false);
    if (registers instanceof ErrorReply) return registers;
    return registers === null ? 0 : hllEstimate(registers);
  }
  const merged = hllEmpty();
  for (let i = 1; i < argv.length; i++) {
    const registers = registersAt(ctx, argv[i]!, false);
    if (registers instanceof ErrorReply) return registers;
    if (registers !== null) hllMergeInto(merged, registers);
  }
  return hllEstimate(merged);
}

function cmdPfmerge(ctx: ExecContext, argv: string[]): Reply {
  const merged = hllEmpty();
  // The destination takes part in the merge when it exists; every key is checked first.
  for (let i = 1; i < argv.length; i++) {
    const registers = registersAt(ctx, argv[i]!, false);
    if (registers instanceof ErrorReply) return registers;
    if (registers !== null) hllMergeInto(merged, registers);
  }
  store(ctx, argv[1]!, merged);
  ctx.dirty++;
  return OK;
}

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.8.9',
    summary: 'Adds elements to a HyperLogLog key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1) to add every element.', syntax: 'key [element [element ...]]', handler: cmdPfadd,
  }),
  defineCommand({
    name: 'pfcount', arity: -2, flags: ['readonly', 'may_replicate'], keys: ALL_KEYS, acl, group, since: '2.8.9',
    summary: 'Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).',
    complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    syntax: 'key [key ...]', handler: cmdPfcount,
  }),
  defineCommand({
    name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], keys: ALL_KEYS, acl, group, since: '2.8.9',
    summary: 'Merges one or more HyperLogLog values into a single key.',
    complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
    syntax: 'destkey [sourcekey [sourcekey ...]]', handler: cmdPfmerge,
  }),
];
