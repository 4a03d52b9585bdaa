// The TCP front of a log node: client requests (append, read, tail, trim, status, identity,
// subscribe) and, after a PeerHello, Raft traffic from the other log nodes. Every limit is
// checked here before work is queued; bad frames get a typed error, never a crash.

import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { LogError, toWireError } from '../errors.js';
import { readAnswerBytesMax, type LogLimits } from '../limits.js';
import { checkRaftMessage } from '../wire/raft-message-check.js';
import type { RaftMessage } from '../raft/types.js';
import type { LogCommand, LogEntry } from '../state/types.js';
import { FramedConnection } from '../wire/connection.js';
import {
  validateRequest,
  type AppendResult,
  type IdentityResult,
  type NodeStatus,
  type Push,
  type ReadResult,
  type Request,
  type TailResult,
} from '../wire/protocol.js';
import type { RaftDriver } from './raft-driver.js';
import { parseAddress } from './address.js';
import { checkChainHints, type ChainHint } from './chain-hints.js';

type AppendRequest = Extract<Request, { op: 'append' }>;
/** A request's answer before it is put on the wire. */
type Answer = { ok: true; result: unknown } | { ok: false; error: LogError };

export interface LogServerContext {
  nodeId: string;
  /** id -> host:port for every node, this one included (for NOT_LEADER redirects). */
  addresses: Map<string, string>;
  limits: LogLimits;
  logger: Logger;
  clusterId(): string | null;
  /** What this node answers a peer asking whether the cluster exists (see node/identity.ts). */
  identity(): Omit<IdentityResult, 'nodeId'>;
  /** Null while the node is still starting (identity check in progress). */
  driver(): RaftDriver | null;
}

interface Subscription {
  id: number;
  log: string;
  nextLsn: number;
  credit: number;
  pumping: boolean;
  again: boolean;
  connection: ClientConnection;
}

class ClientConnection {
  readonly connection: FramedConnection;
  private paused = false;
  private awaitingDrain = false;
  /** Requests accepted but not started: their answers would not fit the write queue yet. */
  private readonly held: Request[] = [];
  /** Bytes the answers of started requests may still add to the write queue. */
  private reservedBytes = 0;

  outstanding = 0;
  isPeer = false;
  peerId: string | null = null;
  readonly subscriptions = new Map<number, Subscription>();

  constructor(socket: Socket, private readonly server: LogServer) {
    this.connection = new FramedConnection(socket, server.context.limits.frameBytesMax, {
      onFrame: (value) => server.onFrame(this, value),
      onFrameError: (error) => {
        // The stream is unusable after a bad length prefix: say why, then close.
        this.sendSafe({ id: 0, ok: false, error: toWireError(error) });
        if (error.code === 'FRAME_TOO_LARGE') this.connection.end();
      },
      onClose: () => server.onClose(this),
    }, true);
  }

  private get queueBytesMax(): number {
    return this.server.context.limits.connectionQueueBytesMax;
  }

  /**
   * Starts the request once its answer fits: a client that sends requests but does not read
   * the answers must not grow our write queue beyond connectionQueueBytesMax (plus one
   * answer). Pausing the socket is not enough — one TCP chunk can carry hundreds of reads
   * — so what the started requests may still answer is reserved, and the rest wait, in order.
   */
  admit(request: Request): void {
    this.held.push(request);
    this.startHeld();
  }

  /**
   * Takes back a Subscribe still held (its client unsubscribed before it started: the signal
   * does not wait in line, the request does); it is answered as cancelled. Returns whether one was.
   */
  cancelHeldSubscribe(id: number): boolean {
    const index = this.held.findIndex((request) => request.op === 'subscribe' && request.id === id);
    if (index === -1) return false;
    this.held.splice(index, 1);
    this.outstanding -= 1;
    this.sendSafe({ id, ok: false, error: toWireError(new LogError('BAD_REQUEST', 'unsubscribed before the subscription started')) });
    this.startHeld();
    return true;
  }

  private startHeld(): void {
    while (this.held.length > 0 && !this.connection.isClosed) {
      const answerBytes = this.server.answerBytesBound(this.held[0]!);
      const idle = this.reservedBytes === 0 && this.connection.queuedBytes === 0;
      if (!idle && this.connection.queuedBytes + this.reservedBytes + answerBytes > this.queueBytesMax) break;
      const request = this.held.shift()!;
      this.reservedBytes += answerBytes;
      this.server.start(this, request).finally(() => {
        this.reservedBytes -= answerBytes;
        this.startHeld();
      });
    }
    this.updateReading();
  }

  /** Reads requests only while nothing waits for room; wakes the held ones when the queue drains. */
  private updateReading(): void {
    // A closed connection owes nothing more (its queue never drains: waiting would spin).
    if (this.connection.isClosed) {
      this.held.length = 0;
      return;
    }
    const queueFull = this.connection.queuedBytes > this.queueBytesMax;
    const hold = queueFull || this.held.length > 0;
    if (hold && !this.paused) {
      this.paused = true;
      this.connection.socket.pause();
    } else if (!hold && this.paused) {
      this.paused = false;
      this.connection.socket.resume();
    }
    // Held requests blocked by queued bytes alone (nothing reserved) wait for the queue to drain;
    // those blocked by reservations wait for a started request to finish.
    if ((queueFull || (this.held.length > 0 && this.reservedBytes === 0)) && !this.awaitingDrain) {
      this.awaitingDrain = true;
      void this.connection.drained().then(() => {
        this.awaitingDrain = false;
        this.startHeld();
      });
    }
  }

  sendSafe(frame: unknown): void {
    if (this.connection.isClosed) return;
    try {
      this.connection.send(frame);
      this.updateReading();
    } catch (error) {
      if (error instanceof LogError && error.code === 'FRAME_TOO_LARGE' && typeof (frame as { id?: unknown }).id === 'number') {
        this.connection.send({ id: (frame as { id: number }).id, ok: false, error: toWireError(error) });
      } else if (!(error instanceof LogError && error.code === 'CLOSED')) {
        throw error;
      }
    }
  }
}

export class LogServer {
  private readonly server: Server;
  private readonly connections = new Set<ClientConnection>();
  private readonly subscriptionsByLog = new Map<string, Set<Subscription>>();

  constructor(readonly context: LogServerContext, private readonly onRaftMessage: (message: RaftMessage, hints: readonly ChainHint[]) => void) {
    this.server = createServer((socket) => {
      const connection = new ClientConnection(socket, this);
      this.connections.add(connection);
    });
  }

  listen(address: string): Promise<void> {
    const { host, port } = parseAddress(address);
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  close(): Promise<void> {
    for (const connection of this.connections) connection.connection.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A log's committed tail moved: push to its subscribers. */
  logChanged(log: string): void {
    for (const subscription of this.subscriptionsByLog.get(log) ?? []) void this.pump(subscription);
  }

  onClose(connection: ClientConnection): void {
    this.connections.delete(connection);
    for (const subscription of connection.subscriptions.values()) this.removeSubscription(subscription);
  }

  onFrame(connection: ClientConnection, value: unknown): void {
    const frame = value as Record<string, unknown> | null;
    if (frame && typeof frame === 'object' && !('id' in frame)) {
      this.onSignal(connection, frame);
      return;
    }
    const problem = validateRequest(value, this.context.limits.logNameBytesMax);
    const id = frame && typeof frame === 'object' && typeof frame.id === 'number' ? frame.id : 0;
    if (problem) {
      connection.sendSafe({ id, ok: false, error: toWireError(new LogError('BAD_REQUEST', problem)) });
      return;
    }
    const request = value as Request;
    if (connection.outstanding >= this.context.limits.connectionRequestsMax) {
      connection.sendSafe({ id, ok: false, error: toWireError(new LogError('LIMIT_EXCEEDED', 'too many outstanding requests on this connection', { limit: 'connectionRequestsMax' })) });
      return;
    }
    connection.outstanding += 1;
    connection.admit(request);
  }

  /** Most bytes a request's answer can take on the wire (Reads are the large ones). */
  answerBytesBound(request: Request): number {
    return request.op === 'read' ? readAnswerBytesMax(this.context.limits) : 0;
  }

  /** Runs an admitted request and sends its answer; resolves once the answer is queued. */
  start(connection: ClientConnection, request: Request): Promise<void> {
    if (request.op === 'append') return new Promise((resolve) => this.startAppend(connection, request, resolve));
    return this.handle(connection, request).then(
      (result) => this.answer(connection, request, { ok: true, result }),
      (error: unknown) => this.answer(connection, request, { ok: false, error: this.asLogError(error, request.op) }),
    );
  }

  private answer(connection: ClientConnection, request: Request, answer: Answer): void {
    connection.outstanding -= 1;
    if (!answer.ok) {
      connection.sendSafe({ id: request.id, ok: false, error: toWireError(answer.error) });
      return;
    }
    connection.sendSafe({ id: request.id, ok: true, result: answer.result });
    if (request.op === 'subscribe') {
      const subscription = connection.subscriptions.get(request.id);
      if (subscription) void this.pump(subscription);
    }
  }

  /**
   * Appends are answered from the proposal's callback (RaftDriver.proposeThen), in the Ready
   * that commits them, not through promise jobs queued behind the rest of the Ready loop: at
   * one appender that is ≈ 20 µs of every append's latency. Calls answered() once answered.
   */
  private startAppend(connection: ClientConnection, request: AppendRequest, answered: () => void): void {
    const finish = (answer: Answer) => {
      try {
        this.answer(connection, request, answer);
      } finally {
        answered();
      }
    };
    try {
      const driver = this.requireDriver();
      this.checkAppend(driver, request);
      this.proposeAppend(driver, request, finish);
    } catch (error) {
      finish({ ok: false, error: this.asLogError(error, request.op) });
    }
  }

  /** Proposes an append; finish gets its answer once it commits, or why it did not. */
  private proposeAppend(driver: RaftDriver, request: AppendRequest, finish: (answer: Answer) => void): void {
    driver.proposeThen(appendCommand(request), (proposal) => {
      if (!proposal.ok) {
        finish({ ok: false, error: this.withLeaderAddress(driver, proposal.error) });
        return;
      }
      const outcome = proposal.outcome;
      if (outcome.ok && 'lastLsn' in outcome) {
        const result: AppendResult = { firstLsn: outcome.firstLsn, lastLsn: outcome.lastLsn, checksum: outcome.checksum };
        finish({ ok: true, result });
        return;
      }
      if (!outcome.ok && outcome.code === 'LOG_CONFLICT') {
        const what = outcome.tailLsn === request.prevLsn ? `entry ${request.prevLsn} is not the one this append chained on (checksum)` : `tail is ${outcome.tailLsn}, not ${request.prevLsn}`;
        finish({ ok: false, error: new LogError('LOG_CONFLICT', `log ${request.log} ${what}`, { tailLsn: outcome.tailLsn }) });
        return;
      }
      finish({ ok: false, error: new LogError('BAD_REQUEST', !outcome.ok && 'message' in outcome ? outcome.message : 'append refused') });
    });
  }

  /** Throws the typed error an append gets before it is proposed (not the leader, limits). */
  private checkAppend(driver: RaftDriver, request: AppendRequest): void {
    const { limits } = this.context;
    if (!driver.isLeader) throw this.notLeader(driver);
    if (request.payloads.length > limits.batchEntriesMax) {
      throw new LogError('LIMIT_EXCEEDED', `batch of ${request.payloads.length} entries exceeds batchEntriesMax ${limits.batchEntriesMax}`, { limit: 'batchEntriesMax' });
    }
    let bytes = 0;
    for (const payload of request.payloads) {
      if (payload.length > limits.entryBytesMax) {
        throw new LogError('LIMIT_EXCEEDED', `entry of ${payload.length} bytes exceeds entryBytesMax ${limits.entryBytesMax}`, { limit: 'entryBytesMax' });
      }
      bytes += payload.length;
    }
    if (bytes > limits.batchBytesMax) {
      throw new LogError('LIMIT_EXCEEDED', `batch of ${bytes} bytes exceeds batchBytesMax ${limits.batchBytesMax}`, { limit: 'batchBytesMax' });
    }
    if (!driver.hasLog(request.log) && driver.logCount >= limits.logsMax) {
      throw new LogError('LIMIT_EXCEEDED', `more than logsMax ${limits.logsMax} logs`, { limit: 'logsMax' });
    }
  }

  private onSignal(connection: ClientConnection, frame: Record<string, unknown>): void {
    if (frame.op === 'peer-hello') {
      const from = String(frame.from ?? '');
      const ours = this.context.clusterId();
      if (!this.context.addresses.has(from) || from === this.context.nodeId || (ours !== null && frame.clusterId !== ours)) {
        this.context.logger.warn({ from, clusterId: frame.clusterId }, 'refusing a peer of another cluster or an unknown id');
        connection.connection.close();
        return;
      }
      connection.isPeer = true;
      connection.peerId = from;
      connection.connection.setFrameBytesMax(this.context.limits.peerFrameBytesMax);
      return;
    }
    if (frame.op === 'raft') {
      if (!connection.isPeer) return; // not from a greeted peer: ignore
      // The core trusts the shape of what it is given: a malformed message must never reach it.
      const message = checkRaftMessage(frame.message);
      const hints = frame.hints === undefined ? [] : checkChainHints(frame.hints, this.context.limits.chainHintBytesMax);
      if (typeof message === 'string' || typeof hints === 'string') {
        this.context.logger.warn({ peer: connection.peerId, reason: typeof message === 'string' ? message : hints }, 'malformed Raft message from a peer: dropped, closing the link');
        connection.connection.close();
        return;
      }
      if (message.from !== connection.peerId || message.to !== this.context.nodeId) return; // misaddressed: ignore
      this.onRaftMessage(message, hints);
      return;
    }
    if (frame.op === 'credit' && typeof frame.sub === 'number' && typeof frame.entries === 'number') {
      const subscription = connection.subscriptions.get(frame.sub);
      if (!subscription) return;
      subscription.credit = Math.min(subscription.credit + Math.max(0, frame.entries), this.context.limits.subscriptionBufferEntriesMax);
      void this.pump(subscription);
      return;
    }
    if (frame.op === 'unsubscribe' && typeof frame.sub === 'number') {
      const subscription = connection.subscriptions.get(frame.sub);
      if (subscription) this.removeSubscription(subscription);
      else connection.cancelHeldSubscribe(frame.sub);
      return;
    }
    connection.sendSafe({ id: 0, ok: false, error: toWireError(new LogError('BAD_REQUEST', 'unknown frame')) });
  }

  private requireDriver(): RaftDriver {
    const driver = this.context.driver();
    if (!driver) throw new LogError('QUORUM_UNAVAILABLE', 'log node is starting');
    return driver;
  }

  private notLeader(driver: RaftDriver): LogError {
    const leaderId = driver.status().leaderId;
    const leaderAddr = leaderId ? (this.context.addresses.get(leaderId) ?? null) : null;
    return new LogError('NOT_LEADER', leaderId ? `leader is ${leaderId}` : 'no leader known', { leaderId, leaderAddr });
  }

  /** A driver's NOT_LEADER (it knows leader ids only) as the client's redirect: with the address. */
  private withLeaderAddress<E>(driver: RaftDriver, error: E): E | LogError {
    return error instanceof LogError && error.code === 'NOT_LEADER' ? this.notLeader(driver) : error;
  }

  private async handle(connection: ClientConnection, request: Exclude<Request, AppendRequest>): Promise<unknown> {
    const { limits } = this.context;
    switch (request.op) {
      case 'identity': {
        const result: IdentityResult = { nodeId: this.context.nodeId, ...this.context.identity() };
        return result;
      }
      case 'status':
        return this.status();
      case 'trim': {
        const driver = this.requireDriver();
        if (!driver.isLeader) throw this.notLeader(driver);
        const outcome = await driver.propose({ t: 'trim', log: request.log, beforeLsn: request.beforeLsn });
        if (outcome.ok && 'firstLsn' in outcome && !('lastLsn' in outcome)) return { firstLsn: outcome.firstLsn };
        if (!outcome.ok && outcome.code === 'LOG_TRIM_REFUSED') {
          throw new LogError('LOG_TRIM_REFUSED', `trim before ${request.beforeLsn} is above the snapshot marker ${outcome.snapshotLsn}`, {
            snapshotLsn: outcome.snapshotLsn,
            tailLsn: outcome.tailLsn,
          });
        }
        throw new LogError('BAD_REQUEST', 'trim refused');
      }
      case 'mark-snapshot': {
        const driver = this.requireDriver();
        if (!driver.isLeader) throw this.notLeader(driver);
        if (request.info.length > limits.snapshotInfoBytesMax) {
          throw new LogError('LIMIT_EXCEEDED', `snapshot info of ${request.info.length} bytes exceeds snapshotInfoBytesMax ${limits.snapshotInfoBytesMax}`, { limit: 'snapshotInfoBytesMax' });
        }
        const outcome = await driver.propose({ t: 'mark-snapshot', log: request.log, snapshotLsn: request.snapshotLsn, info: request.info });
        if (outcome.ok && 'snapshotLsn' in outcome) return { snapshotLsn: outcome.snapshotLsn };
        throw new LogError('BAD_REQUEST', !outcome.ok && 'message' in outcome ? outcome.message : 'mark-snapshot refused');
      }
      case 'read': {
        const driver = this.requireDriver();
        if (request.leader) await this.leaderRead(driver);
        const entriesMax = Math.min(request.entriesMax ?? limits.readEntriesMax, limits.readEntriesMax);
        const bytesMax = Math.min(request.bytesMax ?? limits.readBytesMax, limits.readBytesMax);
        const { entries, meta } = await driver.read(request.log, request.fromLsn, Math.max(1, entriesMax), Math.max(1, bytesMax));
        const result: ReadResult = { entries, firstLsn: meta.firstLsn, tailLsn: meta.tailLsn };
        return result;
      }
      case 'tail': {
        const driver = this.requireDriver();
        if (request.leader) await this.leaderRead(driver);
        const meta = driver.logMeta(request.log);
        const result: TailResult = meta
          ? { firstLsn: meta.firstLsn, tailLsn: meta.tailLsn, checksum: meta.checksum, snapshotLsn: meta.snapshotLsn, snapshotInfo: meta.snapshotInfo ?? null }
          : { firstLsn: 1, tailLsn: 0, checksum: new Uint8Array(16), snapshotLsn: 0, snapshotInfo: null };
        return result;
      }
      case 'subscribe': {
        const driver = this.requireDriver();
        const meta = driver.logMeta(request.log);
        const firstLsn = meta?.firstLsn ?? 1;
        if (request.fromLsn < firstLsn) throw new LogError('LOG_TRIMMED', `log ${request.log} is trimmed below ${firstLsn}`, { firstLsn });
        if (connection.subscriptions.has(request.id)) throw new LogError('BAD_REQUEST', 'subscription id in use');
        if (connection.subscriptions.size >= limits.connectionRequestsMax) {
          throw new LogError('LIMIT_EXCEEDED', 'too many subscriptions on this connection', { limit: 'connectionRequestsMax' });
        }
        const subscription: Subscription = {
          id: request.id, log: request.log, nextLsn: Math.max(1, request.fromLsn),
          credit: Math.min(request.credit, limits.subscriptionBufferEntriesMax), pumping: false, again: false, connection,
        };
        connection.subscriptions.set(request.id, subscription);
        let set = this.subscriptionsByLog.get(request.log);
        if (!set) this.subscriptionsByLog.set(request.log, (set = new Set()));
        set.add(subscription);
        return { firstLsn, tailLsn: meta?.tailLsn ?? 0 };
      }
    }
  }

  /** For reads that must reflect everything committed so far: only the leader answers. */
  private async leaderRead(driver: RaftDriver): Promise<void> {
    if (!driver.isLeader) throw this.notLeader(driver);
    await driver.readBarrier().catch((error: unknown) => {
      throw this.withLeaderAddress(driver, error);
    });
  }

  status(): NodeStatus {
    const driver = this.context.driver();
    const logs: NodeStatus['logs'] = {};
    const peers: NodeStatus['peers'] = {};
    if (!driver) {
      return { id: this.context.nodeId, role: 'follower', campaignPhase: null, term: 0, leaderId: null, commitIndex: 0, appliedIndex: 0, votingEnabled: false, clusterId: this.context.clusterId(), logs, peers };
    }
    const status = driver.status();
    for (const [name, meta] of driver.logMetas()) logs[name] = { firstLsn: meta.firstLsn, tailLsn: meta.tailLsn };
    for (const [id, progress] of Object.entries(status.progress)) {
      peers[id] = { matchIndex: progress.matchIndex, lag: Math.max(0, status.lastIndex - progress.matchIndex) };
    }
    // A follower shows the leader's view from its latest heartbeat (the leader itself included).
    const report = status.leaderReport;
    if (report !== null) {
      for (const [id, matchIndex] of Object.entries(report.matchIndexes)) {
        if (id !== status.id && this.context.addresses.has(id)) peers[id] = { matchIndex, lag: Math.max(0, report.leaderLastIndex - matchIndex) };
      }
    }
    return {
      id: status.id, role: status.role, campaignPhase: status.campaignPhase, term: status.term, leaderId: status.leaderId, commitIndex: status.commitIndex,
      appliedIndex: status.appliedIndex, votingEnabled: status.votingEnabled, clusterId: this.context.clusterId(), logs, peers,
    };
  }

  /** An expected failure as it is; anything else is logged and answered as QUORUM_UNAVAILABLE. */
  private asLogError(error: unknown, op: string): LogError {
    if (error instanceof LogError) return error;
    this.context.logger.error({ err: error, op }, 'request failed unexpectedly');
    return new LogError('QUORUM_UNAVAILABLE', String((error as Error)?.message ?? error));
  }

  private removeSubscription(subscription: Subscription): void {
    subscription.connection.subscriptions.delete(subscription.id);
    const set = this.subscriptionsByLog.get(subscription.log);
    set?.delete(subscription);
    if (set && set.size === 0) this.subscriptionsByLog.delete(subscription.log);
  }

  /** Sends committed entries while the subscriber has credit and the socket keeps up. */
  private async pump(subscription: Subscription): Promise<void> {
    if (subscription.pumping) {
      subscription.again = true;
      return;
    }
    subscription.pumping = true;
    const { connection } = subscription.connection;
    const { limits } = this.context;
    try {
      do {
        subscription.again = false;
        for (;;) {
          const driver = this.context.driver();
          if (!driver || connection.isClosed || !subscription.connection.subscriptions.has(subscription.id)) return;
          const meta = driver.logMeta(subscription.log);
          if (subscription.credit <= 0 || !meta || subscription.nextLsn > meta.tailLsn) break;
          if (connection.queuedBytes >= limits.connectionQueueBytesMax) {
            await connection.drained();
            continue;
          }
          let entries: LogEntry[];
          try {
            ({ entries } = await driver.read(subscription.log, subscription.nextLsn, Math.min(subscription.credit, limits.readEntriesMax), limits.readBytesMax));
          } catch (error) {
            // The subscription ends with the error (a corrupt stored record included); the node goes on.
            const push: Push = { push: subscription.id, error: toWireError(this.asLogError(error, 'subscribe')) };
            subscription.connection.sendSafe(push);
            this.removeSubscription(subscription);
            return;
          }
          if (entries.length === 0) break;
          const push: Push = { push: subscription.id, entries };
          subscription.connection.sendSafe(push);
          subscription.nextLsn = entries[entries.length - 1]!.lsn + 1;
          subscription.credit -= entries.length;
        }
      } while (subscription.again);
    } finally {
      subscription.pumping = false;
    }
  }
}

/** The log command an append request proposes. */
function appendCommand(request: AppendRequest): LogCommand {
  const command: Extract<LogCommand, { t: 'append' }> = {
    t: 'append', log: request.log, prevLsn: request.prevLsn, writerId: request.writerId, batchSeq: request.batchSeq, payloads: request.payloads,
  };
  // Assigned, not spread in: the same fields in the same order, without two throwaway objects.
  if (request.snapshotLsn !== undefined) command.snapshotLsn = request.snapshotLsn;
  if (request.prevChecksum !== undefined) command.prevChecksum = request.prevChecksum;
  return command;
}
