// How long a leader's commit-only broadcast may wait. A leader tells followers of a new commit
// index with the next entries it sends, or after commitBroadcastDelayMs, or with a heartbeat:
// not with a message round of its own per commit (under a steady load the next entries are
// never far behind). Each commit's wait starts when the leader first holds it back; entries
// that go out carry the commit index and end the wait.
//
// Pure (the clock is passed in), so the rule is tested on its own (commit-hold.test.ts).

export class CommitBroadcastHold {
  /** When the broadcast held now was first held back; null when none is held. */
  private heldSinceMs: number | null = null;

  constructor(private readonly delayMs: number) {}

  /**
   * Whether the commit broadcast the core has pending (if any) should wait at nowMs. A pending
   * broadcast held for delayMs is released, and its wait ends.
   */
  shouldHold(pending: boolean, nowMs: number): boolean {
    if (!pending) {
      this.heldSinceMs = null;
      return false;
    }
    this.heldSinceMs ??= nowMs;
    if (nowMs - this.heldSinceMs < this.delayMs) return true;
    this.heldSinceMs = null;
    return false;
  }

  /**
   * After a Ready: if it sent entries, they carried the commit index and nothing is pending any
   * more, so the wait ends. (It once did not: the next commit inherited the stale start, found
   * its delay long past, and went out at once — every other commit under a load with cycles
   * longer than delayMs, a message round to both followers each time.)
   */
  noteReadyTaken(stillPending: boolean): void {
    if (!stillPending) this.heldSinceMs = null;
  }

  /** Milliseconds until the broadcast held now is due (Infinity when none is held). */
  dueInMs(nowMs: number): number {
    return this.heldSinceMs === null ? Infinity : this.heldSinceMs + this.delayMs - nowMs;
  }
}
