// The skiplist against a sorted array: after random inserts, deletes and score updates, the
// order, every rank, every node-at-rank, the span bookkeeping and the range searches agree.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SkipList, type ScoreRange, type LexRange, type SkipNode } from '../../../src/engine/types/skiplist.js';

type Pair = [number, string];
const compare = (a: Pair, b: Pair): number => (a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/** Walks every level and checks that the spans add up to the level-0 distances. */
function checkSpans(list: SkipList): void {
  const rankOf = new Map<SkipNode, number>();
  let rank = 0;
  for (let x = list.head.next0; x; x = x.next0) rankOf.set(x, ++rank);
  expect(rank).toBe(list.length);
  for (let level = 0; level < list.level; level++) {
    let x: SkipNode = list.head;
    let at = 0;
    while (x.nextAt(level)) {
      const next = x.nextAt(level)!;
      expect(at + x.spanAt(level)).toBe(rankOf.get(next));
      at = rankOf.get(next)!;
      x = next;
    }
  }
}

const op = fc.oneof(
  fc.tuple(fc.constant('insert' as const), fc.integer({ min: -5, max: 5 }), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g')),
  fc.tuple(fc.constant('delete' as const), fc.nat(40)),
  fc.tuple(fc.constant('update' as const), fc.nat(40), fc.integer({ min: -6, max: 6 })),
);

describe('SkipList', () => {
  it('agrees with a sorted array on order, ranks, spans and ranges', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (ops, seed) => {
        const list = new SkipList(seed);
        const model: Pair[] = [];
        for (const o of ops) {
          if (o[0] === 'insert') {
            const [, score, member] = o;
            if (model.some((p) => p[1] === member)) continue;
            list.insert(score, member);
            model.push([score, member]);
          } else if (o[0] === 'delete') {
            if (model.length === 0) continue;
            const [score, member] = model.splice(o[1] % model.length, 1)[0]!;
            expect(list.delete(score, member)).toBe(true);
            expect(list.delete(score, member)).toBe(false);
          } else {
            if (model.length === 0) continue;
            const pair = model[o[1] % model.length]!;
            list.updateScore(pair[0], pair[1], o[2]);
            pair[0] = o[2];
          }
          model.sort(compare);
        }
        expect([...list.nodes()].map((n) => [n.score, n.member])).toEqual(model);
        expect(list.length).toBe(model.length);
        expect(list.tail ? [list.tail.score, list.tail.member] : null).toEqual(model.at(-1) ?? null);
        checkSpans(list);
        model.forEach(([score, member], i) => {
          expect(list.rankOf(score, member)).toBe(i + 1);
          const node = list.nodeAt(i + 1)!;
          expect([node.score, node.member]).toEqual([score, member]);
          expect(node.prev ? node.prev.member : null).toBe(i > 0 ? model[i - 1]![1] : null);
        });
        expect(list.nodeAt(0)).toBe(null);
        expect(list.nodeAt(model.length + 1)).toBe(null);
        // Score ranges with every combination of open and closed ends.
        for (const [min, max] of [[-2, 2], [0, 0], [3, -3], [-10, 10]] as const) {
          for (const minExclusive of [false, true]) {
            for (const maxExclusive of [false, true]) {
              const range: ScoreRange = { min, max, minExclusive, maxExclusive };
              const inside = model.filter(([s]) => (minExclusive ? s > min : s >= min) && (maxExclusive ? s < max : s <= max));
              const first = list.firstInScoreRange(range);
              const last = list.lastInScoreRange(range);
              expect(first ? [first.score, first.member] : null).toEqual(inside[0] ?? null);
              expect(last ? [last.score, last.member] : null).toEqual(inside.at(-1) ?? null);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('finds lex ranges and deletes rank ranges', () => {
    const list = new SkipList();
    for (const member of ['a', 'b', 'c', 'd', 'e']) list.insert(0, member);
    const range: LexRange = { min: { infinite: 0, value: 'b', exclusive: false }, max: { infinite: 0, value: 'd', exclusive: true } };
    expect(list.firstInLexRange(range)!.member).toBe('b');
    expect(list.lastInLexRange(range)!.member).toBe('c');
    expect(list.firstInLexRange({ min: { infinite: 1 }, max: { infinite: -1 } })).toBe(null);
    expect(list.firstInLexRange({ min: { infinite: -1 }, max: { infinite: -1 } })).toBe(null);
    const removed: string[] = [];
    expect(list.deleteRankRange(2, 4, (node) => removed.push(node.member))).toBe(3);
    expect(removed).toEqual(['b', 'c', 'd']);
    expect([...list.nodes()].map((n) => n.member)).toEqual(['a', 'e']);
    checkSpans(list);
  });

  it('finds the node at a rank in O(log n) steps', () => {
    const list = new SkipList();
    const n = 200_000;
    for (let i = 0; i < n; i++) list.insert(i, `m${i}`);
    const started = performance.now();
    let wrong = 0;
    for (let i = 0; i < 10_000; i++) {
      const rank = n / 2 + 1 + ((i * 7919) % (n / 2));
      if (list.nodeAt(rank)!.score !== rank - 1) wrong++;
    }
    const elapsedMs = performance.now() - started;
    expect(wrong).toBe(0);
    // 10k lookups in the far half of 200k nodes: a walk from the head costs ≥ 10^9 steps
    // (seconds even on an idle machine); the skiplist needs ~40 steps per lookup.
    expect(elapsedMs).toBeLessThan(1_500);
  });
});
