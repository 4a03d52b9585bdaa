// The in-memory Raft log: entries after the compaction point (snapshotIndex), plus what is
// known to be durable (stableIndex) and what the outstanding Ready is persisting. It knows
// nothing about roles or messages.

import { raftAssert } from './raft-assert.js';
import type { RaftEntry } from './types.js';

export class RaftLog {
  snapshotIndex: number;
  snapshotTerm: number;
  /** entries[i].index === snapshotIndex + 1 + i */
  private entries: RaftEntry[];
  /** Entries <= stableIndex are durable and equal to what is in memory. */
  stableIndex: number;
  /** Highest index handed to the driver in the outstanding Ready (clamped by truncations). */
  persistingThroughIndex: number | null = null;

  constructor(snapshotIndex: number, snapshotTerm: number, entries: RaftEntry[]) {
    this.snapshotIndex = snapshotIndex;
    this.snapshotTerm = snapshotTerm;
    this.entries = entries.slice();
    this.stableIndex = this.lastIndex();
  }

  firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1]!.term : this.snapshotTerm;
  }

  /** The term at index, or undefined when compacted away or beyond the log. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapshotIndex - 1]!.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  entryAt(index: number): RaftEntry | null {
    if (index <= this.snapshotIndex || index > this.lastIndex()) return null;
    return this.entries[index - this.snapshotIndex - 1]!;
  }

  /** Entries [fromIndex, toIndex] (inclusive), bounded by count and bytes (one always fits). */
  slice(fromIndex: number, toIndex: number, countMax = Infinity, bytesMax = Infinity): RaftEntry[] {
    raftAssert(fromIndex > this.snapshotIndex, `slice from ${fromIndex} is compacted (<= ${this.snapshotIndex})`);
    const last = Math.min(toIndex, this.lastIndex());
    const result: RaftEntry[] = [];
    let bytes = 0;
    for (let index = fromIndex; index <= last && result.length < countMax; index++) {
      const entry = this.entries[index - this.snapshotIndex - 1]!;
      const size = entry.data?.length ?? 0;
      if (result.length > 0 && bytes + size > bytesMax) break;
      bytes += size;
      result.push(entry);
    }
    return result;
  }

  /** Leader append: the entry must extend the log by exactly one index. */
  append(entry: RaftEntry): void {
    raftAssert(entry.index === this.lastIndex() + 1, `append at ${entry.index}, log ends at ${this.lastIndex()}`);
    raftAssert(entry.term >= this.lastTerm(), `append of term ${entry.term} after term ${this.lastTerm()}`);
    this.entries.push(entry);
  }

  /** The first index of `incoming` whose term differs from ours (or that we lack); 0 if none. */
  findConflict(incoming: RaftEntry[]): number {
    for (const entry of incoming) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /** Replace everything from incoming[0].index on with incoming (follower append). */
  truncateAndAppend(incoming: RaftEntry[]): void {
    if (incoming.length === 0) return;
    const from = incoming[0]!.index;
    raftAssert(from > this.snapshotIndex, `truncate at ${from} below the compaction point ${this.snapshotIndex}`);
    raftAssert(from <= this.lastIndex() + 1, `append at ${from} leaves a gap after ${this.lastIndex()}`);
    this.entries.length = from - this.snapshotIndex - 1;
    this.clampDurable(from - 1);
    for (const entry of incoming) this.append(entry);
  }

  /** Largest index <= index whose term <= term (fast back-off); compacted ranges collapse to
   *  the compaction point. Returns [index, termAtIndex]. */
  findConflictByTerm(index: number, term: number): [number, number] {
    let probe = Math.min(index, this.lastIndex());
    while (probe > this.snapshotIndex) {
      const probeTerm = this.term(probe)!;
      if (probeTerm <= term) return [probe, probeTerm];
      probe--;
    }
    return [this.snapshotIndex, this.snapshotTerm];
  }

  /** Drop entries <= index (index must be durable). */
  compact(index: number): void {
    raftAssert(index > this.snapshotIndex, `compact to ${index} is not past ${this.snapshotIndex}`);
    raftAssert(index <= this.stableIndex, `compact to ${index} beyond the durable log ${this.stableIndex}`);
    const term = this.term(index)!;
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
  }

  /** Replace the whole log by a snapshot's compaction point. The snapshot is not durable
   *  yet: only the committed prefix (<= durableThroughIndex) of what is stored stays valid. */
  restore(index: number, term: number, durableThroughIndex: number): void {
    raftAssert(index > this.snapshotIndex, `restore to ${index} is not past ${this.snapshotIndex}`);
    this.entries = [];
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.clampDurable(durableThroughIndex);
  }

  /** Entries from fromIndex on are no longer what is (or is being) stored. */
  private clampDurable(throughIndex: number): void {
    this.stableIndex = Math.min(this.stableIndex, throughIndex);
    if (this.persistingThroughIndex !== null) {
      this.persistingThroughIndex = Math.min(this.persistingThroughIndex, throughIndex);
    }
  }
}
