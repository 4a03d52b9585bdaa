// One client connection: bytes in → commands → replies out, in command order.
// A reply may have to wait for the commit of the effects it depends on (`waitLsn`); replies
// behind it wait too, so each connection sees replies in the order it sent commands.
import type { Socket } from 'node:net';
import { RequestReader } from '../resp/request-reader.js';
import type { RequestLimits } from '../resp/request-reader.js';
import { encodeReply, type ProtocolVersion } from '../resp/encoder.js';
import type { Reply } from '../resp/reply.js';
import type { ClientState, QueuedCommand } from '../commands/client-state.js';
import type { BlockRequest } from '../commands/spec.js';

export interface ConnectionHost {
  readonly committedLsn: number;
  /** Runs one command for this connection. */
  executeCommand(connection: Connection, argv: string[]): void;
  /** The connection now holds a reply waiting for a commit (it wants commitAdvanced calls). */
  waitingForCommit(connection: Connection): void;
  /** The connection is gone: drop subscriptions, blocked state, watches. */
  connectionClosed(connection: Connection): void;
  outputLimitBytes(connection: Connection): number;
}

export interface BlockedState {
  argv: string[];
  request: BlockRequest;
  timer: NodeJS.Timeout | null;
}

interface PendingReply {
  text: string;
  waitLsn: number;
}

/** A WAITAOF waiting for `lsn` to commit (see whenCommitted). */
interface CommitWaiter {
  lsn: number;
  resolve: (committed: boolean) => void;
  timer: NodeJS.Timeout | null;
}

// Connections with output to write at the end of this turn: one setImmediate for all of them
// (a commit releases the replies of many connections at once), one socket write for each.
const flushQueue: Connection[] = [];
let flushQueued = false;

function flushQueuedConnections(): void {
  flushQueued = false;
  const connections = flushQueue.splice(0);
  for (const connection of connections) connection.flushScheduledNow();
}

export class Connection implements ClientState {
  // ClientState
  name = '';
  dbIndex = 0;
  protocol: ProtocolVersion = 2;
  authenticated: boolean;
  multi: QueuedCommand[] | null = null;
  multiFailed = false;
  watched = new Map<string, { db: number; key: string; existed: boolean }>();
  watchDirty = false;

  // Server-side state
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly createdAtMs = Date.now();
  lastCommandAtMs = Date.now();
  lastCommandName = 'NULL';
  replyMode: 'on' | 'off' = 'on';
  /** Replies still to drop for CLIENT REPLY SKIP (its own and the next command's). */
  skipReplies = 0;
  noEvict = false;
  monitor = false;
  blocked: BlockedState | null = null;
  /** LSN of this connection's last write (WAIT counts replicas that applied it). */
  lastWriteLsn = 0;
  closed = false;

  private readonly reader: RequestReader;
  /** Commands that arrived while the connection was blocked (Redis stops reading then). */
  private backlog: string[][] = [];
  private readonly pending: PendingReply[] = [];
  private commitWaiters: CommitWaiter[] = [];
  private output = '';
  private flushScheduled = false;
  private closeAfterFlush = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly host: ConnectionHost,
    limits: RequestLimits,
    passwordRequired: boolean,
  ) {
    this.authenticated = !passwordRequired;
    this.reader = new RequestReader(limits, {
      command: (argv) => this.onCommand(argv),
      protocolError: (message) => {
        this.writeNow(`-ERR ${message}\r\n`);
        this.close(true);
      },
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.reader.feed(chunk);
      this.flush();
    });
    socket.on('error', () => this.close(false));
    socket.on('close', () => this.close(false));
  }

  get address(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  get localAddress(): string {
    return `${this.socket.localAddress}:${this.socket.localPort}`;
  }

  get queryBufferBytes(): number {
    return this.reader.pendingBytes;
  }

  get outputBytes(): number {
    return this.output.length + this.socket.writableLength + this.pending.reduce((sum, reply) => sum + reply.text.length, 0);
  }

  subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  private onCommand(argv: string[]): void {
    if (this.closed || this.closeAfterFlush) return;
    if (this.blocked !== null || this.backlog.length > 0) {
      this.backlog.push(argv);
      return;
    }
    this.lastCommandAtMs = Date.now();
    this.host.executeCommand(this, argv);
  }

  /** Runs commands that queued up while blocked, until blocked again or done. */
  resume(): void {
    while (this.backlog.length > 0 && this.blocked === null && !this.closed && !this.closeAfterFlush) {
      const argv = this.backlog.shift()!;
      this.lastCommandAtMs = Date.now();
      this.host.executeCommand(this, argv);
    }
    this.scheduleFlush();
  }

  /** Queues a reply that may leave once `waitLsn` is committed (0 = at once). */
  reply(reply: Reply, waitLsn = 0): void {
    if (this.replyMode === 'off') return;
    if (this.skipReplies > 0) {
      this.skipReplies--;
      return;
    }
    this.replyText(encodeReply(reply, this.protocol), waitLsn);
  }

  replyText(text: string, waitLsn = 0): void {
    if (this.closed) return;
    if (this.pending.length === 0 && waitLsn <= this.host.committedLsn) {
      this.output += text;
    } else {
      if (this.pending.length === 0) this.host.waitingForCommit(this);
      this.pending.push({ text, waitLsn });
    }
  }

  /** Out-of-band data (pub/sub messages, MONITOR lines): not ordered behind waiting replies. */
  push(text: string): void {
    if (this.closed) return;
    this.output += text;
    this.scheduleFlush();
  }

  /** The commit LSN advanced: release the replies it unblocks. */
  commitAdvanced(committedLsn: number): void {
    let released = 0;
    while (released < this.pending.length && this.pending[released]!.waitLsn <= committedLsn) {
      this.output += this.pending[released]!.text;
      released++;
    }
    if (released > 0) {
      this.pending.splice(0, released);
      this.scheduleFlush();
    }
    if (this.commitWaiters.length > 0) this.settleCommitWaiters((waiter) => waiter.lsn <= committedLsn, true);
  }

  /**
   * Resolves true once `lsn` is committed; false when `timeoutMs` (> 0) passes first, when the
   * commit fails (failPending: its outcome is unknown) or when the connection closes. While a
   * waiter is out the connection counts as waiting for commits, so commitAdvanced keeps coming
   * even with no reply held (CLIENT REPLY OFF/SKIP).
   */
  whenCommitted(lsn: number, timeoutMs: number): Promise<boolean> {
    if (lsn <= this.host.committedLsn) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: CommitWaiter = { lsn, resolve, timer: null };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => this.settleCommitWaiters((candidate) => candidate === waiter, lsn <= this.host.committedLsn), timeoutMs);
      }
      this.commitWaiters.push(waiter);
      this.host.waitingForCommit(this);
    });
  }

  private settleCommitWaiters(settles: (waiter: CommitWaiter) => boolean, committed: boolean): void {
    const remaining: CommitWaiter[] = [];
    for (const waiter of this.commitWaiters) {
      if (!settles(waiter)) {
        remaining.push(waiter);
        continue;
      }
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve(committed);
    }
    this.commitWaiters = remaining;
  }

  /**
   * Fails the replies that wait for an LSN that is not committed (their outcome is unknown);
   * replies queued behind them that depend on nothing uncommitted still leave, in order.
   */
  failPending(errorText: string): void {
    const committedLsn = this.host.committedLsn;
    for (const reply of this.pending) this.output += reply.waitLsn > committedLsn ? errorText : reply.text;
    this.pending.length = 0;
    this.settleCommitWaiters(() => true, false);
    this.scheduleFlush();
  }

  /** Replies held for a commit, and WAITAOFs waiting for one (the server drops us from its commit visits at 0). */
  get waitingReplies(): number {
    return this.pending.length + this.commitWaiters.length;
  }

  scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    flushQueue.push(this);
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flushQueuedConnections);
    }
  }

  /** The end-of-turn flush that scheduleFlush asked for. */
  flushScheduledNow(): void {
    this.flushScheduled = false;
    this.flush();
  }

  flush(): void {
    if (this.closed) return;
    if (this.output.length > 0) {
      const text = this.output;
      this.output = '';
      this.socket.write(text, 'latin1');
      const limit = this.host.outputLimitBytes(this);
      if (limit > 0 && this.socket.writableLength > limit && !this.noEvict) {
        this.close(false);
        return;
      }
    }
    if (this.closeAfterFlush && this.pending.length === 0) this.close(true);
  }

  private writeNow(text: string): void {
    this.output += text;
    this.flush();
  }

  /** Closes after the replies already queued have been written (QUIT). */
  closeAfterReplies(): void {
    this.closeAfterFlush = true;
    this.scheduleFlush();
  }

  close(graceful: boolean): void {
    if (this.closed) return;
    if (graceful && this.output.length > 0) {
      this.socket.write(this.output, 'latin1');
      this.output = '';
    }
    this.closed = true;
    this.settleCommitWaiters(() => true, false);
    if (graceful) this.socket.end();
    else this.socket.destroy();
    this.host.connectionClosed(this);
  }
}
