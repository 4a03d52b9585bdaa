// A skiplist ordered by (score, member) with span counts, as Redis's zskiplist (t_zset.c):
// insert, delete and rank in O(log n); the node at a rank in O(log n); a range is then walked
// through `next[0]` / `prev`, so a range of m elements costs O(log n + m).
//
// Members compare by byte order: members are latin1 strings, so JS `<` is byte order.
// Node levels come from a private xorshift generator: the shape of the list never changes
// what a command returns, and keeping Math.random out keeps the engine deterministic.
import { assert } from '../../util/assert.js';

export const skiplistLevelMax = 32;
/** Chance that a node reaches the next level (Redis ZSKIPLIST_P). */
const levelUpChance = 0.25;

/**
 * A node. Three nodes in four have a single level, so the level-0 link is a field and the
 * higher levels live in one optional array `[next1, span1, next2, span2, …]` (null for a
 * single-level node): about 60 bytes less per member than two arrays per node. A level-0
 * span is always 1, so it is not stored.
 */
export class SkipNode {
  /** Level-0 successor. */
  next0: SkipNode | null = null;
  prev: SkipNode | null = null;
  upper: (SkipNode | number | null)[] | null;

  constructor(readonly member: string, public score: number, level: number) {
    this.upper = level > 1 ? new Array<SkipNode | number | null>(2 * (level - 1)).fill(null) : null;
  }

  get level(): number {
    return this.upper === null ? 1 : 1 + this.upper.length / 2;
  }

  nextAt(level: number): SkipNode | null {
    return level === 0 ? this.next0 : (this.upper![2 * level - 2] as SkipNode | null);
  }

  setNextAt(level: number, node: SkipNode | null): void {
    if (level === 0) this.next0 = node;
    else this.upper![2 * level - 2] = node;
  }

  spanAt(level: number): number {
    return level === 0 ? 1 : (this.upper![2 * level - 1] as number | null) ?? 0;
  }

  setSpanAt(level: number, span: number): void {
    if (level !== 0) this.upper![2 * level - 1] = span;
  }
}

/** A score interval; `minExclusive`/`maxExclusive` as `(` in ZRANGEBYSCORE. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** One end of a lex range: `-` / `+` (infinite) or `[value` / `(value`. */
export type LexBound = { infinite: -1 | 1 } | { infinite: 0; value: string; exclusive: boolean };

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export function scoreGteMin(score: number, range: ScoreRange): boolean {
  return range.minExclusive ? score > range.min : score >= range.min;
}

export function scoreLteMax(score: number, range: ScoreRange): boolean {
  return range.maxExclusive ? score < range.max : score <= range.max;
}

/** False when no score can be inside the range (min > max, or an open point). */
export function scoreRangeNonEmpty(range: ScoreRange): boolean {
  if (range.min > range.max) return false;
  if (range.min === range.max && (range.minExclusive || range.maxExclusive)) return false;
  return true;
}

export function lexGteMin(member: string, bound: LexBound): boolean {
  if (bound.infinite !== 0) return bound.infinite < 0;
  return bound.exclusive ? member > bound.value : member >= bound.value;
}

export function lexLteMax(member: string, bound: LexBound): boolean {
  if (bound.infinite !== 0) return bound.infinite > 0;
  return bound.exclusive ? member < bound.value : member <= bound.value;
}

/** Orders two bounds as Redis's sdscmplex: `-` below every string, `+` above. */
function compareLexBounds(a: LexBound, b: LexBound): number {
  if (a.infinite !== 0 || b.infinite !== 0) {
    if (a.infinite === b.infinite) return 0;
    const left = a.infinite !== 0 ? a.infinite : 0;
    const right = b.infinite !== 0 ? b.infinite : 0;
    return left - right;
  }
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function lexRangeNonEmpty(range: LexRange): boolean {
  const cmp = compareLexBounds(range.min, range.max);
  if (cmp > 0) return false;
  if (cmp === 0) {
    const minExclusive = range.min.infinite === 0 && range.min.exclusive;
    const maxExclusive = range.max.infinite === 0 && range.max.exclusive;
    if (minExclusive || maxExclusive) return false;
    // `- -` and `+ +` are empty too: nothing is below `-` or above `+`.
    if (range.min.infinite !== 0) return false;
  }
  return true;
}

function pairBefore(scoreA: number, memberA: string, scoreB: number, memberB: string): boolean {
  return scoreA < scoreB || (scoreA === scoreB && memberA < memberB);
}

function before(node: SkipNode, score: number, member: string): boolean {
  return pairBefore(node.score, node.member, score, member);
}

export class SkipList {
  readonly head = new SkipNode('', 0, skiplistLevelMax);
  tail: SkipNode | null = null;
  length = 0;
  level = 1;
  private randomState: number;
  // Scratch arrays reused by insert/delete (no allocation per call).
  private readonly update: SkipNode[] = new Array<SkipNode>(skiplistLevelMax);
  private readonly rankAt: number[] = new Array<number>(skiplistLevelMax).fill(0);

  constructor(seed = 0x9e3779b9) {
    this.randomState = seed | 1;
  }

  private randomLevel(): number {
    let level = 1;
    for (;;) {
      // xorshift32
      let x = this.randomState;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.randomState = x;
      if ((x >>> 0) / 4294967296 >= levelUpChance || level >= skiplistLevelMax) return level;
      level++;
    }
  }

  /** Inserts a (score, member) pair that is not present. Returns the new node. */
  insert(score: number, member: string): SkipNode {
    assert(!Number.isNaN(score), 'skiplist score must not be NaN');
    const update = this.update;
    const rank = this.rankAt;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      let next = x.nextAt(i);
      while (next && before(next, score, member)) {
        rank[i]! += x.spanAt(i);
        x = next;
        next = x.nextAt(i);
      }
      update[i] = x;
    }
    const level = this.randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.setSpanAt(i, this.length);
      }
      this.level = level;
    }
    const node = new SkipNode(member, score, level);
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.setNextAt(i, u.nextAt(i));
      u.setNextAt(i, node);
      node.setSpanAt(i, u.spanAt(i) - (rank[0]! - rank[i]!));
      u.setSpanAt(i, rank[0]! - rank[i]! + 1);
    }
    for (let i = level; i < this.level; i++) update[i]!.setSpanAt(i, update[i]!.spanAt(i) + 1);
    node.prev = update[0] === this.head ? null : update[0]!;
    const after = node.next0;
    if (after) after.prev = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  private unlink(node: SkipNode, update: SkipNode[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (u.nextAt(i) === node) {
        u.setSpanAt(i, u.spanAt(i) + node.spanAt(i) - 1);
        u.setNextAt(i, node.nextAt(i));
      } else {
        u.setSpanAt(i, u.spanAt(i) - 1);
      }
    }
    const after = node.next0;
    if (after) after.prev = node.prev;
    else this.tail = node.prev;
    while (this.level > 1 && this.head.nextAt(this.level - 1) === null) this.level--;
    this.length--;
  }

  /** Fills `update` with the last node before (score, member) on each level; returns the candidate. */
  private findUpdate(score: number, member: string): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && before(next, score, member)) {
        x = next;
        next = x.nextAt(i);
      }
      this.update[i] = x;
    }
    return x.next0;
  }

  /** Removes the pair; returns whether it was present. */
  delete(score: number, member: string): boolean {
    const candidate = this.findUpdate(score, member);
    if (candidate === null || candidate.score !== score || candidate.member !== member) return false;
    this.unlink(candidate, this.update);
    return true;
  }

  /** Changes a member's score (the pair must be present). Moves the node only when needed. */
  updateScore(oldScore: number, member: string, newScore: number): void {
    const node = this.findUpdate(oldScore, member);
    assert(node !== null && node.score === oldScore && node.member === member, 'updateScore of a missing pair');
    const prev = node.prev;
    const next = node.next0;
    const staysInPlace =
      (prev === null || before(prev, newScore, member)) && (next === null || pairBefore(newScore, member, next.score, next.member));
    if (staysInPlace) {
      node.score = newScore;
      return;
    }
    this.unlink(node, this.update);
    this.insert(newScore, member);
  }

  /** 1-based rank of the pair, or 0 when absent. */
  rankOf(score: number, member: string): number {
    let rank = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && (before(next, score, member) || (next.score === score && next.member === member))) {
        rank += x.spanAt(i);
        x = next;
        next = x.nextAt(i);
      }
      if (x !== this.head && x.member === member && x.score === score) return rank;
    }
    return 0;
  }

  /** The node at 1-based `rank`, or null when out of range. */
  nodeAt(rank: number): SkipNode | null {
    if (rank < 1 || rank > this.length) return null;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && traversed + x.spanAt(i) <= rank) {
        traversed += x.spanAt(i);
        x = next;
        next = x.nextAt(i);
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  first(): SkipNode | null {
    return this.head.next0;
  }

  /** First node with a score inside the range, or null. */
  firstInScoreRange(range: ScoreRange): SkipNode | null {
    if (!scoreRangeNonEmpty(range)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && !scoreGteMin(next.score, range)) {
        x = next;
        next = x.nextAt(i);
      }
    }
    const candidate = x.next0;
    if (!candidate || !scoreLteMax(candidate.score, range)) return null;
    return candidate;
  }

  /** Last node with a score inside the range, or null. */
  lastInScoreRange(range: ScoreRange): SkipNode | null {
    if (!scoreRangeNonEmpty(range)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && scoreLteMax(next.score, range)) {
        x = next;
        next = x.nextAt(i);
      }
    }
    if (x === this.head || !scoreGteMin(x.score, range)) return null;
    return x;
  }

  /**
   * Redis's zslIsInLexRange: the range is not empty, the last member is ≥ min and the first is
   * ≤ max. (With mixed scores, members are not in lex order, so these guards change results.)
   */
  touchesLexRange(range: LexRange): boolean {
    if (!lexRangeNonEmpty(range)) return false;
    const first = this.head.next0;
    return this.tail !== null && first !== null && lexGteMin(this.tail.member, range.min) && lexLteMax(first.member, range.max);
  }

  /** First node ≥ min by skiplist descent (Redis's zslFirstInLexRange), or null. */
  firstInLexRange(range: LexRange): SkipNode | null {
    if (!this.touchesLexRange(range)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && !lexGteMin(next.member, range.min)) {
        x = next;
        next = x.nextAt(i);
      }
    }
    const candidate = x.next0;
    if (!candidate || !lexLteMax(candidate.member, range.max)) return null;
    return candidate;
  }

  /** Last node ≤ max by skiplist descent (Redis's zslLastInLexRange), or null. */
  lastInLexRange(range: LexRange): SkipNode | null {
    if (!this.touchesLexRange(range)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && lexLteMax(next.member, range.max)) {
        x = next;
        next = x.nextAt(i);
      }
    }
    if (x === this.head || !lexGteMin(x.member, range.min)) return null;
    return x;
  }

  /** The node after the last one < min, found by descent without guards (zslDeleteRangeByLex). */
  lexDeletionStart(range: LexRange): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && !lexGteMin(next.member, range.min)) {
        x = next;
        next = x.nextAt(i);
      }
    }
    return x.next0;
  }

  /** First node ≥ min by a walk from the head (Redis's listpack zzlFirstInLexRange), or null. */
  firstInLexRangeByWalk(range: LexRange): SkipNode | null {
    if (!this.touchesLexRange(range)) return null;
    for (let x = this.head.next0; x; x = x.next0) {
      if (lexGteMin(x.member, range.min)) return lexLteMax(x.member, range.max) ? x : null;
    }
    return null;
  }

  /** Last node ≤ max by a walk from the tail (Redis's listpack zzlLastInLexRange), or null. */
  lastInLexRangeByWalk(range: LexRange): SkipNode | null {
    if (!this.touchesLexRange(range)) return null;
    for (let x = this.tail; x; x = x.prev) {
      if (lexLteMax(x.member, range.max)) return lexGteMin(x.member, range.min) ? x : null;
    }
    return null;
  }

  /** Removes ranks [start, end] (1-based, inclusive); calls `removed` for each node. */
  deleteRankRange(start: number, end: number, removed: (node: SkipNode) => void): number {
    const update = this.update;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.nextAt(i);
      while (next && traversed + x.spanAt(i) < start) {
        traversed += x.spanAt(i);
        x = next;
        next = x.nextAt(i);
      }
      update[i] = x;
    }
    traversed++;
    let node = x.next0;
    let count = 0;
    while (node && traversed <= end) {
      const following = node.next0;
      this.unlink(node, update);
      removed(node);
      count++;
      traversed++;
      node = following;
    }
    return count;
  }

  /** Every node in order (tests, snapshots). */
  *nodes(): IterableIterator<SkipNode> {
    for (let x = this.head.next0; x; x = x.next0) yield x;
  }
}
