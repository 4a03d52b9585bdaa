// Per-log append pipeline of a client. Appends issued in one event-loop turn are gathered
// into batches (group commit); up to inFlightBatchesMax batches are in flight. When a batch
// must be retried (leader change, lost connection), the pipeline drains and resends every
// unfinished batch in order, so a later batch never overtakes an earlier one. A retried batch
// that comes back as LOG_CONFLICT is looked up in the log by (writerId, batchSeq): found, it
// committed — no duplicate, no loss.

import { checksumBytes, isChecksum } from '../checksum.js';
import { LogError } from '../errors.js';
import type { AppendResult } from '../wire/protocol.js';
import type { LogClient } from './log-client.js';
import { isRetryable } from './log-client.js';

export interface AppendOutcome {
  firstLsn: number;
  lastLsn: number;
}

interface PendingAppend {
  payloads: Uint8Array[];
  bytes: number;
  /** null: at whatever the tail is (appendAtTail). */
  prevLsn: number | null;
  /** The log's running checksum at prevLsn as the caller expects it (see AppendCommand). */
  prevChecksum?: Uint8Array;
  snapshotLsn?: number;
  resolve(outcome: AppendOutcome): void;
  reject(error: LogError): void;
}

interface Batch {
  seq: number;
  auto: boolean;
  prevLsn: number;
  /** The first part's: later parts chain on it inside the batch. */
  prevChecksum?: Uint8Array;
  snapshotLsn?: number;
  parts: PendingAppend[];
  payloads: Uint8Array[];
  bytes: number;
  attempts: number;
  /** Every prevLsn an attempt was sent with (an auto batch is re-based after conflicts). */
  triedPrevLsns: Set<number>;
  deadline: number;
  done: boolean;
}

export class LogAppender {
  private gathering: PendingAppend[] = [];
  private flushScheduled = false;
  /** Unfinished batches in seq order. */
  private outstanding: Batch[] = [];
  /** Batches waiting to be (re)sent, in seq order. */
  private toSend: Batch[] = [];
  private inFlight = 0;
  private recovering = false;
  private pumpTimer: NodeJS.Timeout | null = null;
  private autoTail: number | null = null;
  private queuedEntries = 0;
  private closed = false;

  constructor(private readonly client: LogClient, private readonly log: string) {}

  append(payloads: Uint8Array[], prevLsn: number, snapshotLsn?: number, prevChecksum?: Uint8Array): Promise<AppendOutcome> {
    if (!Number.isSafeInteger(prevLsn) || prevLsn < 0) return Promise.reject(new LogError('BAD_REQUEST', 'prevLsn must be a non-negative integer'));
    if (snapshotLsn !== undefined && (!Number.isSafeInteger(snapshotLsn) || snapshotLsn < 0 || snapshotLsn > prevLsn)) {
      return Promise.reject(new LogError('BAD_REQUEST', 'snapshotLsn must be within [0, prevLsn]'));
    }
    if (prevChecksum !== undefined && !isChecksum(prevChecksum)) return Promise.reject(new LogError('BAD_REQUEST', `prevChecksum must be ${checksumBytes} bytes`));
    return this.enqueue(payloads, prevLsn, snapshotLsn, prevChecksum);
  }

  appendAtTail(payloads: Uint8Array[]): Promise<AppendOutcome> {
    return this.enqueue(payloads, null, undefined);
  }

  close(): void {
    this.closed = true;
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    const error = new LogError('CLOSED', 'client closed; append outcome unknown');
    for (const pending of this.gathering.splice(0)) pending.reject(error);
    for (const batch of this.outstanding.splice(0)) this.fail(batch, error);
  }

  private enqueue(payloads: Uint8Array[], prevLsn: number | null, snapshotLsn: number | undefined, prevChecksum?: Uint8Array): Promise<AppendOutcome> {
    const { limits } = this.client;
    if (this.closed || this.client.isClosed) return Promise.reject(new LogError('CLOSED', 'client closed'));
    if (payloads.length === 0) return Promise.reject(new LogError('BAD_REQUEST', 'append needs at least one entry'));
    if (payloads.length > limits.batchEntriesMax) {
      return Promise.reject(new LogError('LIMIT_EXCEEDED', `${payloads.length} entries exceed batchEntriesMax ${limits.batchEntriesMax}`, { limit: 'batchEntriesMax' }));
    }
    let bytes = 0;
    for (const payload of payloads) {
      if (!(payload instanceof Uint8Array)) return Promise.reject(new LogError('BAD_REQUEST', 'entries must be Uint8Array'));
      if (payload.length > limits.entryBytesMax) {
        return Promise.reject(new LogError('LIMIT_EXCEEDED', `entry of ${payload.length} bytes exceeds entryBytesMax ${limits.entryBytesMax}`, { limit: 'entryBytesMax' }));
      }
      bytes += payload.length;
    }
    if (bytes > limits.batchBytesMax) {
      return Promise.reject(new LogError('LIMIT_EXCEEDED', `append of ${bytes} bytes exceeds batchBytesMax ${limits.batchBytesMax}`, { limit: 'batchBytesMax' }));
    }
    const queueEntriesMax = limits.inFlightBatchesMax * limits.batchEntriesMax * 2;
    if (this.queuedEntries + payloads.length > queueEntriesMax) {
      return Promise.reject(new LogError('LIMIT_EXCEEDED', `more than ${queueEntriesMax} entries waiting to be appended`, { limit: 'inFlightBatchesMax' }));
    }
    this.queuedEntries += payloads.length;
    return new Promise<AppendOutcome>((resolve, reject) => {
      const entry: PendingAppend = { payloads, bytes, prevLsn, resolve, reject };
      if (snapshotLsn !== undefined) entry.snapshotLsn = snapshotLsn;
      if (prevChecksum !== undefined) entry.prevChecksum = prevChecksum;
      this.gathering.push(entry);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Turns everything gathered in this event-loop turn into as few batches as possible. */
  private flush(): void {
    this.flushScheduled = false;
    const { limits } = this.client;
    let current: Batch | null = null;
    for (const pending of this.gathering.splice(0)) {
      const auto = pending.prevLsn === null;
      const fits = current !== null
        && current.payloads.length + pending.payloads.length <= limits.batchEntriesMax
        && current.bytes + pending.bytes <= limits.batchBytesMax;
      const chains = current !== null && (auto
        ? current.auto
        // A part with its own prevChecksum starts a batch: the batch sends only the first part's.
        : !current.auto && pending.snapshotLsn === undefined && pending.prevChecksum === undefined && pending.prevLsn === current.prevLsn + current.payloads.length);
      if (current && fits && chains) {
        current.parts.push(pending);
        current.payloads.push(...pending.payloads);
        current.bytes += pending.bytes;
        continue;
      }
      current = {
        seq: this.client.nextBatchSeq(), auto, prevLsn: pending.prevLsn ?? 0, parts: [pending], payloads: [...pending.payloads],
        bytes: pending.bytes, attempts: 0, triedPrevLsns: new Set(), deadline: Date.now() + this.client.timings.appendTimeoutMs, done: false,
      };
      if (pending.snapshotLsn !== undefined) current.snapshotLsn = pending.snapshotLsn;
      if (pending.prevChecksum !== undefined) current.prevChecksum = pending.prevChecksum;
      this.outstanding.push(current);
      this.toSend.push(current);
    }
    this.pump();
  }

  private pump(): void {
    if (this.closed || this.pumpTimer) return;
    const { limits } = this.client;
    if (this.recovering) {
      if (this.inFlight > 0) return; // resend only once everything in flight has answered
      this.recovering = false;
      this.toSend = this.outstanding.filter((batch) => !batch.done);
    }
    while (this.toSend.length > 0 && this.inFlight < limits.inFlightBatchesMax) {
      const batch = this.toSend[0]!;
      // Appends at the tail learn their position from the previous batch: one at a time.
      if (batch.auto && this.inFlight > 0) break;
      this.toSend.shift();
      void this.send(batch);
    }
  }

  private async send(batch: Batch): Promise<void> {
    this.inFlight += 1;
    batch.attempts += 1;
    this.client.stats.batchesSent += 1;
    if (batch.attempts > 1) this.client.stats.batchesRetried += 1;
    let address: string | null = null;
    try {
      if (batch.auto) {
        if (this.autoTail === null) this.autoTail = (await this.client.tail(this.log)).tailLsn;
        batch.prevLsn = this.autoTail;
      }
      batch.triedPrevLsns.add(batch.prevLsn);
      address = this.client.candidateAddress();
      const timeoutMs = Math.max(1, Math.min(this.client.timings.requestTimeoutMs, batch.deadline - Date.now()));
      const body: Record<string, unknown> = {
        op: 'append', log: this.log, prevLsn: batch.prevLsn, writerId: this.client.writerId, batchSeq: batch.seq, payloads: batch.payloads,
      };
      if (batch.snapshotLsn !== undefined) body.snapshotLsn = batch.snapshotLsn;
      if (batch.prevChecksum !== undefined) body.prevChecksum = batch.prevChecksum;
      const result = await this.client.connection(address).request<AppendResult>(body, timeoutMs);
      this.client.noteLeader(address);
      this.succeed(batch, result.firstLsn);
    } catch (error) {
      if (address) this.client.noteFailure(address, error);
      // Still counted in flight while deciding, so a recovery cannot resend it meanwhile.
      await this.onError(batch, error);
    } finally {
      this.inFlight -= 1;
    }
    this.pump();
  }

  private async onError(batch: Batch, error: unknown): Promise<void> {
    if (this.closed || batch.done) return;
    if (error instanceof LogError && error.code === 'LOG_CONFLICT') {
      const earlierUnfinished = this.outstanding.some((other) => other.seq < batch.seq && !other.done);
      if (earlierUnfinished) {
        // Probably conflicted only because an earlier batch is being retried: resend after it.
        this.recovering = true;
        return;
      }
      if (batch.attempts > 1 || batch.auto) {
        let committedAt: number | null;
        try {
          committedAt = await this.findCommitted(batch);
        } catch (lookupError) {
          this.fail(batch, new LogError('OUTCOME_UNKNOWN', `could not check whether a retried append committed: ${(lookupError as Error).message}`));
          return;
        }
        if (committedAt !== null) {
          this.client.stats.retriesFoundCommitted += 1;
          this.succeed(batch, committedAt);
          return;
        }
      }
      if (batch.auto) {
        this.autoTail = typeof error.details.tailLsn === 'number' ? error.details.tailLsn : null;
        if (Date.now() < batch.deadline) {
          this.toSend.unshift(batch);
          return;
        }
      }
      this.fail(batch, error);
      return;
    }
    if (isRetryable(error) && Date.now() < batch.deadline) {
      this.recovering = true;
      const leaderKnown = error instanceof LogError && error.code === 'NOT_LEADER' && typeof error.details.leaderAddr === 'string';
      if (!leaderKnown && !this.pumpTimer) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = null;
          this.pump();
        }, this.client.backoffMs(batch.attempts));
      }
      return;
    }
    if (isRetryable(error)) {
      const code = error instanceof LogError && error.code === 'TIMEOUT' ? 'TIMEOUT' : 'QUORUM_UNAVAILABLE';
      this.fail(batch, new LogError(code, `append not confirmed within ${this.client.timings.appendTimeoutMs} ms; outcome unknown`, { cause: (error as Error).message }));
      return;
    }
    this.fail(batch, error instanceof LogError ? error : new LogError('OUTCOME_UNKNOWN', String(error)));
  }

  /** The LSN where this batch's first entry committed, if an earlier attempt did commit. */
  private async findCommitted(batch: Batch): Promise<number | null> {
    for (const prevLsn of batch.triedPrevLsns) {
      const { entries } = await this.client.read(this.log, prevLsn + 1, { entriesMax: 1 });
      const first = entries[0];
      if (first && first.lsn === prevLsn + 1 && first.writerId === this.client.writerId && first.batchSeq === batch.seq) return prevLsn + 1;
    }
    return null;
  }

  private succeed(batch: Batch, firstLsn: number): void {
    if (batch.done) return;
    batch.done = true;
    this.remove(batch);
    if (batch.auto) this.autoTail = firstLsn + batch.payloads.length - 1;
    let lsn = firstLsn;
    for (const part of batch.parts) {
      part.resolve({ firstLsn: lsn, lastLsn: lsn + part.payloads.length - 1 });
      lsn += part.payloads.length;
    }
  }

  private fail(batch: Batch, error: LogError): void {
    if (batch.done) return;
    batch.done = true;
    this.remove(batch);
    for (const part of batch.parts) part.reject(error);
  }

  private remove(batch: Batch): void {
    this.queuedEntries -= batch.payloads.length;
    const at = this.outstanding.indexOf(batch);
    if (at >= 0) this.outstanding.splice(at, 1);
    const queued = this.toSend.indexOf(batch);
    if (queued >= 0) this.toSend.splice(queued, 1);
  }
}
