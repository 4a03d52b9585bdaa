// Exact emulation of the x86-64 `long double` (80-bit extended: 64-bit mantissa, 15-bit
// exponent) that Redis uses for INCRBYFLOAT: strtold's correctly rounded parsing, one
// round-to-nearest-even addition, and printf's `%.17Lf`. Redis's replies show that format's
// artifacts (1000 + 0.1 → "1000.09999999999999998"), so a double cannot reproduce them.
// Values are sign · mantissa · 2^exponent with BigInt mantissas; the work is O(digits), and
// the texts involved are bounded (5 KiB in, ~4950 digits out).

export type LongDouble =
  | { kind: 'finite'; negative: boolean; mantissa: bigint; exponent: number }
  | { kind: 'infinite'; negative: boolean };

const mantissaBits = 64;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer texts are refused before parsing. */
const textLengthLimit = 5 * 1024;
/** 2^16384 is the first power of two past LDBL_MAX. */
const exponentLimit = 16384;
/** Below half the smallest denormal (2^-16445), strtold underflows to zero. */
const exponentFloor = -16446;
/** Decimal exponents beyond these are certainly out of range (and too big to expand). */
const decimalExponentMax = 5000;

const decimalPattern = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
const hexPattern = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
const infinityPattern = /^([+-]?)(?:inf|infinity)$/i;

function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** `magnitude · 2^exponent` rounded to 64 significant bits, half to even. */
function rounded(negative: boolean, magnitude: bigint, exponent: number): LongDouble {
  const length = bitLength(magnitude);
  if (length <= mantissaBits) return finite(negative, magnitude, exponent);
  const shift = BigInt(length - mantissaBits);
  let mantissa = magnitude >> shift;
  const remainder = magnitude - (mantissa << shift);
  const half = 1n << (shift - 1n);
  if (remainder > half || (remainder === half && (mantissa & 1n) === 1n)) mantissa += 1n;
  return finite(negative, mantissa, exponent + Number(shift));
}

function finite(negative: boolean, mantissa: bigint, exponent: number): LongDouble {
  if (mantissa !== 0n && exponent + bitLength(mantissa) > exponentLimit) return { kind: 'infinite', negative };
  return { kind: 'finite', negative, mantissa, exponent };
}

/** Whether strtold would report the value out of range (overflow, or underflow to zero). */
function outOfRange(value: LongDouble): boolean {
  if (value.kind === 'infinite') return true;
  return value.mantissa !== 0n && value.exponent + bitLength(value.mantissa) - 1 < exponentFloor;
}

/**
 * Parses as Redis's string2ld: the whole text must be a strtold number (decimal, hex float or
 * inf/infinity; no spaces, no NaN), and an overflow or an underflow to zero is refused.
 */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length === 0 || text.length >= textLengthLimit) return null;
  const infinity = infinityPattern.exec(text);
  if (infinity) return { kind: 'infinite', negative: infinity[1] === '-' };
  const hex = hexPattern.exec(text);
  if (hex) return parseHex(hex);
  const decimal = decimalPattern.exec(text);
  if (!decimal) return null;
  const [, sign, whole = '', fraction = '', exponentText = '0'] = decimal;
  if (whole.length + fraction.length === 0) return null;
  const negative = sign === '-';
  const digits = BigInt(whole + fraction);
  if (digits === 0n) return finite(negative, 0n, 0);
  const power = Number(exponentText) - fraction.length;
  const magnitudeDecimal = power + (whole + fraction).replace(/^0+/, '').length;
  if (magnitudeDecimal > decimalExponentMax || magnitudeDecimal < -decimalExponentMax) return null;
  let value: LongDouble;
  if (power >= 0) {
    value = rounded(negative, digits * 10n ** BigInt(power), 0);
  } else {
    // digits / 10^-power, with enough quotient bits to round, and the remainder as a sticky bit.
    const divisor = 10n ** BigInt(-power);
    const scale = Math.max(0, mantissaBits + 2 + bitLength(divisor) - bitLength(digits));
    const numerator = digits << BigInt(scale);
    const quotient = numerator / divisor;
    const sticky = numerator % divisor === 0n ? 0n : 1n;
    value = rounded(negative, (quotient << 1n) | sticky, -scale - 1);
  }
  return outOfRange(value) ? null : value;
}

function parseHex(match: RegExpExecArray): LongDouble | null {
  const [, sign, whole = '', fraction = '', exponentText = '0'] = match;
  if (whole.length + fraction.length === 0) return null;
  const digits = BigInt(`0x${whole}${fraction}`);
  if (digits === 0n) return finite(sign === '-', 0n, 0);
  const exponent = Number(exponentText) - 4 * fraction.length;
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 2 * exponentLimit + 4 * (whole.length + fraction.length)) return null;
  const value = rounded(sign === '-', digits, exponent);
  return outOfRange(value) ? null : value;
}

/** a + b with one rounding, as the x87 FPU does at extended precision. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | 'nan' {
  if (a.kind === 'infinite' || b.kind === 'infinite') {
    if (a.kind === 'infinite' && b.kind === 'infinite' && a.negative !== b.negative) return 'nan';
    return a.kind === 'infinite' ? a : b;
  }
  const exponent = Math.min(a.exponent, b.exponent);
  const signed = (x: typeof a): bigint => (x.negative ? -1n : 1n) * (x.mantissa << BigInt(x.exponent - exponent));
  const sum = signed(a) + signed(b);
  if (sum === 0n) return finite(a.negative && b.negative, 0n, 0);
  return rounded(sum < 0n, sum < 0n ? -sum : sum, exponent);
}

const fractionDigits = 17;
const fractionScale = 10n ** BigInt(fractionDigits);

/**
 * Redis's ld2string in human mode: `%.17Lf`, then trailing zeros and a bare '.' removed,
 * and "-0" written "0". Only finite values are formatted (INCRBYFLOAT refuses the rest).
 */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (value.kind === 'infinite') return value.negative ? '-inf' : 'inf';
  let scaled: bigint;
  if (value.exponent >= 0) {
    scaled = (value.mantissa << BigInt(value.exponent)) * fractionScale;
  } else {
    const numerator = value.mantissa * fractionScale;
    const shift = BigInt(-value.exponent);
    scaled = numerator >> shift;
    const remainder = numerator - (scaled << shift);
    const half = 1n << (shift - 1n);
    if (remainder > half || (remainder === half && (scaled & 1n) === 1n)) scaled += 1n;
  }
  const digits = scaled.toString().padStart(fractionDigits + 1, '0');
  const whole = digits.slice(0, -fractionDigits);
  const fraction = digits.slice(-fractionDigits).replace(/0+$/, '');
  const text = (value.negative ? '-' : '') + whole + (fraction.length > 0 ? `.${fraction}` : '');
  return text === '-0' ? '0' : text;
}
