// Argument parsing of the sorted-set commands: scores, score ranges, lex ranges.
import { ErrorReply, Errors, err } from '../resp/reply.js';
import { parseDouble } from '../util/numbers.js';
import type { LexBound, LexRange, ScoreRange } from '../engine/types/skiplist.js';

export const minMaxNotFloat = err('ERR min or max is not a float');
export const minMaxNotLex = err('ERR min or max not valid string range item');
export const resultIsNaN = err('ERR resulting score is not a number (NaN)');

const infinityText = /^[+-]?inf(inity)?$/i;
const hexInteger = /^[+-]?0x[0-9a-f]{1,13}$/i;

/**
 * A score, increment or weight (Redis getDoubleFromObject): strtod's syntax, but a value that
 * overflows to ±inf or underflows to 0 is refused (ERANGE), and so is NaN.
 */
export function scoreArg(text: string, error: ErrorReply = Errors.notFloat): number | ErrorReply {
  if (hexInteger.test(text)) return parseInt(text, 16); // strtod reads hex too
  const value = parseDouble(text);
  if (value === null) return error;
  if (!Number.isFinite(value) && !infinityText.test(text)) return error;
  if (value === 0 && /[1-9]/.test(text.split(/[eE]/)[0]!)) return error;
  return value;
}

const looseFloat = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity)$/i;

/**
 * A range bound's number as Redis's zslParseRange reads it: plain strtod, so leading spaces
 * are skipped, an empty text reads as 0 and overflow reads as ±inf; NaN and trailing garbage
 * are refused.
 */
function strtodWhole(text: string): number | null {
  const body = text.replace(/^[ \t\n\v\f\r]+/, '');
  if (body.length === 0) return 0;
  if (!looseFloat.test(body)) return null;
  const lower = body.toLowerCase();
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(body);
}

function scoreBound(text: string): { value: number; exclusive: boolean } | null {
  const exclusive = text.startsWith('(');
  const value = strtodWhole(exclusive ? text.slice(1) : text);
  return value === null ? null : { value, exclusive };
}

/** `min max` of ZRANGEBYSCORE and friends; `(` makes a bound exclusive. */
export function scoreRangeArgs(minText: string, maxText: string): ScoreRange | ErrorReply {
  const min = scoreBound(minText);
  const max = scoreBound(maxText);
  if (min === null || max === null) return minMaxNotFloat;
  return { min: min.value, max: max.value, minExclusive: min.exclusive, maxExclusive: max.exclusive };
}

function lexBound(text: string): LexBound | null {
  if (text === '+') return { infinite: 1 };
  if (text === '-') return { infinite: -1 };
  if (text.startsWith('(')) return { infinite: 0, value: text.slice(1), exclusive: true };
  if (text.startsWith('[')) return { infinite: 0, value: text.slice(1), exclusive: false };
  return null;
}

/** `min max` of ZRANGEBYLEX and friends: `-`, `+`, `[value` or `(value`. */
export function lexRangeArgs(minText: string, maxText: string): LexRange | ErrorReply {
  const min = lexBound(minText);
  const max = lexBound(maxText);
  if (min === null || max === null) return minMaxNotLex;
  return { min, max };
}
