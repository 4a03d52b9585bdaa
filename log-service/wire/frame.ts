// Length-prefixed frames: 4-byte big-endian length, then a msgpackr body. The length is
// checked against the limit before any body bytes are buffered, so an oversized or hostile
// prefix costs nothing; a malformed body is reported, never thrown out of the socket handler.

import { decode, encodeWithHeadroom } from '../codec.js';
import { LogError } from '../errors.js';

export const framePrefixBytes = 4;

export function encodeFrame(value: unknown, frameBytesMax: number): Buffer {
  // The body is encoded behind room for its prefix: one buffer per frame, nothing copied.
  const frame = encodeWithHeadroom(value, framePrefixBytes);
  const bodyBytes = frame.length - framePrefixBytes;
  if (bodyBytes > frameBytesMax) {
    throw new LogError('FRAME_TOO_LARGE', `frame of ${bodyBytes} bytes exceeds frameBytesMax ${frameBytesMax}`, {
      frameBytes: bodyBytes,
      frameBytesMax,
    });
  }
  frame.writeUInt32BE(bodyBytes, 0);
  return frame;
}

export type FrameEvent = { kind: 'frame'; value: unknown } | { kind: 'error'; error: LogError };

/**
 * Incremental decoder: push() socket chunks, get back whole frames. After a FRAME_TOO_LARGE
 * the stream cannot be resynchronized; the decoder stays failed and the caller closes.
 * Frames are decoded where they lie in the chunk (usually a chunk holds whole frames); only a
 * frame split across chunks is copied into one buffer first.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Where the next frame starts in chunks[0]. */
  private offset = 0;
  /** Bytes from offset to the end of the last chunk. */
  private buffered = 0;
  private failed = false;

  constructor(public frameBytesMax: number) {}

  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const events: FrameEvent[] = [];
    while (this.buffered >= framePrefixBytes) {
      let first = this.chunks[0]!;
      if (first.length - this.offset < framePrefixBytes) first = this.joinChunks();
      const length = first.readUInt32BE(this.offset);
      if (length > this.frameBytesMax) {
        this.failed = true;
        this.chunks = [];
        this.offset = 0;
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
      const frameBytes = framePrefixBytes + length;
      if (this.buffered < frameBytes) break;
      if (first.length - this.offset < frameBytes) first = this.joinChunks();
      const bodyStart = this.offset + framePrefixBytes;
      const frameEnd = this.offset + frameBytes;
      try {
        // A subarray, not a range of the chunk: msgpackr's bundled-strings extension can move
        // its read position, and must never reach the bytes of the next frame.
        events.push({ kind: 'frame', value: decode(first.subarray(bodyStart, frameEnd)) });
      } catch (error) {
        events.push({ kind: 'error', error: new LogError('BAD_REQUEST', `malformed frame: ${(error as Error).message}`) });
      }
      this.buffered -= frameBytes;
      if (frameEnd === first.length) {
        this.chunks.shift();
        this.offset = 0;
      } else {
        this.offset = frameEnd;
      }
    }
    return events;
  }

  get isFailed(): boolean {
    return this.failed;
  }

  /** Copies everything buffered into one chunk (a frame or prefix spans chunks). */
  private joinChunks(): Buffer {
    const rest = this.chunks.slice(1);
    const joined = Buffer.concat([this.chunks[0]!.subarray(this.offset), ...rest]);
    this.chunks = [joined];
    this.offset = 0;
    return joined;
  }
}
