// Argument parsing shared by command families. Each parser returns the parsed value or an
// ErrorReply with Redis's exact text, so handlers read as: parse, check, act, reply.
import { ErrorReply, Errors } from '../resp/reply.js';
import { parseDouble, parseInt64, parseSafeInt } from '../util/numbers.js';

/** An integer argument within JS safe range (counts, indexes). Out of int64 → error. */
export function intArg(text: string, error: ErrorReply = Errors.notInteger): number | ErrorReply {
  const value = parseSafeInt(text);
  return value === null ? error : value;
}

/** An exact int64 argument as bigint (INCRBY and friends). */
export function int64Arg(text: string): bigint | ErrorReply {
  const value = parseInt64(text);
  return value === null ? Errors.notInteger : BigInt(value);
}

/** A float argument (strtod rules, `inf` allowed, NaN refused). */
export function floatArg(text: string, error: ErrorReply = Errors.notFloat): number | ErrorReply {
  const value = parseDouble(text);
  return value === null ? error : value;
}

/** A non-negative count (e.g. LPOP count): Redis says "value is out of range, must be positive". */
export function positiveCountArg(text: string): number | ErrorReply {
  const value = parseSafeInt(text);
  if (value === null || value < 0) return new ErrorReply('ERR value is out of range, must be positive');
  return value;
}

/** A blocking timeout in seconds (fractional allowed) → absolute deadline in ms (0 = forever). */
export function timeoutArg(text: string, nowMs: number): number | ErrorReply {
  const seconds = parseDouble(text);
  if (seconds === null || !Number.isFinite(seconds)) return new ErrorReply('ERR timeout is not a float or out of range');
  if (seconds < 0) return new ErrorReply('ERR timeout is negative');
  if (seconds === 0) return 0;
  return nowMs + Math.ceil(seconds * 1000);
}

export function isErrorReply(value: unknown): value is ErrorReply {
  return value instanceof ErrorReply;
}

/** Case-insensitive keyword comparison (`argv[i]` is latin1). */
export function is(text: string | undefined, keyword: string): boolean {
  return text !== undefined && text.length === keyword.length && text.toUpperCase() === keyword;
}

/** Redis glob-style pattern matching (stringmatchlen): * ? [abc] [^a] [a-z] and \ escapes. */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  if (pattern === '*') return true;
  return globAt(pattern, 0, text, 0, nocase, 0);
}

function globAt(pattern: string, p: number, text: string, t: number, nocase: boolean, depth: number): boolean {
  if (depth > 1000) return false; // Redis caps nesting of '*' backtracking too
  while (p < pattern.length) {
    const char = pattern[p]!;
    switch (char) {
      case '*': {
        while (pattern[p + 1] === '*') p++;
        if (p + 1 === pattern.length) return true;
        for (let i = t; i <= text.length; i++) {
          if (globAt(pattern, p + 1, text, i, nocase, depth + 1)) return true;
        }
        return false;
      }
      case '?':
        if (t >= text.length) return false;
        t++;
        break;
      case '[': {
        if (t >= text.length) return false;
        p++;
        const negate = pattern[p] === '^';
        if (negate) p++;
        let matched = false;
        while (p < pattern.length && pattern[p] !== ']') {
          if (pattern[p] === '\\' && p + 1 < pattern.length) {
            p++;
            if (same(pattern[p]!, text[t]!, nocase)) matched = true;
          } else if (pattern[p + 1] === '-' && p + 2 < pattern.length && pattern[p + 2] !== ']') {
            let start = pattern.charCodeAt(p);
            let end = pattern.charCodeAt(p + 2);
            if (start > end) [start, end] = [end, start];
            let c = text.charCodeAt(t);
            if (nocase) {
              c = text[t]!.toLowerCase().charCodeAt(0);
              start = String.fromCharCode(start).toLowerCase().charCodeAt(0);
              end = String.fromCharCode(end).toLowerCase().charCodeAt(0);
            }
            if (c >= start && c <= end) matched = true;
            p += 2;
          } else if (same(pattern[p]!, text[t]!, nocase)) {
            matched = true;
          }
          p++;
        }
        if (p >= pattern.length) p--; // unterminated class: Redis treats the end as ']'
        if (negate) matched = !matched;
        if (!matched) return false;
        t++;
        break;
      }
      default:
        if (char === '\\' && p + 1 < pattern.length) p++;
        if (t >= text.length || !same(pattern[p]!, text[t]!, nocase)) return false;
        t++;
    }
    p++;
  }
  return t === text.length;
}

function same(a: string, b: string, nocase: boolean): boolean {
  return nocase ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Parses `[MATCH pattern] [COUNT n] [TYPE t] [NOVALUES]` of the SCAN family from `start`. */
export interface ScanOptions {
  match: string | null;
  count: number;
  type: string | null;
  noValues: boolean;
}

export function scanOptions(argv: string[], start: number, allowType: boolean, allowNoValues = false): ScanOptions | ErrorReply {
  const options: ScanOptions = { match: null, count: 10, type: null, noValues: false };
  for (let i = start; i < argv.length; i++) {
    const word = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (is(word, 'MATCH') && hasValue) {
      options.match = argv[++i]!;
    } else if (is(word, 'COUNT') && hasValue) {
      const count = intArg(argv[++i]!);
      if (count instanceof ErrorReply) return count;
      if (count < 1) return Errors.syntax;
      options.count = count;
    } else if (allowType && is(word, 'TYPE') && hasValue) {
      options.type = argv[++i]!.toLowerCase();
    } else if (allowNoValues && is(word, 'NOVALUES')) {
      options.noValues = true;
    } else {
      return Errors.syntax;
    }
  }
  return options;
}

/** A SCAN cursor: an unsigned 64-bit decimal. Redis: "invalid cursor". */
export function cursorArg(text: string): number | ErrorReply {
  if (!/^[0-9]{1,20}$/.test(text)) return new ErrorReply('ERR invalid cursor');
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER;
}
