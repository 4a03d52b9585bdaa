// GETRANGE / SUBSTR, SETRANGE and LCS: the commands that work on byte ranges of a string.
import { err, ErrorReply, Errors, MapReply, Reply } from '../resp/reply.js';
import type { ExecContext } from './context.js';
import { intArg, is } from './args.js';
import { checkStringLength, stringBytesMax } from './string-limits.js';

/** Redis's GETRANGE index rules (Redis 7: a negative end below the start clamps to 0). */
export function byteRange(value: string, startIndex: number, endIndex: number): string {
  const length = value.length;
  let start = startIndex;
  let end = endIndex;
  if (start < 0 && end < 0 && start > end) return '';
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return '';
  return value.slice(start, end + 1);
}

/** GETRANGE key start end (and SUBSTR): the indexes are checked before the key. */
export function cmdGetRange(ctx: ExecContext, argv: string[]): Reply {
  const start = intArg(argv[2]!);
  if (start instanceof ErrorReply) return start;
  const end = intArg(argv[3]!);
  if (end instanceof ErrorReply) return end;
  const value = ctx.getString(argv[1]!);
  if (value === undefined) return '';
  return byteRange(value, start, end);
}

/** `value` with `patch` written at `offset`, zero-padded as needed. */
export function overwriteAt(value: string, offset: number, patch: string): string {
  if (offset >= value.length) return value + '\0'.repeat(offset - value.length) + patch;
  return value.slice(0, offset) + patch + value.slice(offset + patch.length);
}

/**
 * SETRANGE key offset value. Effect: the command itself. An empty value changes nothing (and
 * creates no key). Known cost: a JS string is immutable, so patching a few bytes of a huge
 * string copies it (O(n)) where Redis writes in place (O(1) plus the bytes written).
 */
export function cmdSetRange(ctx: ExecContext, argv: string[]): Reply {
  const [, key, , patch] = argv as [string, string, string, string];
  const offset = intArg(argv[2]!);
  if (offset instanceof ErrorReply) return offset;
  if (offset < 0) return Errors.outOfRangeOffset;
  const current = ctx.getString(key);
  if (patch.length === 0) return current?.length ?? 0;
  const tooLong = checkStringLength(ctx, offset, patch.length);
  if (tooLong) return tooLong;
  const updated = overwriteAt(current ?? '', offset, patch);
  ctx.setValue(key, updated, true);
  ctx.dirty++;
  return updated.length;
}

// --- LCS ----------------------------------------------------------------------------------------

interface LcsOptions {
  idx: boolean;
  len: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

function parseLcsOptions(argv: string[]): LcsOptions | ErrorReply {
  const options: LcsOptions = { idx: false, len: false, withMatchLen: false, minMatchLen: 0 };
  for (let i = 3; i < argv.length; i++) {
    const word = argv[i]!;
    if (is(word, 'IDX')) options.idx = true;
    else if (is(word, 'LEN')) options.len = true;
    else if (is(word, 'WITHMATCHLEN')) options.withMatchLen = true;
    else if (is(word, 'MINMATCHLEN') && i + 1 < argv.length) {
      const value = intArg(argv[++i]!);
      if (value instanceof ErrorReply) return value;
      options.minMatchLen = Math.max(0, value);
    } else return Errors.syntax;
  }
  if (options.idx && options.len) return err('ERR If you want both the length and indexes, please just use IDX.');
  return options;
}

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]. A read: no effects. */
export function cmdLcs(ctx: ExecContext, argv: string[]): Reply {
  const first = ctx.get(argv[1]!);
  const second = ctx.get(argv[2]!);
  if ((first !== undefined && typeof first !== 'string') || (second !== undefined && typeof second !== 'string')) {
    return err('ERR The specified keys must contain string values');
  }
  const options = parseLcsOptions(argv);
  if (options instanceof ErrorReply) return options;
  const a = Buffer.from(first ?? '', 'latin1');
  const b = Buffer.from(second ?? '', 'latin1');
  // The table of LCS lengths is (|a|+1)·(|b|+1) uint32; Redis bounds it by proto-max-bulk-len.
  const cells = (a.length + 1) * (b.length + 1);
  if (cells * 4 > stringBytesMax) {
    return err('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  return lcsReply(a, b, options);
}

/** The dynamic-programming LCS and Redis's backward walk that emits the matching ranges. */
function lcsReply(a: Buffer, b: Buffer, options: LcsOptions): Reply {
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  const table = new Uint32Array((alen + 1) * width);
  for (let i = 1; i <= alen; i++) {
    for (let j = 1; j <= blen; j++) {
      table[i * width + j] = a[i - 1] === b[j - 1]
        ? table[(i - 1) * width + j - 1]! + 1
        : Math.max(table[(i - 1) * width + j]!, table[i * width + j - 1]!);
    }
  }
  const total = table[alen * width + blen]!;
  if (options.len && !options.idx) return total;

  const result = Buffer.alloc(total);
  const matches: Reply[] = [];
  let idx = total;
  let aStart = alen; // alen means "no range being tracked"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j]! > table[i * width + j - 1]!) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (options.minMatchLen === 0 || matchLen >= options.minMatchLen) {
        const match: Reply[] = [[aStart, aEnd], [bStart, bEnd]];
        if (options.withMatchLen) match.push(matchLen);
        matches.push(match);
      }
      aStart = alen;
    }
  }
  if (options.idx) return new MapReply(['matches', matches, 'len', total]);
  return result.toString('latin1');
}
