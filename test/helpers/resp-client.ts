// A minimal RESP client for tests that compare raw reply bytes: sends one command, returns
// exactly the bytes of one reply (parsed only far enough to know where it ends).
import net from 'node:net';

export function encodeCommand(argv: string[]): string {
  return `*${argv.length}\r\n${argv.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

/** Length of the first complete reply in `text`, or -1 if incomplete. */
export function replyLength(text: string, start = 0): number {
  const lineEnd = text.indexOf('\r\n', start);
  if (lineEnd === -1) return -1;
  const type = text[start];
  const header = text.slice(start + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+': case '-': case ':': case ',': case '#': case '_': case '(':
      return afterLine - start;
    case '$': case '=': case '!': {
      const length = Number(header);
      if (length < 0) return afterLine - start;
      return text.length >= afterLine + length + 2 ? afterLine + length + 2 - start : -1;
    }
    case '*': case '~': case '>': case '%': case '|': {
      let count = Number(header);
      if (count < 0) return afterLine - start;
      if (type === '%' || type === '|') count *= 2;
      let position = afterLine;
      for (let i = 0; i < count; i++) {
        const length = replyLength(text, position);
        if (length === -1) return -1;
        position += length;
      }
      return position - start;
    }
    default:
      throw new Error(`unexpected reply type ${JSON.stringify(type)}`);
  }
}

export class RawClient {
  private buffer = '';
  private waiters: (() => void)[] = [];
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer += chunk.toString('latin1');
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', () => { for (const wake of this.waiters.splice(0)) wake(); });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends argv and returns the raw bytes of its reply (latin1). */
  async call(...argv: string[]): Promise<string> {
    this.socket.write(encodeCommand(argv), 'latin1');
    return this.read();
  }

  /** Sends argv without waiting for a reply (pipelining, CLIENT REPLY OFF/SKIP). */
  send(...argv: string[]): void {
    this.socket.write(encodeCommand(argv), 'latin1');
  }

  async read(timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const length = this.buffer.length > 0 ? replyLength(this.buffer) : -1;
      if (length !== -1) {
        const reply = this.buffer.slice(0, length);
        this.buffer = this.buffer.slice(length);
        return reply;
      }
      if (this.socket.destroyed) throw new Error(`connection closed; pending: ${JSON.stringify(this.buffer)}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no reply within ${timeoutMs} ms; pending: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Stops reading: the server's output for this client piles up (output-buffer limits). */
  pause(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.destroy();
  }
}
