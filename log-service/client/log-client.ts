// The log service client used by db nodes, the snapshotter and the CLI. It finds the Raft
// leader (following NOT_LEADER redirects), reconnects with backoff, gathers the appends of
// one event-loop turn into one conditional Append per log (group commit), keeps a bounded
// number of batches in flight, and makes a retried append exactly-once: a retry that comes
// back as a conflict is checked against the log for its own (writerId, batchSeq).

import { randomBytes } from 'node:crypto';
import { LogError } from '../errors.js';
import {
  assertLogLimits,
  assertClientTimings,
  defaultLogLimits,
  defaultLogTimings,
  type LogLimits,
  type LogTimings,
} from '../limits.js';
import type { LogEntry } from '../state/types.js';
import type { AppendResult, NodeStatus, ReadResult, TailResult, TrimResult } from '../wire/protocol.js';
import { NodeConnection } from './node-connection.js';
import { LogAppender, type AppendOutcome } from './appender.js';
import { LogSubscription, type SubscriptionOptions } from './subscription.js';

export interface LogClientOptions {
  /** host:port of every log node. */
  nodes: string[];
  /** Identifies this writer's batches for exactly-once retries; random by default. */
  writerId?: string;
  limits?: Partial<LogLimits>;
  timings?: Partial<LogTimings>;
}

export interface ReadOptions {
  entriesMax?: number;
  bytesMax?: number;
  /** Ask this node (host:port) instead of the leader: committed but possibly stale. */
  node?: string;
}

/** Errors after which a request is tried again (elsewhere, or after a pause). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof LogError)) return false;
  if (error.code === 'LIMIT_EXCEEDED') return error.details.reason === 'PROPOSALS_FULL';
  return error.code === 'NOT_LEADER' || error.code === 'CLOSED' || error.code === 'TIMEOUT' || error.code === 'QUORUM_UNAVAILABLE';
}

export class LogClient {
  readonly writerId: string;
  readonly limits: LogLimits;
  readonly timings: LogTimings;
  private readonly connections = new Map<string, NodeConnection>();
  private leaderAddress: string | null = null;
  /**
   * Node id → the address *we* were configured with for it (learned from status replies).
   * Redirects go there, never to the address a node advertises: the client may reach the
   * nodes through proxies or NAT that the nodes know nothing about.
   */
  private readonly configuredAddressById = new Map<string, string>();
  private nextNode = 0;
  private readonly appenders = new Map<string, LogAppender>();
  private readonly subscriptions = new Set<LogSubscription>();
  private batchSeq = 0;
  private closed = false;
  /** Counters for tests and operators: how often the retry paths ran. */
  readonly stats = { batchesSent: 0, batchesRetried: 0, retriesFoundCommitted: 0 };

  constructor(readonly options: LogClientOptions) {
    if (options.nodes.length === 0) throw new LogError('BAD_REQUEST', 'no log nodes given');
    this.writerId = options.writerId ?? randomBytes(8).toString('hex');
    this.limits = { ...defaultLogLimits, ...options.limits };
    this.timings = { ...defaultLogTimings, ...options.timings };
    assertLogLimits(this.limits);
    assertClientTimings(this.timings);
  }

  /** Creates a client and waits until some log node answers (or throws QUORUM_UNAVAILABLE). */
  static async connect(options: LogClientOptions): Promise<LogClient> {
    const client = new LogClient(options);
    await client.leaderRequest<NodeStatus>({ op: 'status' }, client.timings.appendTimeoutMs, false);
    await client.statusAll();
    return client;
  }

  /**
   * Conditional append: `payloads` become prevLsn+1… only if the log's tail is prevLsn when
   * the service applies it. Appends issued in one event-loop turn that chain (each prevLsn =
   * the previous one's last LSN) go out as one batch. With `prevChecksum` (the log's running
   * checksum at prevLsn as the writer computed it), the append also conflicts when the entry at
   * prevLsn is not the one the writer chained on: a writer with appends in flight needs it
   * (see AppendCommand). Rejects with LOG_CONFLICT{tailLsn}, or TIMEOUT / QUORUM_UNAVAILABLE
   * when the outcome is unknown.
   */
  append(log: string, payloads: Uint8Array[], options: { prevLsn: number; snapshotLsn?: number; prevChecksum?: Uint8Array }): Promise<AppendOutcome> {
    return this.appender(log).append(payloads, options.prevLsn, options.snapshotLsn, options.prevChecksum);
  }

  /** Unconditional append at the current tail, exactly once (retries never duplicate). */
  appendAtTail(log: string, payloads: Uint8Array[]): Promise<AppendOutcome> {
    return this.appender(log).appendAtTail(payloads);
  }

  async read(log: string, fromLsn: number, options: ReadOptions = {}): Promise<ReadResult> {
    const body = { op: 'read', log, fromLsn, entriesMax: options.entriesMax, bytesMax: options.bytesMax, leader: !options.node };
    if (options.node) return this.connection(options.node).request<ReadResult>(body, this.timings.requestTimeoutMs);
    return this.leaderRequest<ReadResult>(body, this.timings.appendTimeoutMs);
  }

  /** Reads every committed entry from fromLsn up to the tail seen by the first read. */
  async readAll(log: string, fromLsn: number, options: ReadOptions = {}): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    let next = fromLsn;
    let tail = Infinity;
    while (next <= tail) {
      const result = await this.read(log, next, options);
      tail = Math.min(tail, result.tailLsn);
      if (result.entries.length === 0) break;
      entries.push(...result.entries.filter((entry) => entry.lsn <= tail));
      next = result.entries[result.entries.length - 1]!.lsn + 1;
    }
    return entries;
  }

  /** The committed tail (and running checksum) as the leader knows it. */
  tail(log: string): Promise<TailResult> {
    return this.leaderRequest<TailResult>({ op: 'tail', log, leader: true }, this.timings.appendTimeoutMs);
  }

  /**
   * Records that a verified snapshot covers `log` up to snapshotLsn (the trim guard), with
   * `info` (e.g. location and checksum) returned by tail(). Takes no LSN, so it never
   * conflicts with the primary's conditional appends. Idempotent; the guard only moves forward.
   */
  markSnapshot(log: string, snapshotLsn: number, info: Uint8Array = new Uint8Array(0)): Promise<{ snapshotLsn: number }> {
    return this.leaderRequest<{ snapshotLsn: number }>({ op: 'mark-snapshot', log, snapshotLsn, info }, this.timings.appendTimeoutMs);
  }

  /** Drops entries below beforeLsn; LOG_TRIM_REFUSED above the latest snapshot marker. */
  trim(log: string, beforeLsn: number): Promise<TrimResult> {
    return this.leaderRequest<TrimResult>({ op: 'trim', log, beforeLsn }, this.timings.appendTimeoutMs);
  }

  /** Status of one node (host:port). */
  async status(address: string): Promise<NodeStatus> {
    const status = await this.connection(address).request<NodeStatus>({ op: 'status' }, this.timings.requestTimeoutMs);
    if (typeof status?.id === 'string' && this.options.nodes.includes(address)) this.configuredAddressById.set(status.id, address);
    return status;
  }

  /** Status of every node; null for a node that does not answer. */
  statusAll(): Promise<Array<NodeStatus | null>> {
    return Promise.all(this.options.nodes.map((address) => this.status(address).catch(() => null)));
  }

  /**
   * Pushes committed entries from fromLsn to onEntries, in order, with flow control (the
   * next entries are granted once onEntries' promise settles). Survives node loss: it
   * resubscribes from the last delivered LSN + 1. Ends on close() or a fatal error
   * (LOG_TRIMMED), which goes to options.onError.
   */
  subscribe(
    log: string,
    fromLsn: number,
    onEntries: (entries: LogEntry[]) => void | Promise<void>,
    options: SubscriptionOptions = {},
  ): LogSubscription {
    const subscription = new LogSubscription(this, log, fromLsn, onEntries, options, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  close(): void {
    this.closed = true;
    for (const subscription of [...this.subscriptions]) subscription.close();
    for (const appender of this.appenders.values()) appender.close();
    for (const connection of this.connections.values()) connection.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ── internals shared with the appender and subscriptions ──

  nextBatchSeq(): number {
    this.batchSeq += 1;
    return this.batchSeq;
  }

  connection(address: string): NodeConnection {
    let connection = this.connections.get(address);
    if (!connection) {
      connection = new NodeConnection(address, this.limits.frameBytesMax, this.timings.requestTimeoutMs);
      this.connections.set(address, connection);
    }
    return connection;
  }

  /** The node to try next for leader-only requests: the known leader, else round robin. */
  candidateAddress(): string {
    if (this.leaderAddress) return this.leaderAddress;
    const address = this.options.nodes[this.nextNode % this.options.nodes.length]!;
    this.nextNode += 1;
    return address;
  }

  /** Learns from an error where the leader is (or that the tried node is not it). */
  noteFailure(address: string, error: unknown): void {
    if (!(error instanceof LogError)) return;
    if (error.code === 'NOT_LEADER') {
      const leaderId = typeof error.details.leaderId === 'string' ? error.details.leaderId : null;
      const advertised = typeof error.details.leaderAddr === 'string' ? error.details.leaderAddr : null;
      const configured = leaderId !== null ? this.configuredAddressById.get(leaderId) : undefined;
      const leaderAddr = configured ?? (advertised !== null && this.options.nodes.includes(advertised) ? advertised : null);
      this.leaderAddress = leaderAddr && leaderAddr !== address ? leaderAddr : null;
    } else if (error.code === 'CLOSED' || error.code === 'TIMEOUT' || error.code === 'QUORUM_UNAVAILABLE') {
      if (this.leaderAddress === address) this.leaderAddress = null;
    }
  }

  noteLeader(address: string): void {
    this.leaderAddress = address;
  }

  backoffMs(attempt: number): number {
    const base = Math.min(this.timings.reconnectBackoffMaxMs, this.timings.reconnectBackoffMinMs * 2 ** Math.min(attempt, 10));
    return base / 2 + Math.random() * (base / 2);
  }

  /** Sends to the leader, following redirects and retrying until the deadline. */
  async leaderRequest<T>(body: Record<string, unknown>, totalTimeoutMs: number, leaderOnly = true): Promise<T> {
    const deadline = Date.now() + totalTimeoutMs;
    let lastError: unknown = new LogError('QUORUM_UNAVAILABLE', 'no log node answered');
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new LogError('CLOSED', 'client closed');
      const address = this.candidateAddress();
      try {
        const timeoutMs = Math.max(1, Math.min(this.timings.requestTimeoutMs, deadline - Date.now()));
        const result = await this.connection(address).request<T>(body, timeoutMs);
        if (leaderOnly) this.noteLeader(address);
        return result;
      } catch (error) {
        if (!isRetryable(error)) throw error;
        lastError = error;
        this.noteFailure(address, error);
      }
      const redirected = lastError instanceof LogError && lastError.code === 'NOT_LEADER' && this.leaderAddress !== null;
      if (Date.now() >= deadline) break;
      if (!redirected) await sleep(Math.min(this.backoffMs(attempt), Math.max(0, deadline - Date.now())));
    }
    if (lastError instanceof LogError && lastError.code === 'NOT_LEADER') {
      throw new LogError('QUORUM_UNAVAILABLE', `no leader within ${totalTimeoutMs} ms`, { cause: lastError.message });
    }
    throw lastError;
  }

  private appender(log: string): LogAppender {
    if (this.closed) throw new LogError('CLOSED', 'client closed');
    let appender = this.appenders.get(log);
    if (!appender) {
      appender = new LogAppender(this, log);
      this.appenders.set(log, appender);
    }
    return appender;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type { AppendOutcome, AppendResult };
