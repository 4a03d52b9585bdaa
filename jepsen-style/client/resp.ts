// A minimal RESP2 client for the harness. It never retries, never queues while disconnected
// and never reconnects by itself: a silent resend would turn an unknown write into a
// duplicate. Every call says precisely whether its bytes were handed to the socket, so the
// caller can tell "certainly not applied" from "unknown".
import net from 'node:net';
import { defaultHarnessLimits, HarnessLimits } from '../limits.js';

export class RespError {
  constructor(readonly message: string) {}
  /** The error's code: its first word (`READONLY`, `WRONGTYPE`, `ERR`, …). */
  get code(): string {
    const space = this.message.indexOf(' ');
    return space === -1 ? this.message : this.message.slice(0, space);
  }
}

export type RespValue = string | number | null | RespError | RespValue[];

/** Why a call failed. `sent` says whether any byte of the request may have reached the server. */
export class RespCallError extends Error {
  override name = 'RespCallError';
  constructor(readonly reason: 'connect' | 'closed' | 'timeout' | 'protocol' | 'too-large', readonly sent: boolean, message: string) {
    super(message);
  }
}

type Parsed = { value: RespValue; end: number } | undefined;

/** Parses one reply at `start`; undefined if the buffer does not hold all of it yet. */
export function parseReply(buffer: Buffer, start: number): Parsed {
  if (start >= buffer.length) return undefined;
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start]!);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+': return { value: line, end: after };
    case '-': return { value: new RespError(line), end: after };
    case ':': return { value: Number(line), end: after };
    case '_': return { value: null, end: after };
    case '$': {
      const length = Number(line);
      if (length === -1) return { value: null, end: after };
      if (!Number.isSafeInteger(length) || length < 0) throw new RespCallError('protocol', true, `bad bulk length ${line}`);
      if (buffer.length < after + length + 2) return undefined;
      return { value: buffer.toString('utf8', after, after + length), end: after + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count === -1) return { value: null, end: after };
      if (!Number.isSafeInteger(count) || count < 0) throw new RespCallError('protocol', true, `bad array length ${line}`);
      const items: RespValue[] = [];
      let offset = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, offset);
        if (item === undefined) return undefined;
        items.push(item.value);
        offset = item.end;
      }
      return { value: items, end: offset };
    }
    default:
      throw new RespCallError('protocol', true, `unexpected reply type ${JSON.stringify(type)}`);
  }
}

export function encodeCommand(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const text = String(arg);
    out += `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  }
  return out;
}

interface Pending {
  count: number;
  replies: RespValue[];
  resolve: (replies: RespValue[]) => void;
  reject: (error: RespCallError) => void;
  timer: NodeJS.Timeout;
}

export class RespConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private dead: RespCallError | undefined;

  private constructor(private readonly socket: net.Socket, private readonly limits: HarnessLimits) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new RespCallError('closed', true, `connection error: ${e.message}`)));
    socket.on('close', () => this.fail(new RespCallError('closed', true, 'connection closed')));
  }

  /** Connects or rejects with a `connect` error (nothing was sent). */
  static connect(host: string, port: number, limits: HarnessLimits = defaultHarnessLimits): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RespCallError('connect', false, `connect to ${host}:${port} timed out after ${limits.connectTimeoutMs} ms`));
      }, limits.connectTimeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new RespCallError('connect', false, `connect to ${host}:${port} failed: ${e.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RespConnection(socket, limits));
      });
    });
  }

  get usable(): boolean {
    return this.dead === undefined && !this.socket.destroyed;
  }

  /**
   * Sends the commands in one write and waits for one reply each. A failure before the write
   * rejects with `sent: false`; after it, with `sent: true` (the server may have applied them).
   * After a timeout or error the connection is closed: a late reply must never be taken for
   * the answer to a later request.
   */
  call(commands: readonly (readonly (string | number)[])[], timeoutMs: number = this.limits.operationTimeoutMs): Promise<RespValue[]> {
    if (this.dead !== undefined) return Promise.reject(new RespCallError('closed', false, `connection unusable: ${this.dead.message}`));
    if (this.pending !== undefined) return Promise.reject(new RespCallError('protocol', false, 'one call at a time per connection'));
    return new Promise<RespValue[]>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new RespCallError('timeout', true, `no reply within ${timeoutMs} ms`)), timeoutMs);
      this.pending = { count: commands.length, replies: [], resolve, reject, timer };
      this.socket.write(commands.map(encodeCommand).join(''));
    });
  }

  close(): void {
    this.fail(new RespCallError('closed', false, 'closed by the harness'));
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > this.limits.replyBytesMax) {
      this.fail(new RespCallError('too-large', true, `reply larger than ${this.limits.replyBytesMax} bytes`));
      return;
    }
    try {
      let offset = 0;
      for (;;) {
        const parsed = parseReply(this.buffer, offset);
        if (parsed === undefined) break;
        offset = parsed.end;
        const pending = this.pending;
        if (pending === undefined) throw new RespCallError('protocol', true, 'a reply arrived with no request waiting');
        pending.replies.push(parsed.value);
        if (pending.replies.length === pending.count) {
          clearTimeout(pending.timer);
          this.pending = undefined;
          pending.resolve(pending.replies);
        }
      }
      this.buffer = this.buffer.subarray(offset);
    } catch (e) {
      this.fail(e instanceof RespCallError ? e : new RespCallError('protocol', true, String(e)));
    }
  }

  private fail(error: RespCallError): void {
    if (this.dead === undefined) this.dead = error;
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    if (!this.socket.destroyed) this.socket.destroy();
  }
}
