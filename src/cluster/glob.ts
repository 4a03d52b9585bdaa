// Redis glob patterns (PSUBSCRIBE): `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`. Iterative with
// backtracking on the last `*`, so no pattern can make it run longer than O(pattern × text).
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length) {
      const c = pattern[p]!;
      if (c === '*') { starP = p++; starT = t; continue; }
      const step = matchOne(pattern, p, text[t]!);
      if (step > 0) { p += step; t++; continue; }
    }
    if (starP === -1) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Length of the pattern element at p if it matches `ch`, else 0. */
function matchOne(pattern: string, p: number, ch: string): number {
  const c = pattern[p]!;
  if (c === '?') return 1;
  if (c === '\\' && p + 1 < pattern.length) return pattern[p + 1] === ch ? 2 : 0;
  if (c !== '[') return c === ch ? 1 : 0;
  let i = p + 1;
  const negate = pattern[i] === '^';
  if (negate) i++;
  let matched = false;
  while (i < pattern.length && pattern[i] !== ']') {
    if (pattern[i] === '\\' && i + 1 < pattern.length) {
      if (pattern[i + 1] === ch) matched = true;
      i += 2;
    } else if (i + 2 < pattern.length && pattern[i + 1] === '-' && pattern[i + 2] !== ']') {
      let low = pattern[i]!;
      let high = pattern[i + 2]!;
      if (low > high) [low, high] = [high, low];
      if (ch >= low && ch <= high) matched = true;
      i += 3;
    } else {
      if (pattern[i] === ch) matched = true;
      i++;
    }
  }
  // An unterminated class runs to the end of the pattern, as in Redis.
  const length = Math.min(i + 1, pattern.length) - p;
  return matched !== negate ? Math.max(length, 1) : 0;
}
