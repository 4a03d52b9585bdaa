// Which followers an append waits for. A commit needs the leader and quorum − 1 followers
// (one of two in a three-node cluster). The followers beyond those ("lazy") get their
// AppendEntries at most lazyFollowerDelayMs late, several together: such a follower syncs one
// batch per delay instead of one per round, and its flush does not queue on the shared disk
// with the two a commit waits for. With the third node stopped (the upper bound of this),
// 64 appenders ran 20–50 % more appends per second and one appender a quarter faster
// (log-service README, Performance).
//
// The followers a commit waits for ("eager") are the first quorum − 1 in id order among the
// healthy ones, so the choice is stable while nothing fails. Healthy means both: it answered
// something (an AppendEntries or a heartbeat) within healthyMs, so it is up; and it has left
// no AppendEntries or InstallSnapshot unanswered for delayMs, so it is storing what it is sent
// (a follower whose disk stalls still answers heartbeats at once). Nothing is held unless
// quorum − 1 followers are healthy. So when an eager follower stalls or stops, the next healthy
// one takes its place after about the delay, and until then a commit waits at most the delay
// (the held messages leave by then). Delaying a message is always safe in Raft; the delay
// bounds how far a lazy follower lags and what a failing eager one costs a commit.
//
// Held AppendEntries leave merged where they chain (mergeAppends): one message, one synced
// write and one answer per delay instead of one per round.
//
// Pure (the clock is passed in): the driver sends and arms the timer (lazy-followers.test.ts).

import type { AppendEntriesMessage, RaftMessage } from '../raft/types.js';

/**
 * Merges each AppendEntries into the one before it to the same peer when its entries follow on
 * (same term, prevLogIndex/prevLogTerm at that one's last entry), up to entriesMax entries and
 * bytesMax bytes of entry data per message; other messages keep their order. A merged message
 * is what the leader would have sent had it sent later: valid Raft, answered once (the leader
 * frees every AppendEntries in flight up to the answer's matchIndex).
 */
export function mergeAppends(messages: readonly RaftMessage[], entriesMax: number, bytesMax: number): RaftMessage[] {
  const merged: RaftMessage[] = [];
  /** Per peer: its last message in `merged`, if that is an AppendEntries that may grow. */
  const open = new Map<string, { at: number; bytes: number; owned: boolean }>();
  for (const message of messages) {
    const last = open.get(message.to);
    if (message.type === 'AppendEntries' && message.entries.length > 0) {
      const bytes = entryBytes(message);
      const previous = last === undefined ? undefined : (merged[last.at] as AppendEntriesMessage);
      const tail = previous?.entries[previous.entries.length - 1];
      if (last !== undefined && previous !== undefined && tail !== undefined && previous.term === message.term
        && message.prevLogIndex === tail.index && message.prevLogTerm === tail.term
        && previous.entries.length + message.entries.length <= entriesMax && last.bytes + bytes <= bytesMax) {
        // A copy the first time (held messages are not ours to change), then grown in place.
        const grown = last.owned ? previous : { ...previous, entries: [...previous.entries] };
        for (const entry of message.entries) grown.entries.push(entry);
        grown.leaderCommit = Math.max(previous.leaderCommit, message.leaderCommit);
        grown.leaderLastIndex = message.leaderLastIndex;
        merged[last.at] = grown;
        last.owned = true;
        last.bytes += bytes;
        continue;
      }
      open.set(message.to, { at: merged.length, bytes, owned: false });
    } else {
      open.delete(message.to);
    }
    merged.push(message);
  }
  return merged;
}

function entryBytes(message: AppendEntriesMessage): number {
  return message.entries.reduce((sum, entry) => sum + (entry.data?.length ?? 0), 0);
}

export class LazyFollowers {
  private readonly followers: readonly string[];
  private readonly lastAnswerMs = new Map<string, number>();
  /** Per follower, the AppendEntries (last index) and InstallSnapshots sent and not yet answered, oldest first. */
  private readonly unanswered = new Map<string, Array<{ index: number; sentMs: number }>>();
  private held: RaftMessage[] = [];
  private heldSinceMs = 0;

  /**
   * followers: every node but this one; quorumFollowers: how many a commit needs; delayMs: how
   * late a lazy follower's AppendEntries may leave; healthyMs: how recent a healthy follower's
   * last answer is.
   */
  constructor(
    followers: readonly string[],
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

  /** A message left for peer: AppendEntries with entries and InstallSnapshot await an answer. */
  noteSent(message: RaftMessage, nowMs: number): void {
    let index: number;
    if (message.type === 'AppendEntries' && message.entries.length > 0) index = message.entries[message.entries.length - 1]!.index;
    else if (message.type === 'InstallSnapshot') index = message.lastIncludedIndex;
    else return;
    const pending = this.unanswered.get(message.to);
    if (pending) pending.push({ index, sentMs: nowMs });
    else this.unanswered.set(message.to, [{ index, sentMs: nowMs }]);
  }

  /**
   * peer answered: a heartbeat (matchIndex null), or an AppendEntries or InstallSnapshot with
   * what it now holds (a refusal answers everything sent: the leader probes again).
   */
  noteAnswer(peer: string, matchIndex: number | null, nowMs: number): void {
    this.lastAnswerMs.set(peer, nowMs);
    if (matchIndex === null) return;
    const pending = this.unanswered.get(peer);
    if (!pending) return;
    const stillOpen = pending.filter((sent) => sent.index > matchIndex);
    if (stillOpen.length === 0) this.unanswered.delete(peer);
    else this.unanswered.set(peer, stillOpen);
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

  /** A new role or term: what was held and awaited belongs to the last one. */
  reset(): void {
    this.held = [];
    this.unanswered.clear();
    this.lastAnswerMs.clear();
  }

  private takeAll(): RaftMessage[] {
    const taken = this.held;
    this.held = [];
    return taken;
  }

  /** The healthy followers a commit waits for now (fewer than quorumFollowers: hold nothing). */
  eagerFollowers(nowMs: number): string[] {
    return this.followers.filter((peer) => this.isHealthy(peer, nowMs)).slice(0, this.quorumFollowers);
  }

  private isHealthy(peer: string, nowMs: number): boolean {
    if (nowMs - (this.lastAnswerMs.get(peer) ?? -Infinity) > this.healthyMs) return false;
    const oldest = this.unanswered.get(peer)?.[0];
    return oldest === undefined || nowMs - oldest.sentMs < this.delayMs;
  }
}
