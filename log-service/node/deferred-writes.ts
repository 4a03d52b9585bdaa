// The state-machine writes of applied entries, held for the node's next batch. They are never
// needed for safety (a restart re-applies the Raft log from the stored applied index), so a
// node holds them up to applyWriteDelayMs and lets them ride in its next Raft write instead of
// paying a write of their own. Reads, subscriptions and the state-machine snapshot follow only
// what is written, so the hold is short.
//
// Pure (the clock is passed in), so the rule is tested on its own (deferred-writes.test.ts);
// the driver owns the store and the timer that wakes it when the writes are due.

import type { StoreOp } from '../store/log-store.js';

export class DeferredWrites {
  private ops: StoreOp[] = [];
  private readonly changedLogs = new Set<string>();
  /** When the oldest write held now was deferred. */
  private sinceMs = 0;

  constructor(private readonly delayMs: number) {}

  get isEmpty(): boolean {
    return this.ops.length === 0;
  }

  /** Holds ops, which change changedLogs; the hold's clock starts with the first op held. */
  add(ops: readonly StoreOp[], changedLogs: Iterable<string>, nowMs: number): void {
    if (ops.length === 0) return;
    if (this.ops.length === 0) this.sinceMs = nowMs;
    for (const op of ops) this.ops.push(op);
    for (const log of changedLogs) this.changedLogs.add(log);
  }

  /** Milliseconds until the writes held now are due (Infinity when none are held). */
  dueInMs(nowMs: number): number {
    return this.ops.length === 0 ? Infinity : this.sinceMs + this.delayMs - nowMs;
  }

  /**
   * Moves the held writes to the front of ops and returns the logs they change. In front:
   * they were applied before anything the batch adds (its applied index among it), and
   * LevelDB orders unsynced batches before every later synced one in its log, so they cannot
   * survive a crash without their predecessors: the applied state and the applied index on
   * disk always agree.
   */
  takeInto(ops: StoreOp[]): string[] {
    if (this.ops.length === 0) return [];
    ops.unshift(...this.ops);
    this.ops = [];
    const changed = [...this.changedLogs];
    this.changedLogs.clear();
    return changed;
  }
}
