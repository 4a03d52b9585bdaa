// The leader's view of one follower (etcd/raft's Progress): how far its log is known to
// match (matchIndex), what to send next (nextIndex), and the flow-control state:
//   probe      - one AppendEntries at a time until a match is found (paused until answered);
//   replicate  - pipelined: nextIndex advances optimistically, at most inflightAppendsMax
//                appends with entries unanswered;
//   snapshot   - an InstallSnapshot is outstanding; nothing else is sent.

import type { PeerProgress } from './types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  matchIndex = 0;
  nextIndex: number;
  state: ProgressState = 'probe';
  /** probe: an append was sent and not yet answered (or a heartbeat answer resumes us). */
  probeSent = false;
  /** replicate: last index of each unanswered append, oldest first. */
  inflight: number[] = [];
  /** When a heartbeat answer last freed a slot of an append the follower had (see below). */
  private heartbeatFreedTick = -Infinity;
  pendingSnapshotIndex = 0;
  snapshotSentTick = 0;
  /** Heard from within the current check-quorum window. */
  recentlyActive = false;

  constructor(nextIndex: number, private readonly inflightAppendsMax: number) {
    this.nextIndex = nextIndex;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflight.length >= this.inflightAppendsMax;
      case 'snapshot':
        return true;
    }
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      this.nextIndex = Math.max(this.matchIndex + 1, this.pendingSnapshotIndex + 1);
    } else {
      this.nextIndex = this.matchIndex + 1;
    }
    this.state = 'probe';
    this.probeSent = false;
    this.inflight = [];
    this.pendingSnapshotIndex = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.nextIndex = this.matchIndex + 1;
    this.probeSent = false;
    this.inflight = [];
    this.pendingSnapshotIndex = 0;
  }

  becomeSnapshot(snapshotIndex: number, tick: number): void {
    this.state = 'snapshot';
    this.pendingSnapshotIndex = snapshotIndex;
    this.snapshotSentTick = tick;
    this.probeSent = false;
    this.inflight = [];
  }

  /** A successful answer through index; false when it tells us nothing new. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.matchIndex < index) {
      this.matchIndex = index;
      updated = true;
      this.probeSent = false;
    }
    this.nextIndex = Math.max(this.nextIndex, index + 1);
    return updated;
  }

  /** A rejection of the append whose prevLogIndex was `rejected`; matchHint is the follower's
   *  hint after fast back-off. False when the rejection is stale. */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.matchIndex) return false;
      this.nextIndex = this.matchIndex + 1;
      return true;
    }
    if (this.nextIndex - 1 !== rejected) return false;
    this.nextIndex = Math.max(Math.min(rejected, matchHint + 1), this.matchIndex + 1);
    this.probeSent = false;
    return true;
  }

  /** The follower lost its log (wiped disk): forget what we knew and probe from its end. */
  resetAfterDataLoss(followerLastIndex: number): void {
    this.matchIndex = 0;
    this.state = 'probe';
    this.probeSent = false;
    this.inflight = [];
    this.pendingSnapshotIndex = 0;
    this.nextIndex = followerLastIndex + 1;
  }

  /** Record an append with entries through lastIndex sent in replicate state. */
  sentEntries(lastIndex: number): void {
    this.inflight.push(lastIndex);
    this.nextIndex = lastIndex + 1;
  }

  freeInflightThrough(index: number): void {
    while (this.inflight.length > 0 && this.inflight[0]! <= index) this.inflight.shift();
  }

  /**
   * A heartbeat answer while the pipeline is full: frees the oldest in-flight append's slot at
   * once if the follower's log (held in memory, perhaps not yet written) does not reach it — it
   * was lost. If the follower has it, it is still writing it (a stalled disk) or its answer was
   * lost: the slot is freed at most once per `everyTicks`, so heartbeat answers during a stall
   * do not reopen the pipeline every heartbeat, and a lost answer still cannot stall it forever.
   */
  freeFirstInflightOnHeartbeat(followerLastIndex: number, tick: number, everyTicks: number): void {
    if (this.inflight.length === 0) return;
    const lost = followerLastIndex < this.inflight[0]!;
    if (!lost && tick - this.heartbeatFreedTick < everyTicks) return;
    this.inflight.shift();
    if (!lost) this.heartbeatFreedTick = tick;
  }

  view(): PeerProgress {
    return {
      matchIndex: this.matchIndex,
      nextIndex: this.nextIndex,
      state: this.state,
      inflightAppends: this.inflight.length,
      recentlyActive: this.recentlyActive,
    };
  }
}
