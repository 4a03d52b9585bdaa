// The sorted-set type: member → score in a DenseMap (O(1) score lookup, O(1) random member for
// ZRANDMEMBER, ZSCAN's cursor guarantee) plus a skiplist ordered by (score, member) with span
// counts (rank and range in O(log n + m)).
//
// Redis 7.2 keeps small sorted sets in a listpack (≤ 128 members of ≤ 64 bytes) and converts
// to a skiplist for good once a threshold is crossed; we track that only for OBJECT ENCODING
// and for ZSCAN, which answers a small set in one call with cursor 0.
import { DenseMap } from '../dense-map.js';
import type { CollectionValue } from './values.js';
import { SkipList, type LexRange, type SkipNode } from './skiplist.js';
import { assert } from '../../util/assert.js';

/** Redis defaults: zset-max-listpack-entries, zset-max-listpack-value. */
export const zsetEncodingLimits = {
  listpackEntriesMax: 128,
  listpackValueBytesMax: 64,
} as const;

export class ZSetValue implements CollectionValue {
  readonly kind = 'zset' as const;
  readonly scores = new DenseMap<number>();
  readonly list = new SkipList();
  private compact: boolean;

  constructor(compact = true) {
    this.compact = compact;
  }

  /** A new sorted set from pairs, encoded as Redis encodes a freshly built one (zsetTypeCreate). */
  static fromPairs(pairs: Iterable<readonly [string, number]>, compactAllowed = true): ZSetValue {
    const zset = new ZSetValue(compactAllowed);
    for (const [member, score] of pairs) zset.set(member, score);
    return zset;
  }

  get size(): number {
    return this.scores.size;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Sets a member's score; returns true when the member is new. */
  set(member: string, score: number): boolean {
    assert(!Number.isNaN(score), 'sorted set score must not be NaN');
    const old = this.scores.get(member);
    if (old === undefined && this.compact &&
      (this.scores.size + 1 > zsetEncodingLimits.listpackEntriesMax || member.length > zsetEncodingLimits.listpackValueBytesMax)) {
      this.compact = false;
    }
    // A listpack stores an integral score as an integer: -0 reads back as 0 (as in Redis).
    if (this.compact && score === 0) score = 0;
    if (old === undefined) {
      this.scores.set(member, score);
      this.list.insert(score, member);
      return true;
    }
    if (old !== score) {
      this.list.updateScore(old, member, score);
      this.scores.set(member, score);
    }
    return false;
  }

  remove(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.scores.delete(member);
    const removed = this.list.delete(score, member);
    assert(removed, 'sorted set dict and skiplist disagree');
    return true;
  }

  /** 0-based rank (from the highest score when `reverse`), or undefined when absent. */
  rank(member: string, reverse = false): number | undefined {
    const score = this.scores.get(member);
    if (score === undefined) return undefined;
    const rank = this.list.rankOf(score, member);
    assert(rank > 0, 'sorted set member missing from skiplist');
    return reverse ? this.size - rank : rank - 1;
  }

  /** 1-based rank of a node in the list. */
  rankOfNode(node: SkipNode): number {
    return this.list.rankOf(node.score, node.member);
  }

  /** The node at a 0-based rank counted from the lowest score (or from the highest when `reverse`). */
  nodeAtRank(rank: number, reverse = false): SkipNode | null {
    return this.list.nodeAt(reverse ? this.size - rank : rank + 1);
  }

  /**
   * First/last member of a lex range. Lex ranges are meant for equal scores; with mixed scores
   * Redis answers differently per encoding (a listpack is walked, a skiplist descended), and
   * so do we, so that small sets answer exactly as Redis does.
   */
  firstInLex(range: LexRange): SkipNode | null {
    return this.compact ? this.list.firstInLexRangeByWalk(range) : this.list.firstInLexRange(range);
  }

  lastInLex(range: LexRange): SkipNode | null {
    return this.compact ? this.list.lastInLexRangeByWalk(range) : this.list.lastInLexRange(range);
  }

  /** Removes 1-based ranks [from, to] (inclusive); returns how many were removed. */
  removeRankRange(from: number, to: number): number {
    return this.list.deleteRankRange(from, to, (node) => {
      this.scores.delete(node.member);
    });
  }

  /** Members and scores in order, lowest first. */
  *pairs(): IterableIterator<[string, number]> {
    for (const node of this.list.nodes()) yield [node.member, node.score];
  }

  isCompact(): boolean {
    return this.compact;
  }

  encoding(): string {
    return this.compact ? 'listpack' : 'skiplist';
  }

  clone(): ZSetValue {
    const copy = new ZSetValue(this.compact);
    // Insert in the dict's order so that the copy scans and samples like the original.
    for (const [member, score] of this.scores.entries()) {
      copy.scores.set(member, score);
      copy.list.insert(score, member);
    }
    return copy;
  }

  /** Plain form: [member, score] pairs in order (scores may be ±Infinity). */
  toPlain(): unknown {
    return { encoding: this.encoding(), pairs: [...this.pairs()] };
  }
}

/** Rebuilds a sorted set from `toPlain()`'s form; throws on a malformed one (RESTORE of bad bytes). */
export function fromPlain(plain: unknown): ZSetValue {
  const record = plain as { encoding?: unknown; pairs?: unknown } | null;
  if (record === null || typeof record !== 'object' || !Array.isArray(record.pairs)) throw new Error('zset: pairs expected');
  if (record.encoding !== 'listpack' && record.encoding !== 'skiplist') throw new Error('zset: bad encoding');
  if (record.pairs.length === 0) throw new Error('zset: empty');
  const zset = new ZSetValue(record.encoding === 'listpack');
  for (const pair of record.pairs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new Error('zset: [member, score] pairs expected');
    const [member, score] = pair as [unknown, unknown];
    if (typeof member !== 'string' || typeof score !== 'number' || Number.isNaN(score)) throw new Error('zset: bad pair');
    if (zset.scores.has(member)) throw new Error('zset: duplicate member');
    zset.scores.set(member, score);
    zset.list.insert(score, member);
  }
  return zset;
}
