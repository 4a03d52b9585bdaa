// Uniform sampling without replacement, shared by SPOP/SRANDMEMBER and ZRANDMEMBER.
import { assert } from '../util/assert.js';

/**
 * `count` distinct slots out of [0, size), uniformly, in random order: a partial Fisher–Yates
 * shuffle over a virtual array (only swapped slots are stored), so it costs O(count) whatever
 * the size. `random` returns a float in [0, 1).
 */
export function randomDistinctSlots(size: number, count: number, random: () => number): number[] {
  assert(count >= 0 && count <= size, 'sample count must be within the population');
  const swapped = new Map<number, number>();
  const slots: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (size - i));
    const atJ = swapped.get(j) ?? j;
    const atI = swapped.get(i) ?? i;
    swapped.set(j, atI);
    slots.push(atJ);
  }
  return slots;
}
