// The durable Committer: every batch of effects becomes one conditional append to the
// shard's log (prevLsn = the LSN before it), so any other writer fences us out. The log
// client gathers the appends of one event-loop turn into one request (group commit) and keeps
// several in flight. A batch is committed when the log says so — durable on a majority.
//
// Group commit: effects of one event-loop turn share an entry. With appendsInFlightMax set,
// while that many of our appends are unanswered the following turns keep gathering into the
// next entry, which leaves as soon as an append answers: fewer, larger entries, at the price
// of waiting for the append ahead. The embedded log uses 1 (its per-entry cost — Raft, LevelDB
// write, fsync — is paid on this process's CPU); on the quorum log appends are pipelined.
//
// Appends in flight chain on each other: each carries, besides prevLsn, the log's running
// checksum at prevLsn as we computed it from our own entries. Without it, if one append were
// refused because another writer took its LSN, the next one (prevLsn = that LSN) would match
// the other writer's entry and commit on top of it, effects computed from a state the log does
// not hold. The chain starts from the log's tail checksum, read once before the first append.
//
// A failure leaves our in-memory state ahead of the log by an unknown amount: a conflict
// (someone else wrote: we are fenced) or no answer within commitTimeoutMs (the outcome is
// unknown). The committer then stops for good and reports once; the node fails the held
// replies and rebuilds its state from the log.
import type { LogClient } from '../../log-service/client/log-client.js';
import { chainChecksum } from '../../log-service/checksum.js';
import { LogError } from '../../log-service/errors.js';
import type { Effect, EffectBatch } from '../engine/effects.js';
import type { Committer } from '../server/commit.js';
import { encodeRecord, type ShardRecord } from './records.js';

const DEFAULT_GATHER_BYTES_MAX = 256 * 1024;

/** Approximate encoded size of an effect (msgpack adds a few bytes per string). */
export function effectBytes(effect: Effect): number {
  let bytes = 8;
  for (const arg of effect.argv) bytes += arg.length + 5;
  return bytes;
}

export type CommitFailure = { kind: 'fenced'; tailLsn: number } | { kind: 'unknown'; reason: string };

export class LogCommitter implements Committer {
  private lsn: number;
  private committed: number;
  /** LSNs acknowledged out of order, above `committed`. */
  private readonly acknowledged = new Set<number>();
  private readonly listeners: ((lsn: number) => void)[] = [];
  private failure: CommitFailure | null = null;
  /** One timer for every append in flight: fires when the oldest one is commitTimeoutMs old. */
  private timeoutTimer: NodeJS.Timeout | null = null;
  /** Appends handed to the log and not yet answered. */
  private inFlight = 0;
  /** The gathered entry's turn has ended; it leaves when an append in flight answers. */
  private held = false;
  /** Effects of the current event-loop turn, not yet handed to the log. */
  private gathering: { lsn: number; batch: EffectBatch; bytes: number } | null = null;
  private waiters: { lsn: number; resolve: () => void }[] = [];
  /** Monotonic send time of each uncommitted LSN: a commit proves the lease from then. */
  private readonly sentAtMs = new Map<number, number>();
  private leaseProofListener: ((sentAtMs: number) => void) | null = null;
  /** Payloads handed to the log but not yet known committed, by LSN (for reconciliation). */
  private readonly unconfirmed = new Map<number, Uint8Array>();
  /** The log's running checksum after our newest append (null until the tail was read). */
  private chainChecksum: Uint8Array | null = null;
  /** Appends waiting for that first tail read, in LSN order. */
  private waitingForChain: { lsn: number; payload: Uint8Array; onDone?: () => void }[] = [];

  constructor(
    private readonly client: LogClient,
    private readonly logName: string,
    /** The log's tail when this node became its writer (everything ≤ it is applied). */
    startLsn: number,
    private readonly commitTimeoutMs: number,
    private readonly onFailure: (failure: CommitFailure) => void,
    /** Flush a gathered entry early at this size (below the log's entry limit). */
    private readonly gatherBytesMax: number = DEFAULT_GATHER_BYTES_MAX,
    /** Encryption at rest: seals each payload before it leaves (log nodes store ciphertext only). */
    private readonly seal: (payload: Uint8Array) => Uint8Array = (payload) => payload,
    /** Appends of effects in flight before further effects wait (and gather) for one to answer. */
    private readonly appendsInFlightMax: number = Infinity,
  ) {
    this.lsn = startLsn;
    this.committed = startLsn;
    void this.readChainStart(startLsn);
  }

  /** The checksum our first append chains on: the log's at startLsn (else we are fenced already). */
  private async readChainStart(startLsn: number): Promise<void> {
    try {
      const tail = await this.client.tail(this.logName);
      if (this.failure) return;
      if (tail.tailLsn !== startLsn) {
        this.fail({ kind: 'fenced', tailLsn: tail.tailLsn });
        return;
      }
      this.chainChecksum = tail.checksum;
      for (const waiting of this.waitingForChain.splice(0)) this.send(waiting.lsn, waiting.payload, waiting.onDone);
    } catch (error) {
      this.fail({ kind: 'unknown', reason: `could not read the log's tail: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  get committedLsn(): number {
    return this.committed;
  }

  get lastLsn(): number {
    return this.lsn;
  }

  get failed(): CommitFailure | null {
    return this.failure;
  }

  onCommitted(listener: (committedLsn: number) => void): void {
    this.listeners.push(listener);
  }

  /** Told the send time of the newest append each time the commit point advances. */
  onLeaseProof(listener: (sentAtMs: number) => void): void {
    this.leaseProofListener = listener;
  }

  /**
   * Effects submitted together share one log entry (one LSN): a pipeline of thousands of
   * writes is a handful of entries, not thousands. The entry leaves at the end of the callback
   * that opened it when nothing is in flight, else when an append answers, or early when it
   * reaches gatherBytesMax.
   */
  submit(batch: EffectBatch): number {
    let batchBytes = 0;
    for (const effect of batch) batchBytes += effectBytes(effect);
    // A large write gets an entry of its own rather than pushing a shared one over the limit.
    if (this.gathering !== null && this.gathering.bytes + batchBytes > this.gatherBytesMax) this.flushGathered();
    if (this.gathering === null) {
      this.gathering = { lsn: ++this.lsn, batch: [], bytes: 0 };
      // Nothing in flight: the entry leaves once the current callback (a client's data, a
      // timer) is done — the log client then sends it at the end of this loop iteration, not
      // the next. Appends in flight: it gathers the rest of the turn, or until one answers.
      if (this.inFlight === 0) queueMicrotask(this.turnEnded);
      else if (this.inFlight < this.appendsInFlightMax) setImmediate(this.turnEnded);
      else this.held = true;
    }
    const gathering = this.gathering;
    for (const effect of batch) gathering.batch.push(effect);
    gathering.bytes += batchBytes;
    if (gathering.bytes >= this.gatherBytesMax) this.flushGathered();
    return gathering.lsn;
  }

  /** End of the callback that opened the gathered entry: it leaves now, or once an append answers. */
  private readonly turnEnded = (): void => {
    if (this.gathering === null) return;
    if (this.inFlight >= this.appendsInFlightMax) this.held = true;
    else this.flushGathered();
  };

  private flushGathered(): void {
    this.held = false;
    const gathering = this.gathering;
    if (gathering === null) return;
    this.gathering = null;
    this.append({ t: 'effects', batch: gathering.batch, ms: Date.now() }, gathering.lsn);
  }

  /** Appends a control record (after any gathered effects); returns its LSN. `onDone` runs once it commits. */
  submitRecord(record: ShardRecord, onDone?: () => void): number {
    this.flushGathered();
    const lsn = ++this.lsn;
    this.append(record, lsn, onDone);
    return lsn;
  }

  private append(record: ShardRecord, lsn: number, onDone?: () => void): void {
    if (this.failure) return; // the node is already rebuilding; this reply fails with the rest
    const payload = this.seal(encodeRecord(record));
    this.unconfirmed.set(lsn, payload);
    this.sentAtMs.set(lsn, performance.now());
    this.timeoutTimer ??= setTimeout(this.checkTimeout, this.commitTimeoutMs);
    this.inFlight++;
    if (this.chainChecksum === null) this.waitingForChain.push({ lsn, payload, ...(onDone ? { onDone } : {}) });
    else this.send(lsn, payload, onDone);
  }

  private send(lsn: number, payload: Uint8Array, onDone?: () => void): void {
    const prevChecksum = this.chainChecksum!;
    this.chainChecksum = chainChecksum(prevChecksum, lsn, payload);
    this.client.append(this.logName, [payload], { prevLsn: lsn - 1, prevChecksum }).then(
      () => {
        this.inFlight--;
        this.acknowledge(lsn);
        if (this.failure) return;
        onDone?.();
        if (this.held && this.inFlight < this.appendsInFlightMax) this.flushGathered();
      },
      (error: unknown) => {
        this.inFlight--;
        if (error instanceof LogError && error.code === 'LOG_CONFLICT') {
          this.fail({ kind: 'fenced', tailLsn: Number(error.details.tailLsn ?? -1) });
        } else {
          this.fail({ kind: 'unknown', reason: error instanceof Error ? error.message : String(error) });
        }
      },
    );
  }

  /** Resolves when every LSN handed out so far is committed (FAILOVER, shutdown). */
  whenAllCommitted(): Promise<void> {
    this.flushGathered();
    const target = this.lsn;
    if (this.committed >= target) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ lsn: target, resolve }));
  }

  /** Payloads after committedLsn, in LSN order: what the log must hold for us to be exact. */
  unconfirmedPayloads(): Uint8Array[] {
    const payloads: Uint8Array[] = [];
    for (let lsn = this.committed + 1; lsn <= this.lsn; lsn++) {
      const payload = this.unconfirmed.get(lsn);
      if (payload === undefined) break;
      payloads.push(payload);
    }
    return payloads;
  }

  /**
   * Fails the committer when its oldest uncommitted append is commitTimeoutMs old; otherwise
   * re-arms for that append's deadline (none uncommitted: the timer rests until the next append).
   */
  private readonly checkTimeout = (): void => {
    this.timeoutTimer = null;
    if (this.failure) return;
    // LSN order = send order: the first entry is the oldest.
    const oldestSentAtMs: number | undefined = this.sentAtMs.values().next().value;
    if (oldestSentAtMs === undefined) return;
    const remainingMs = oldestSentAtMs + this.commitTimeoutMs - performance.now();
    if (remainingMs <= 0) {
      this.fail({ kind: 'unknown', reason: `not committed within ${this.commitTimeoutMs} ms` });
      return;
    }
    this.timeoutTimer = setTimeout(this.checkTimeout, Math.ceil(remainingMs));
  };

  stop(): void {
    this.gathering = null;
    this.held = false;
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = null;
    if (!this.failure) this.failure = { kind: 'unknown', reason: 'committer stopped' };
  }

  private acknowledge(lsn: number): void {
    if (this.failure) return;
    this.acknowledged.add(lsn);
    let advanced = false;
    let newestSentAtMs = -Infinity;
    while (this.acknowledged.delete(this.committed + 1)) {
      this.committed++;
      this.unconfirmed.delete(this.committed);
      newestSentAtMs = this.sentAtMs.get(this.committed) ?? newestSentAtMs;
      this.sentAtMs.delete(this.committed);
      advanced = true;
    }
    if (!advanced) return;
    if (newestSentAtMs > -Infinity) this.leaseProofListener?.(newestSentAtMs);
    for (const listener of this.listeners) listener(this.committed);
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((waiter) => waiter.lsn <= this.committed);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.lsn > this.committed);
    for (const waiter of ready) waiter.resolve();
  }

  private fail(failure: CommitFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.stop();
    this.onFailure(failure);
  }
}
