// Length-prefixed frames: 4-byte big-endian length, then a msgpackr body. The length is
// checked against the limit before any body bytes are buffered, so an oversized or hostile
// prefix costs nothing; a malformed body is reported, never thrown out of the socket handler.

import { decode, encode } from '../codec.js';
import { LogError } from '../errors.js';

export const framePrefixBytes = 4;

export function encodeFrame(value: unknown, frameBytesMax: number): Buffer {
  const body = encode(value);
  if (body.length > frameBytesMax) {
    throw new LogError('FRAME_TOO_LARGE', `frame of ${body.length} bytes exceeds frameBytesMax ${frameBytesMax}`, {
      frameBytes: body.length,
      frameBytesMax,
    });
  }
  const prefix = Buffer.allocUnsafe(framePrefixBytes);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

export type FrameEvent = { kind: 'frame'; value: unknown } | { kind: 'error'; error: LogError };

/**
 * Incremental decoder: push() socket chunks, get back whole frames. After a FRAME_TOO_LARGE
 * the stream cannot be resynchronized; the decoder stays failed and the caller closes.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(public frameBytesMax: number) {}

  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const events: FrameEvent[] = [];
    while (this.buffered >= framePrefixBytes) {
      const head = this.peek(framePrefixBytes);
      const length = head.readUInt32BE(0);
      if (length > this.frameBytesMax) {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        events.push({
          kind: 'error',
          error: new LogError('FRAME_TOO_LARGE', `frame of ${length} bytes exceeds frameBytesMax ${this.frameBytesMax}`, {
            frameBytes: length,
            frameBytesMax: this.frameBytesMax,
          }),
        });
        return events;
      }
      if (this.buffered < framePrefixBytes + length) break;
      const whole = this.take(framePrefixBytes + length);
      const body = whole.subarray(framePrefixBytes);
      try {
        events.push({ kind: 'frame', value: decode(body) });
      } catch (error) {
        events.push({ kind: 'error', error: new LogError('BAD_REQUEST', `malformed frame: ${(error as Error).message}`) });
      }
    }
    return events;
  }

  get isFailed(): boolean {
    return this.failed;
  }

  private peek(bytes: number): Buffer {
    if (this.chunks[0]!.length >= bytes) return this.chunks[0]!;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(bytes: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= bytes) {
      const taken = first.subarray(0, bytes);
      if (first.length === bytes) this.chunks.shift();
      else this.chunks[0] = first.subarray(bytes);
      this.buffered -= bytes;
      return taken;
    }
    const joined = Buffer.concat(this.chunks);
    const taken = joined.subarray(0, bytes);
    const rest = joined.subarray(bytes);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= bytes;
    return taken;
  }
}
