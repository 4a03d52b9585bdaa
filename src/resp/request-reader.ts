// Turns a client's byte stream into commands (argv as latin1 strings).
//
// `redis-parser` parses the RESP arrays. It was written for replies and enforces no request
// limits, so a framer walks the headers first (`*N`, `$L`: the only sizes a client controls),
// checks them against the configured limits, and hands redis-parser only complete requests.
// A declared size is never allocated up front: payload bytes are kept as the chunks that
// arrived and copied once, when the request is complete. Inline commands (first byte not `*`)
// are split by `splitInlineArgs`.
import RedisParser from 'redis-parser';
import { splitInlineArgs } from './inline.js';

export interface RequestLimits {
  protoMaxBulkLenBytes: number;
  multibulkLenMax: number;
  inlineLenBytes: number;
  queryBufferBytes: number;
}

export interface RequestSink {
  command(argv: string[]): void;
  /** A protocol error: reply `-ERR Protocol error: …` and close. `message` lacks the `ERR ` prefix. */
  protocolError(message: string): void;
}

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;

export class RequestReader {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Bytes needed in the buffer before scanning can make progress. */
  private neededBytes = 0;
  /** Scan state of the request being framed, relative to the start of the buffer. */
  private requestStart = 0;
  private scanPos = 0;
  private itemsRemaining = -1; // -1: at the start of a request
  private failed = false;
  private readonly parser: RedisParser;
  private parsedArgv: string[][] = [];

  constructor(private readonly limits: RequestLimits, private readonly sink: RequestSink) {
    this.parser = new RedisParser({
      returnBuffers: true,
      returnReply: (reply: unknown) => {
        const items = reply as Buffer[];
        const argv = new Array<string>(items.length);
        for (let i = 0; i < items.length; i++) argv[i] = items[i]!.toString('latin1');
        this.parsedArgv.push(argv);
      },
      returnError: (error: Error) => this.fail(`Protocol error: ${error.message}`),
      returnFatalError: (error: Error) => this.fail(`Protocol error: ${error.message}`),
    });
  }

  /** Bytes received but not yet turned into commands (Redis's `qbuf`). */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  feed(chunk: Buffer): void {
    if (this.failed) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.bufferedBytes > this.limits.queryBufferBytes) {
      this.fail('Protocol error: query buffer limit exceeded (client-query-buffer-limit)');
      return;
    }
    if (this.bufferedBytes < this.neededBytes) return;
    const buffer = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bufferedBytes);
    this.scan(buffer);
  }

  private scan(buffer: Buffer): void {
    let respStart = -1; // start of a run of complete RESP requests to hand to redis-parser
    let consumed = 0;
    this.neededBytes = 0;
    while (!this.failed) {
      if (this.itemsRemaining === -1) {
        // At the start of a request.
        if (this.requestStart >= buffer.length) break;
        if (buffer[this.requestStart] !== STAR) {
          if (respStart !== -1) { this.flushResp(buffer, respStart, this.requestStart); respStart = -1; }
          const lineEnd = buffer.indexOf(LF, this.requestStart);
          if (lineEnd === -1) {
            if (buffer.length - this.requestStart > this.limits.inlineLenBytes) this.fail('Protocol error: too big inline request');
            break;
          }
          let end = lineEnd;
          if (end > this.requestStart && buffer[end - 1] === CR) end--;
          const line = buffer.toString('latin1', this.requestStart, end);
          this.requestStart = lineEnd + 1;
          consumed = this.requestStart;
          const split = splitInlineArgs(line);
          if (!split.ok) { this.fail('Protocol error: unbalanced quotes in request'); break; }
          if (split.argv.length > 0) this.sink.command(split.argv);
          continue;
        }
        const header = this.readLine(buffer, this.requestStart + 1, 'Protocol error: too big mbulk count string');
        if (header === undefined) break;
        const count = parseHeaderInteger(header.text);
        if (count === null || count > this.limits.multibulkLenMax) {
          this.fail('Protocol error: invalid multibulk length');
          break;
        }
        if (count <= 0) {
          // `*0` / `*-1`: an empty request, ignored as Redis does.
          if (respStart !== -1) { this.flushResp(buffer, respStart, this.requestStart); respStart = -1; }
          this.requestStart = header.next;
          consumed = this.requestStart;
          continue;
        }
        this.itemsRemaining = count;
        this.scanPos = header.next;
      }
      // Inside an array: walk the bulk headers and skip the payloads.
      while (this.itemsRemaining > 0) {
        if (this.scanPos >= buffer.length) break;
        if (buffer[this.scanPos] !== DOLLAR) {
          this.fail(`Protocol error: expected '$', got '${String.fromCharCode(buffer[this.scanPos]!)}'`);
          break;
        }
        const header = this.readLine(buffer, this.scanPos + 1, 'Protocol error: too big bulk count string');
        if (header === undefined) break;
        const length = parseHeaderInteger(header.text);
        if (length === null || length < 0 || length > this.limits.protoMaxBulkLenBytes) {
          this.fail('Protocol error: invalid bulk length');
          break;
        }
        const payloadEnd = header.next + length + 2;
        if (payloadEnd > buffer.length) {
          this.neededBytes = payloadEnd - consumed;
          break;
        }
        this.scanPos = payloadEnd;
        this.itemsRemaining--;
      }
      if (this.failed || this.itemsRemaining > 0) break;
      // A complete request from requestStart to scanPos.
      if (respStart === -1) respStart = this.requestStart;
      this.requestStart = this.scanPos;
      this.itemsRemaining = -1;
      consumed = this.requestStart;
    }
    if (this.failed) return;
    if (respStart !== -1) this.flushResp(buffer, respStart, this.requestStart);
    // Keep only the unconsumed tail; positions become relative to it.
    const rest = consumed >= buffer.length ? null : buffer.subarray(consumed);
    this.chunks = rest ? [rest] : [];
    this.bufferedBytes = rest ? rest.length : 0;
    this.requestStart -= consumed;
    this.scanPos -= consumed;
    if (this.neededBytes > 0) this.neededBytes = Math.max(this.neededBytes, 0);
  }

  private flushResp(buffer: Buffer, start: number, end: number): void {
    this.parser.execute(buffer.subarray(start, end));
    const commands = this.parsedArgv;
    this.parsedArgv = [];
    for (const argv of commands) {
      if (this.failed) return;
      this.sink.command(argv);
    }
  }

  /** Reads a header line starting at `from` (after the type byte); undefined when incomplete. */
  private readLine(buffer: Buffer, from: number, tooBig: string): { text: string; next: number } | undefined {
    const end = buffer.indexOf(CR, from);
    if (end === -1 || end + 1 >= buffer.length) {
      if (buffer.length - from > this.limits.inlineLenBytes) this.fail(tooBig);
      return undefined;
    }
    if (buffer[end + 1] !== LF) {
      this.fail('Protocol error: invalid multibulk length');
      return undefined;
    }
    return { text: buffer.toString('latin1', from, end), next: end + 2 };
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.chunks = [];
    this.bufferedBytes = 0;
    this.sink.protocolError(message);
  }
}

/** Parses a header integer (`-1`, `0`, `42`); null when malformed or beyond 2^53. */
function parseHeaderInteger(text: string): number | null {
  if (!/^-?[0-9]{1,16}$/.test(text)) return null;
  return Number(text);
}
