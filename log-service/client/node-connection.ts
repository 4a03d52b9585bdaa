// One multiplexed connection from a client to one log node: requests carry ids and resolve
// with the matching response; pushes (subscriptions) are routed by id. A lost connection
// fails every outstanding request with CLOSED (the caller decides whether to retry).
//
// Timeouts: each request has a deadline, and one timer, armed for the earliest, sweeps them.
// A timer per request cost a setTimeout and a clearTimeout on the path of every append (µs
// each, on a cold cache). With constant timeouts the deadlines only grow, so the sweep timer
// is re-armed when it fires; only a request due sooner than it (a retry's shorter timeout)
// re-arms it earlier.

import { connect } from 'node:net';
import { fromWireError, LogError, type WireError } from '../errors.js';
import { FramedConnection } from '../wire/connection.js';
import { parseAddress } from '../node/address.js';

interface Outstanding {
  resolve(result: unknown): void;
  reject(error: LogError): void;
  /** performance.now() past which it fails with TIMEOUT. */
  deadlineMs: number;
  timeoutMs: number;
}

export type PushHandler = (push: { entries?: unknown[]; error?: WireError }) => void;

export class NodeConnection {
  private connection: FramedConnection | null = null;
  private connecting: Promise<FramedConnection> | null = null;
  private readonly outstanding = new Map<number, Outstanding>();
  private readonly pushHandlers = new Map<number, PushHandler>();
  private readonly closeHandlers = new Set<() => void>();
  private nextId = 1;
  private closed = false;
  /** The timer that fails requests past their deadline, and when it fires (see the top). */
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepAtMs = Infinity;

  constructor(readonly address: string, private readonly frameBytesMax: number, private readonly connectTimeoutMs: number) {}

  /** Sends a request (body gets its id); rejects with the node's typed error, CLOSED, or TIMEOUT. */
  request<T>(body: Record<string, unknown>, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    // Connected (the usual case): sent now, not after a promise job.
    const connection = this.connection;
    if (!this.closed && connection !== null && !connection.isClosed) return this.send<T>(connection, id, body, timeoutMs);
    return this.open().then((opened) => this.send<T>(opened, id, body, timeoutMs));
  }

  /** Allocates a request id whose pushes go to handler (for Subscribe). */
  reservePushId(handler: PushHandler): number {
    const id = this.nextId++;
    this.pushHandlers.set(id, handler);
    return id;
  }

  releasePushId(id: number): void {
    this.pushHandlers.delete(id);
  }

  /** Sends a subscribe request under a reserved id. */
  async requestWithId<T>(id: number, body: Record<string, unknown>, timeoutMs: number): Promise<T> {
    return this.send<T>(await this.open(), id, body, timeoutMs);
  }

  private send<T>(connection: FramedConnection, id: number, body: Record<string, unknown>, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadlineMs = performance.now() + timeoutMs;
      this.outstanding.set(id, { resolve: resolve as (result: unknown) => void, reject, deadlineMs, timeoutMs });
      if (deadlineMs < this.sweepAtMs) this.armSweep(deadlineMs);
      try {
        // The id goes into the caller's body rather than a copy of it (one object less per
        // request). A body sent again (a retry) just gets its new id; it is encoded right here.
        body.id = id;
        connection.send(body);
      } catch (error) {
        this.outstanding.delete(id);
        reject(error instanceof LogError ? error : new LogError('CLOSED', String(error)));
      }
    });
  }

  /**
   * Fires at atMs. Unreferenced: it must not keep a process alive, and while requests wait,
   * their open socket does.
   */
  private armSweep(atMs: number): void {
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.sweepAtMs = atMs;
    this.sweepTimer = setTimeout(() => this.sweepTimeouts(), Math.max(0, atMs - performance.now()));
    this.sweepTimer.unref();
  }

  private sweepTimeouts(): void {
    this.sweepTimer = null;
    this.sweepAtMs = Infinity;
    const nowMs = performance.now();
    let nextMs = Infinity;
    for (const [id, waiting] of this.outstanding) {
      if (waiting.deadlineMs > nowMs) {
        nextMs = Math.min(nextMs, waiting.deadlineMs);
        continue;
      }
      this.outstanding.delete(id);
      waiting.reject(new LogError('TIMEOUT', `no answer from ${this.address} within ${waiting.timeoutMs} ms`, { address: this.address }));
    }
    if (nextMs !== Infinity) this.armSweep(nextMs);
  }

  signal(body: Record<string, unknown>): void {
    if (this.connection && !this.connection.isClosed) this.connection.send(body);
  }

  onClose(handler: () => void): () => void {
    this.closeHandlers.add(handler);
    return () => this.closeHandlers.delete(handler);
  }

  get isOpen(): boolean {
    return this.connection !== null && !this.connection.isClosed;
  }

  close(): void {
    this.closed = true;
    this.connection?.close();
    this.failAll(new LogError('CLOSED', 'client closed'));
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    this.sweepAtMs = Infinity;
  }

  private open(): Promise<FramedConnection> {
    if (this.closed) return Promise.reject(new LogError('CLOSED', 'client closed'));
    if (this.connection && !this.connection.isClosed) return Promise.resolve(this.connection);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<FramedConnection>((resolve, reject) => {
      let address: { host: string; port: number };
      try {
        address = parseAddress(this.address);
      } catch (error) {
        this.connecting = null;
        reject(error);
        return;
      }
      const socket = connect(address);
      const timer = setTimeout(() => socket.destroy(), this.connectTimeoutMs);
      let established = false;
      const connection = new FramedConnection(socket, this.frameBytesMax, {
        onFrame: (value) => this.onFrame(value),
        onFrameError: (error) => {
          this.failAll(error);
          connection.close();
        },
        onClose: () => {
          clearTimeout(timer);
          if (this.connection === connection) this.connection = null;
          if (!established) {
            this.connecting = null;
            reject(new LogError('CLOSED', `cannot connect to ${this.address}`, { address: this.address }));
            return;
          }
          this.failAll(new LogError('CLOSED', `connection to ${this.address} lost`, { address: this.address }));
          for (const handler of [...this.closeHandlers]) handler();
        },
      }, true);
      socket.once('connect', () => {
        clearTimeout(timer);
        established = true;
        this.connection = connection;
        this.connecting = null;
        resolve(connection);
      });
    });
    return this.connecting;
  }

  private onFrame(value: unknown): void {
    const frame = value as Record<string, unknown> | null;
    if (!frame || typeof frame !== 'object') return;
    if (typeof frame.push === 'number') {
      this.pushHandlers.get(frame.push)?.(frame as { entries?: unknown[]; error?: WireError });
      return;
    }
    if (typeof frame.id !== 'number') return;
    const waiting = this.outstanding.get(frame.id);
    if (!waiting) return;
    this.outstanding.delete(frame.id);
    if (frame.ok === true) waiting.resolve(frame.result);
    else waiting.reject(fromWireError(frame.error));
  }

  private failAll(error: LogError): void {
    for (const [id, waiting] of this.outstanding) {
      this.outstanding.delete(id);
      waiting.reject(error);
    }
  }
}
