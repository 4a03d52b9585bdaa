// Which followers an append waits for. A commit needs the leader and quorum − 1 followers
// (one of two in a three-node cluster). The followers beyond those ("lazy") get their
// AppendEntries at most lazyFollowerDelayMs late, several together: such a follower syncs one
// batch per delay instead of one per round, and its flush does not queue on the shared disk
// with the two a commit waits for. With the third node stopped (the upper bound of this),
// 64 appenders ran 20–50 % more appends per second and one appender a quarter faster
// (log-service README, Performance).
//
// The followers a commit waits for ("eager") are the first quorum − 1 in id order among the
// healthy ones (those that answered an AppendEntries or a heartbeat within healthyMs), so the
// choice is stable while nothing fails. Nothing is held unless every eager follower is
// healthy: when one stops answering, within healthyMs the lazy followers get every message at
// once (held ones at the latest after the delay). Delaying a message is always safe in Raft;
// the delay bounds how far a lazy follower lags and what a failed eager one costs a commit.
//
// Pure (the clock is passed in): the driver sends and arms the timer (lazy-followers.test.ts).

import type { RaftMessage } from '../raft/types.js';

export class LazyFollowers {
  private readonly lastAnswerMs = new Map<string, number>();
  private held: RaftMessage[] = [];
  private heldSinceMs = 0;

  /**
   * followers: every node but this one; quorumFollowers: how many a commit needs; delayMs: how
   * late a lazy follower's AppendEntries may leave; healthyMs: how recent a healthy follower's
   * last answer is.
   */
  constructor(
    private readonly followers: readonly string[],
    private readonly quorumFollowers: number,
    private readonly delayMs: number,
    private readonly healthyMs: number,
  ) {
    this.followers = [...followers].sort();
  }

  /** Whether an AppendEntries carrying entries to peer should wait (then `hold` it). */
  shouldHold(peer: string, nowMs: number): boolean {
    const eager = this.eagerFollowers(nowMs);
    return eager.length === this.quorumFollowers && !eager.includes(peer);
  }

  hold(message: RaftMessage, nowMs: number): void {
    if (this.held.length === 0) this.heldSinceMs = nowMs;
    this.held.push(message);
  }

  /** peer answered an AppendEntries or a heartbeat. */
  noteAnswer(peer: string, nowMs: number): void {
    this.lastAnswerMs.set(peer, nowMs);
  }

  /** Milliseconds until the held messages are due (Infinity when none are held). */
  dueInMs(nowMs: number): number {
    return this.held.length === 0 ? Infinity : this.heldSinceMs + this.delayMs - nowMs;
  }

  /** The held messages, in the order they were held, once due. */
  takeDue(nowMs: number): RaftMessage[] {
    return this.dueInMs(nowMs) <= 0 ? this.takeAll() : [];
  }

  /** Everything held for peer (before another message to it goes out), in order. */
  takeFor(peer: string): RaftMessage[] {
    if (!this.held.some((message) => message.to === peer)) return [];
    const taken = this.held.filter((message) => message.to === peer);
    this.held = this.held.filter((message) => message.to !== peer);
    return taken;
  }

  takeAll(): RaftMessage[] {
    const taken = this.held;
    this.held = [];
    return taken;
  }

  /** The healthy followers a commit waits for now (fewer than quorumFollowers: hold nothing). */
  eagerFollowers(nowMs: number): string[] {
    return this.followers.filter((peer) => nowMs - (this.lastAnswerMs.get(peer) ?? -Infinity) <= this.healthyMs).slice(0, this.quorumFollowers);
  }
}
