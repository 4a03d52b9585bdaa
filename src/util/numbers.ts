// Number parsing and formatting with Redis's exact rules.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const strictIntegerPattern = /^-?(0|[1-9][0-9]*)$/;

/**
 * Parses a Redis integer argument (string2ll rules: no spaces, no '+', no leading zeros,
 * within int64). Returns null when the text is not such an integer.
 * Returns a number when it is a safe integer, a bigint otherwise.
 */
export function parseInt64(text: string): number | bigint | null {
  if (text.length === 0 || text.length > 20 || !strictIntegerPattern.test(text)) return null;
  if (text === '-0') return null;
  if (text.length < 16) return Number(text);
  const big = BigInt(text);
  if (big < INT64_MIN || big > INT64_MAX) return null;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

/** Like parseInt64 but always a bigint (for INCR and friends, exact over the whole int64 range). */
export function parseInt64Big(text: string): bigint | null {
  const value = parseInt64(text);
  return value === null ? null : BigInt(value);
}

export function isInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/** An integer argument that must fit a JS safe integer (counts, indexes, offsets). */
export function parseSafeInt(text: string): number | null {
  const value = parseInt64(text);
  if (value === null) return null;
  if (typeof value === 'bigint') return value < 0n ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  return value;
}

const floatPattern = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity)$/i;

/**
 * Parses a Redis double argument (strtod rules: no surrounding spaces, `inf`/`-inf`/`+inf`
 * accepted, NaN refused). Returns null when invalid.
 */
export function parseDouble(text: string): number | null {
  if (text.length === 0 || text.length > 5000 || !floatPattern.test(text)) return null;
  const lower = text.toLowerCase();
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

/**
 * Formats a double as Redis 7.2+ does in replies (`addReplyDouble` / fpconv_dtoa): the
 * shortest text that reads back as the same double, in %g style (exponent when the decimal
 * exponent is < -4 or >= 17), and `inf` / `-inf` / `nan`.
 */
export function formatDouble(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // JS gives the shortest round-trip digits; re-lay them out with %g's exponent rule.
  const exponential = value.toExponential(); // d.ddde±x, shortest digits
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exponential);
  if (!match) return String(value);
  const [, sign, lead, rest = '', expText] = match;
  const digits = lead + rest;
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= 17) {
    const mantissa = rest.length > 0 ? `${lead}.${rest}` : lead;
    const expAbs = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${expAbs < 10 ? '0' : ''}${expAbs}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/**
 * Formats the result of INCRBYFLOAT / HINCRBYFLOAT as Redis does (`%.17Lf` with trailing
 * zeros removed, never an exponent). Redis computes in long double; we compute in double and
 * print 15 significant digits when that reads back within one ulp, so 0.1+0.2 prints as
 * Redis prints it ("0.3").
 */
export function formatLongDouble(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  let text = value.toPrecision(15);
  if (Math.abs(Number(text) - value) > Math.abs(value) * 4e-16) text = value.toPrecision(17);
  return toPlainDecimal(text);
}

/** Rewrites a number's text without an exponent and without trailing fractional zeros. */
export function toPlainDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = '', expText = '0'] = match;
  const exponent = Number(expText);
  let digits = whole + fraction;
  let point = whole.length + exponent;
  if (point <= 0) {
    digits = '0'.repeat(-point + 1) + digits;
    point = 1;
  } else if (point > digits.length) {
    digits = digits + '0'.repeat(point - digits.length);
  }
  let intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  let fracPart = digits.slice(point).replace(/0+$/, '');
  if (intPart === '') intPart = '0';
  const result = fracPart.length > 0 ? `${intPart}.${fracPart}` : intPart;
  return result === '0' ? '0' : sign + result;
}
