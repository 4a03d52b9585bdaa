// One multiplexed connection from a client to one log node: requests carry ids and resolve
// with the matching response; pushes (subscriptions) are routed by id. A lost connection
// fails every outstanding request with CLOSED (the caller decides whether to retry).

import { connect } from 'node:net';
import { fromWireError, LogError, type WireError } from '../errors.js';
import { FramedConnection } from '../wire/connection.js';
import { parseAddress } from '../node/address.js';

interface Outstanding {
  resolve(result: unknown): void;
  reject(error: LogError): void;
  timer: NodeJS.Timeout;
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

  constructor(readonly address: string, private readonly frameBytesMax: number, private readonly connectTimeoutMs: number) {}

  /** Sends a request; rejects with the node's typed error, CLOSED, or TIMEOUT. */
  async request<T>(body: Record<string, unknown>, timeoutMs: number): Promise<T> {
    const connection = await this.open();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.outstanding.delete(id);
        reject(new LogError('TIMEOUT', `no answer from ${this.address} within ${timeoutMs} ms`, { address: this.address }));
      }, timeoutMs);
      this.outstanding.set(id, { resolve: resolve as (result: unknown) => void, reject, timer });
      try {
        connection.send({ ...body, id });
      } catch (error) {
        clearTimeout(timer);
        this.outstanding.delete(id);
        reject(error instanceof LogError ? error : new LogError('CLOSED', String(error)));
      }
    });
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
    const connection = await this.open();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.outstanding.delete(id);
        reject(new LogError('TIMEOUT', `no answer from ${this.address} within ${timeoutMs} ms`, { address: this.address }));
      }, timeoutMs);
      this.outstanding.set(id, { resolve: resolve as (result: unknown) => void, reject, timer });
      connection.send({ ...body, id });
    });
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
    clearTimeout(waiting.timer);
    if (frame.ok === true) waiting.resolve(frame.result);
    else waiting.reject(fromWireError(frame.error));
  }

  private failAll(error: LogError): void {
    for (const [id, waiting] of this.outstanding) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      this.outstanding.delete(id);
    }
  }
}
