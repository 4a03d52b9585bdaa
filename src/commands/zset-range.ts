// Range selection over a sorted set (by rank, score or lex), each O(log n + m): the first node
// is found through the skiplist (ranks jump over an offset), then the range is walked.
import type { ZSetValue } from '../engine/types/zset.js';
import {
  lexGteMin, lexLteMax, scoreGteMin, scoreLteMax, type LexRange, type ScoreRange, type SkipNode,
} from '../engine/types/skiplist.js';

/** Redis's index sanitising for ZRANGE/ZREMRANGEBYRANK: the inclusive 0-based [start, end], or null. */
export function rankWindow(size: number, start: number, end: number): [number, number] | null {
  if (start < 0) start = size + start;
  if (end < 0) end = size + end;
  if (start < 0) start = 0;
  if (start > end || start >= size) return null;
  if (end >= size) end = size - 1;
  return [start, end];
}

/** Nodes at 0-based ranks [start, end] counted from the low end (or the high end when `reverse`). */
export function nodesByRank(zset: ZSetValue, start: number, end: number, reverse: boolean): SkipNode[] {
  const window = rankWindow(zset.size, start, end);
  if (window === null) return [];
  const nodes: SkipNode[] = [];
  let node = zset.nodeAtRank(window[0], reverse);
  for (let i = window[0]; i <= window[1] && node; i++) {
    nodes.push(node);
    node = reverse ? node.prev : node.next0;
  }
  return nodes;
}

/** Skips `offset` nodes from `node` in the walk direction using ranks (O(log n)). */
function skipOffset(zset: ZSetValue, node: SkipNode, offset: number, reverse: boolean): SkipNode | null {
  if (offset === 0) return node;
  const rank = zset.rankOfNode(node);
  return zset.list.nodeAt(reverse ? rank - offset : rank + offset);
}

function walk(
  zset: ZSetValue, first: SkipNode | null, reverse: boolean, offset: number, limit: number,
  inRange: (node: SkipNode) => boolean,
): SkipNode[] {
  const nodes: SkipNode[] = [];
  // Redis: a negative offset, or one past the end, selects nothing; a negative limit means all.
  if (offset < 0 || (offset > 0 && offset >= zset.size)) return nodes;
  let node = first === null ? null : skipOffset(zset, first, offset, reverse);
  while (node && (limit < 0 || nodes.length < limit) && inRange(node)) {
    nodes.push(node);
    node = reverse ? node.prev : node.next0;
  }
  return nodes;
}

export function nodesByScore(zset: ZSetValue, range: ScoreRange, reverse: boolean, offset = 0, limit = -1): SkipNode[] {
  const first = reverse ? zset.list.lastInScoreRange(range) : zset.list.firstInScoreRange(range);
  const inRange = reverse ? (n: SkipNode) => scoreGteMin(n.score, range) : (n: SkipNode) => scoreLteMax(n.score, range);
  return walk(zset, first, reverse, offset, limit, inRange);
}

export function nodesByLex(zset: ZSetValue, range: LexRange, reverse: boolean, offset = 0, limit = -1): SkipNode[] {
  const first = reverse ? zset.lastInLex(range) : zset.firstInLex(range);
  const inRange = reverse ? (n: SkipNode) => lexGteMin(n.member, range.min) : (n: SkipNode) => lexLteMax(n.member, range.max);
  return walk(zset, first, reverse, offset, limit, inRange);
}

/** Number of members in a score range, from two ranks (O(log n)). */
export function countByScore(zset: ZSetValue, range: ScoreRange): number {
  const first = zset.list.firstInScoreRange(range);
  if (first === null) return 0;
  const last = zset.list.lastInScoreRange(range)!;
  return zset.rankOfNode(last) - zset.rankOfNode(first) + 1;
}

export function countByLex(zset: ZSetValue, range: LexRange): number {
  const first = zset.firstInLex(range);
  if (first === null) return 0;
  if (zset.isCompact()) return runLength(first, range);
  // Redis's skiplist count: from the first member's rank to the end, less what follows the last.
  let count = zset.size - (zset.rankOfNode(first) - 1);
  const last = zset.list.lastInLexRange(range);
  if (last !== null) count -= zset.size - zset.rankOfNode(last);
  return count;
}

/** Nodes from `first` onwards while ≤ max. */
function runLength(first: SkipNode, range: LexRange): number {
  let count = 0;
  for (let x: SkipNode | null = first; x && lexLteMax(x.member, range.max); x = x.next0) count++;
  return count;
}

/**
 * The 1-based rank span ZREMRANGEBYLEX removes: from the first member ≥ min (walked in a
 * listpack, descended without guards in a skiplist, as Redis) while members are ≤ max.
 */
export function lexRemovalSpan(zset: ZSetValue, range: LexRange): [number, number] | null {
  const first = zset.isCompact() ? zset.list.firstInLexRangeByWalk(range) : zset.list.lexDeletionStart(range);
  if (first === null) return null;
  const count = runLength(first, range);
  if (count === 0) return null;
  const from = zset.rankOfNode(first);
  return [from, from + count - 1];
}

/** The 1-based inclusive rank span of a score or lex range, or null when it is empty. */
export function rankSpan(zset: ZSetValue, first: SkipNode | null, last: SkipNode | null): [number, number] | null {
  if (first === null || last === null) return null;
  const from = zset.rankOfNode(first);
  const to = zset.rankOfNode(last);
  return from <= to ? [from, to] : null;
}
