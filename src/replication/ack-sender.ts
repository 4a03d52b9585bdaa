// A replica tells the primary what it applied, over the primary's own RESP port, as Redis
// replicas do: `REPLCONF ACK <lsn> NODE-ID <id> ADDRESS <host:port>`. Replies are switched
// off. Sent at most every ackIntervalMs while applying, and as a heartbeat when idle.
import net from 'node:net';
import type { Logger } from 'pino';

export interface AckTarget {
  readonly primary: { nodeId: string; addr: string } | null;
  readonly appliedLsn: number;
  readonly advertisedAddress: string;
  readonly options: { nodeId: string };
}

const ACK_INTERVAL_MS = 50;
const HEARTBEAT_MS = 1_000;

function encode(argv: string[]): string {
  return `*${argv.length}\r\n${argv.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

export class AckSender {
  private socket: net.Socket | null = null;
  private socketAddr = '';
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly node: AckTarget, private readonly logger: Logger) {
    this.heartbeat = setInterval(() => this.send(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  noteApplied(_lsn: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.send();
    }, ACK_INTERVAL_MS);
  }

  private send(): void {
    const primary = this.node.primary;
    if (this.stopped || !primary || primary.nodeId === this.node.options.nodeId) return;
    if (!this.socket || this.socketAddr !== primary.addr || this.socket.destroyed) this.connect(primary.addr);
    this.socket!.write(encode(['REPLCONF', 'ACK', String(this.node.appliedLsn), 'NODE-ID', this.node.options.nodeId, 'ADDRESS', this.node.advertisedAddress]));
  }

  private connect(addr: string): void {
    this.socket?.destroy();
    const separator = addr.lastIndexOf(':');
    const socket = net.connect(Number(addr.slice(separator + 1)), addr.slice(0, separator));
    socket.on('error', (error) => this.logger.debug({ err: error.message, primary: addr }, 'ack connection to primary failed'));
    socket.on('data', () => { /* replies are off; ignore anything else */ });
    socket.write(encode(['CLIENT', 'REPLY', 'OFF']));
    this.socket = socket;
    this.socketAddr = addr;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.socket?.destroy();
  }
}
