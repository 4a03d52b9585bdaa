// A client subscription: committed entries pushed by a log node, delivered in order to the
// handler, with credit-based flow control (credit returns only after the handler settles).
// On a lost node it resubscribes — preferring the configured node, else any — from the last
// delivered LSN + 1, dropping any entry it already delivered.

import { fromWireError, LogError } from '../errors.js';
import type { LogEntry } from '../state/types.js';
import type { LogClient } from './log-client.js';
import type { NodeConnection } from './node-connection.js';

export interface SubscriptionOptions {
  /** Subscribe at this node (host:port), e.g. the log node in the same AZ. */
  node?: string;
  /** Called once when the subscription ends for good (LOG_TRIMMED, client closed). */
  onError?: (error: LogError) => void;
}

export class LogSubscription {
  /** The LSN of the last entry handed to the handler. */
  lastDeliveredLsn: number;
  private closed = false;
  private connection: NodeConnection | null = null;
  private pushId = 0;
  private unlistenClose: (() => void) | null = null;
  private queue: LogEntry[][] = [];
  private delivering = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private nodeIndex = 0;

  constructor(
    private readonly client: LogClient,
    readonly log: string,
    fromLsn: number,
    private readonly onEntries: (entries: LogEntry[]) => void | Promise<void>,
    private readonly options: SubscriptionOptions,
    private readonly onEnd: () => void,
  ) {
    this.lastDeliveredLsn = Math.max(0, fromLsn - 1);
  }

  start(): void {
    void this.connect();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.detach(true);
    this.onEnd();
  }

  private pickAddress(): string {
    const nodes = this.client.options.nodes;
    if (this.options.node && this.attempt % 2 === 0) return this.options.node;
    const address = nodes[this.nodeIndex % nodes.length]!;
    this.nodeIndex += 1;
    return address;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const address = this.pickAddress();
    const connection = this.client.connection(address);
    const pushId = connection.reservePushId((push) => this.onPush(pushId, push));
    this.connection = connection;
    this.pushId = pushId;
    this.unlistenClose = connection.onClose(() => this.reconnect());
    try {
      await connection.requestWithId(
        pushId,
        { op: 'subscribe', log: this.log, fromLsn: this.lastDeliveredLsn + 1, credit: this.client.limits.subscriptionBufferEntriesMax },
        this.client.timings.requestTimeoutMs,
      );
      this.attempt = 0;
    } catch (error) {
      if (error instanceof LogError && error.code === 'LOG_TRIMMED') {
        this.fail(error);
        return;
      }
      this.reconnect();
    }
  }

  private onPush(pushId: number, push: { entries?: unknown[]; error?: unknown }): void {
    if (this.closed || pushId !== this.pushId) return;
    if (push.error) {
      const error = fromWireError(push.error);
      if (error.code === 'LOG_TRIMMED') this.fail(error);
      else this.reconnect();
      return;
    }
    this.queue.push((push.entries ?? []) as LogEntry[]);
    void this.deliver();
  }

  private async deliver(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const received = this.queue.shift()!;
        const fresh = received.filter((entry) => entry.lsn > this.lastDeliveredLsn);
        if (fresh.length > 0) {
          if (fresh[0]!.lsn !== this.lastDeliveredLsn + 1) {
            // A gap means the stream is not what we asked for: start over from what we have.
            this.reconnect();
            return;
          }
          try {
            await this.onEntries(fresh);
          } catch (error) {
            this.fail(error instanceof LogError ? error : new LogError('BAD_REQUEST', `subscription handler failed: ${(error as Error).message}`));
            return;
          }
          this.lastDeliveredLsn = fresh[fresh.length - 1]!.lsn;
        }
        const connection = this.connection;
        if (connection && !this.closed) connection.signal({ op: 'credit', sub: this.pushId, entries: received.length });
      }
    } finally {
      this.delivering = false;
    }
  }

  private detach(unsubscribe: boolean): void {
    if (this.unlistenClose) this.unlistenClose();
    this.unlistenClose = null;
    if (this.connection) {
      if (unsubscribe) this.connection.signal({ op: 'unsubscribe', sub: this.pushId });
      this.connection.releasePushId(this.pushId);
    }
    this.connection = null;
    this.pushId = 0;
    this.queue = [];
  }

  private reconnect(): void {
    if (this.closed || this.retryTimer) return;
    this.detach(true);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, this.client.backoffMs(this.attempt));
  }

  private fail(error: LogError): void {
    if (this.closed) return;
    this.options.onError?.(error);
    this.close();
  }
}
