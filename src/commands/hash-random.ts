// HRANDFIELD with a count: the four cases of Redis's hrandfieldWithCountCommand, so the
// distribution and the shape of the reply match (positive count: distinct fields, at most the
// whole hash; negative count: |count| independent picks, repeats allowed).
import { err, type Reply } from '../resp/reply.js';
import type { HashValue } from '../engine/types/hash.js';

/**
 * Most picks one HRANDFIELD with a negative count may ask for. Redis has no such limit and
 * would grow the client's output buffer without bound; Keel refuses with Redis's range error.
 */
export const randomFieldsPicksMax = 10_000_000;

/** Redis HRANDFIELD_SUB_STRATEGY_MUL: when count * 3 > size, drop random fields instead of picking. */
const subtractStrategyFactor = 3;

export function randomFieldsReply(
  hash: HashValue, count: bigint, withValues: boolean, resp3: boolean, random: () => number,
): Reply {
  if (count === 0n) return [];
  const size = hash.size;
  const distinct = count > 0n;
  const wanted = distinct ? count : -count;
  const reply: Reply[] = [];
  const emit = (field: string, value: string): void => {
    if (!withValues) reply.push(field);
    else if (resp3) reply.push([field, value]);
    else reply.push(field, value);
  };
  // A listpack-sized hash has no O(1) random access: take its entries once.
  const small = hash.isListpack ? [...hash.entries()] : null;
  const pick = (): [string, string] => (small !== null ? small[Math.floor(random() * small.length)]! : hash.randomEntry(random));

  if (!distinct || wanted === 1n) {
    if (wanted > BigInt(randomFieldsPicksMax)) return err('ERR value is out of range');
    for (let i = Number(wanted); i > 0; i--) emit(...pick());
    return reply;
  }
  if (wanted >= BigInt(size)) {
    for (const [field, value] of hash.entries()) emit(field, value);
    return reply;
  }
  const n = Number(wanted);
  if (n * subtractStrategyFactor > size) {
    const entries = small ?? [...hash.entries()];
    let remaining = entries.length;
    while (remaining > n) {
      const victim = Math.floor(random() * remaining);
      entries[victim] = entries[remaining - 1]!;
      remaining--;
    }
    for (let i = 0; i < n; i++) emit(...entries[i]!);
    return reply;
  }
  const seen = new Set<string>();
  while (seen.size < n) {
    const [field, value] = pick();
    if (seen.has(field)) continue;
    seen.add(field);
    emit(field, value);
  }
  return reply;
}
