// Smallest and largest of many numbers. `Math.min(...values)` passes every value as an
// argument and overflows the stack somewhere past 100k values: a 10-minute run has more.

export function extent(values: Iterable<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}
