// A small RESP2 client for the supervisor's own questions to db nodes (INFO replication, ROLE,
// FAILOVER). One connection, requests answered in order, every request bounded by a timeout;
// a timeout or a closed socket fails every request in flight and the next call reconnects.
import net from 'node:net';
import RedisParser from 'redis-parser';

export type RespValue = string | number | null | RespValue[] | RespErrorReply;

/** An error reply (`-ERR …`) from the server: an answer, not a transport failure. */
export class RespErrorReply {
  constructor(readonly message: string) {}
}

/** The node did not answer (refused, closed, timed out). Code: NODE_UNREACHABLE. */
export class NodeUnreachableError extends Error {
  readonly code = 'NODE_UNREACHABLE';
  /** The node closed an established connection (as opposed to refusing, or not answering). */
  constructor(message: string, readonly closedByPeer = false) {
    super(message);
  }
}

interface Pending {
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export function encodeCommand(argv: string[]): Buffer {
  const parts = [`*${argv.length}\r\n`];
  for (const arg of argv) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

export class RespClient {
  private socket: net.Socket | null = null;
  private connected: Promise<net.Socket> | null = null;
  private pending: Pending[] = [];
  private parser: RedisParser | null = null;
  private closed = false;

  constructor(readonly host: string, readonly port: number, private readonly timeoutMs: number) {}

  /** Sends one command; resolves with its reply (error replies resolve as RespErrorReply). */
  async call(...argv: string[]): Promise<RespValue> {
    if (this.closed) throw new NodeUnreachableError('client closed');
    const socket = await this.connect();
    return new Promise<RespValue>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new NodeUnreachableError(`${this.host}:${this.port} did not answer ${argv[0]} within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.push({ resolve, reject, timer });
      socket.write(encodeCommand(argv));
    });
  }

  close(): void {
    this.closed = true;
    this.fail(new NodeUnreachableError('client closed'));
  }

  private connect(): Promise<net.Socket> {
    if (this.connected) return this.connected;
    this.connected = new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(this.port, this.host);
      this.socket = socket;
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new NodeUnreachableError(`connect to ${this.host}:${this.port} timed out`)), this.timeoutMs);
      this.parser = new RedisParser({
        returnReply: (reply) => this.settle((entry) => entry.resolve(reply as RespValue)),
        returnError: (error) => this.settle((entry) => entry.resolve(new RespErrorReply(error.message))),
        returnFatalError: (error) => this.fail(new NodeUnreachableError(`protocol error from ${this.host}:${this.port}: ${error.message}`)),
      });
      socket.on('data', (chunk) => { if (this.socket === socket) this.parser?.execute(chunk); });
      socket.once('connect', () => { clearTimeout(timer); resolve(socket); });
      socket.once('error', (error) => { clearTimeout(timer); reject(new NodeUnreachableError(`${this.host}:${this.port}: ${error.message}`)); });
      socket.once('close', () => { clearTimeout(timer); this.onClose(socket); });
    });
    return this.connected;
  }

  private settle(action: (entry: Pending) => void): void {
    const entry = this.pending.shift();
    if (!entry) return;
    clearTimeout(entry.timer);
    action(entry);
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.fail(new NodeUnreachableError(`${this.host}:${this.port} closed the connection`, true));
  }

  private fail(error: Error): void {
    const socket = this.socket;
    this.socket = null;
    this.connected = null;
    this.parser = null;
    socket?.destroy();
    const pending = this.pending;
    this.pending = [];
    for (const entry of pending) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}

/** One command on a fresh connection, closed afterwards. */
export async function callOnce(host: string, port: number, timeoutMs: number, ...argv: string[]): Promise<RespValue> {
  const client = new RespClient(host, port, timeoutMs);
  try {
    return await client.call(...argv);
  } finally {
    client.close();
  }
}
