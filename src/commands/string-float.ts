// INCRBYFLOAT's number rules. Redis parses with strtold (string2ld) and prints with `%.17Lf`
// (trailing zeros removed) in 80-bit long double; Keel computes in double. Known cost of that
// choice: results beyond 2^53 in magnitude print the nearest double's digits, not the long
// double's (Redis: 123456789012345678901 → "123456789012345678904", Keel "…680000"), and
// values between 1.8e308 and 1.2e4932 overflow to the NaN/Infinity error instead of printing.
import { formatLongDouble, parseDouble } from '../util/numbers.js';

const longDoubleTextLengthMax = 5 * 1024 - 1; // Redis MAX_LONG_DOUBLE_CHARS, minus the NUL
const fractionDigitsMax = 17; // `%.17Lf`
const hexFloatPattern = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?[0-9]+))?$/i;

/** A float as string2ld accepts it (decimal, hex float, inf; no spaces, no NaN), or null. */
export function parseLongDouble(text: string): number | null {
  if (text.length === 0 || text.length > longDoubleTextLengthMax) return null;
  const hex = hexFloatPattern.exec(text);
  if (hex) return parseHexFloat(hex);
  return parseDouble(text);
}

function parseHexFloat(match: RegExpExecArray): number | null {
  const [, sign, whole = '', fraction = '', exponentText = '0'] = match;
  if (whole.length + fraction.length === 0) return null;
  let mantissa = 0;
  for (const digit of whole + fraction) mantissa = mantissa * 16 + parseInt(digit, 16);
  const value = mantissa * 2 ** (Number(exponentText) - 4 * fraction.length);
  if (Number.isNaN(value)) return null;
  return sign === '-' ? -value : value;
}

/** The text INCRBYFLOAT stores and replies: `%.17Lf` with trailing zeros and a bare '.' removed. */
export function formatIncrByFloat(value: number): string {
  const text = formatLongDouble(value);
  const point = text.indexOf('.');
  if (point < 0 || text.length - point - 1 <= fractionDigitsMax) return text === '-0' ? '0' : text;
  // More than 17 decimals (tiny magnitudes): round as printf does, then trim.
  let rounded = value.toFixed(fractionDigitsMax).replace(/0+$/, '').replace(/\.$/, '');
  if (rounded === '-0') rounded = '0';
  return rounded;
}
