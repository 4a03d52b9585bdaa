// Outbound links to the other log nodes. Each link sends PeerHello and then one-way Raft
// frames; answers come back over the peer's own link to us. Messages to a peer that is not
// connected, or whose queue is full, are dropped: Raft resends what matters.
//
// A successful connect does not prove the peer is there: a TCP proxy between the nodes (the
// jepsen-style harness puts one on every link) accepts at once and closes only when it
// cannot reach the node behind it. So the reconnect backoff starts again from its minimum
// only after a link has stayed open for reconnectBackoffMaxMs; a link that closes sooner
// keeps backing off, as a refused connect does.

import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { RaftMessage } from '../raft/types.js';
import { FramedConnection } from '../wire/connection.js';
import type { PeerHello, RaftFrame, WireChainHint } from '../wire/protocol.js';
import { parseAddress } from './address.js';

export interface PeerTransportOptions {
  selfId: string;
  clusterId: string;
  peers: Map<string, string>; // id -> host:port (excluding self)
  peerFrameBytesMax: number;
  peerQueueBytesMax: number;
  reconnectBackoffMinMs: number;
  reconnectBackoffMaxMs: number;
  logger: Logger;
}

class PeerLink {
  private connection: FramedConnection | null = null;
  private connecting = false;
  private backoffMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  /** When the current connection's connect succeeded (null while not connected). */
  private connectedAtMs: number | null = null;
  private closed = false;
  droppedMessages = 0;

  constructor(private readonly id: string, private readonly address: string, private readonly options: PeerTransportOptions) {
    this.backoffMs = options.reconnectBackoffMinMs;
    this.connect();
  }

  send(message: RaftMessage, hints?: WireChainHint[]): void {
    const connection = this.connection;
    if (!connection || connection.isClosed || connection.queuedBytes > this.options.peerQueueBytesMax) {
      this.droppedMessages += 1;
      return;
    }
    const frame: RaftFrame = hints === undefined ? { op: 'raft', message } : { op: 'raft', message, hints };
    try {
      connection.send(frame, this.options.peerFrameBytesMax);
    } catch (error) {
      this.droppedMessages += 1;
      this.options.logger.error({ err: error, peer: this.id, type: message.type }, 'could not send a Raft message');
    }
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.connection?.close();
  }

  private connect(): void {
    if (this.closed || this.connecting) return;
    this.connecting = true;
    const { host, port } = parseAddress(this.address);
    const socket: Socket = connect({ host, port });
    const connection = new FramedConnection(socket, this.options.peerFrameBytesMax, {
      onFrame: () => undefined, // the peer answers over its own link, never this one
      onFrameError: () => connection.close(),
      onClose: () => {
        this.connecting = false;
        if (this.connection === connection) this.connection = null;
        if (this.connectedAtMs !== null && performance.now() - this.connectedAtMs >= this.options.reconnectBackoffMaxMs) {
          this.backoffMs = this.options.reconnectBackoffMinMs;
        }
        this.connectedAtMs = null;
        this.scheduleReconnect();
      },
    });
    socket.once('connect', () => {
      this.connecting = false;
      this.connectedAtMs = performance.now();
      const hello: PeerHello = { op: 'peer-hello', from: this.options.selfId, clusterId: this.options.clusterId };
      connection.send(hello);
      this.connection = connection;
      this.options.logger.debug({ peer: this.id }, 'peer link up');
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.reconnectBackoffMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }
}

export class PeerTransport {
  private readonly links = new Map<string, PeerLink>();

  constructor(options: PeerTransportOptions) {
    for (const [id, address] of options.peers) this.links.set(id, new PeerLink(id, address, options));
  }

  send(message: RaftMessage, hints?: WireChainHint[]): void {
    this.links.get(message.to)?.send(message, hints);
  }

  close(): void {
    for (const link of this.links.values()) link.close();
  }
}
