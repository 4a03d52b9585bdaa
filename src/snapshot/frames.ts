// The framing under a snapshot file: kind (1 byte) ‖ length (4 bytes, big-endian) ‖ payload ‖
// checksum (16 bytes: SHA-256 of kind ‖ length ‖ payload, truncated). A flipped bit anywhere
// in a frame — length included — is caught by that frame's checksum or by the length bound.
import { createHash } from 'node:crypto';
import { SnapshotError } from './errors.js';

export const frameChecksumBytes = 16;
const frameHeadBytes = 5;

export const FrameKind = { header: 0x48, chunk: 0x43, trailer: 0x54 } as const; // 'H', 'C', 'T'
export type FrameKindByte = (typeof FrameKind)[keyof typeof FrameKind];

export function encodeFrame(kind: FrameKindByte, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(frameHeadBytes);
  head[0] = kind;
  head.writeUInt32BE(payload.length, 1);
  const checksum = createHash('sha256').update(head).update(payload).digest().subarray(0, frameChecksumBytes);
  return Buffer.concat([head, payload, checksum]);
}

export interface Frame {
  kind: number;
  payload: Buffer;
  /** The whole frame as stored (for the body checksum). */
  bytes: Buffer;
  checksum: Buffer;
}

/** Pulls frames off a byte stream, verifying each frame's checksum. */
export class FrameReader {
  private pieces: Buffer[] = [];
  private buffered = 0;
  private readonly source: AsyncIterator<Uint8Array>;
  private ended = false;
  /** Bytes consumed so far (progress). */
  bytesRead = 0;

  constructor(stream: AsyncIterable<Uint8Array>, private readonly frameBytesMax: number, private readonly what: string) {
    this.source = stream[Symbol.asyncIterator]();
  }

  /** The next frame, or null at a clean end of stream. */
  async next(): Promise<Frame | null> {
    if (!(await this.fill(1))) return null;
    if (!(await this.fill(frameHeadBytes))) this.truncated();
    const head = this.peek(frameHeadBytes);
    const kind = head[0]!;
    const length = head.readUInt32BE(1);
    if (kind !== FrameKind.header && kind !== FrameKind.chunk && kind !== FrameKind.trailer) {
      throw new SnapshotError('SNAPSHOT_CORRUPT', `${this.what}: unknown frame kind 0x${kind.toString(16)} at byte ${this.bytesRead}`);
    }
    if (length > this.frameBytesMax) {
      throw new SnapshotError('SNAPSHOT_CORRUPT', `${this.what}: frame of ${length} bytes at byte ${this.bytesRead} exceeds frameBytesMax ${this.frameBytesMax}`);
    }
    const total = frameHeadBytes + length + frameChecksumBytes;
    if (!(await this.fill(total))) this.truncated();
    const bytes = this.take(total);
    const checksum = bytes.subarray(frameHeadBytes + length);
    const expected = createHash('sha256').update(bytes.subarray(0, frameHeadBytes + length)).digest().subarray(0, frameChecksumBytes);
    if (!expected.equals(checksum)) {
      throw new SnapshotError('SNAPSHOT_CORRUPT', `${this.what}: checksum mismatch in the frame at byte ${this.bytesRead - total}`);
    }
    return { kind, payload: bytes.subarray(frameHeadBytes, frameHeadBytes + length), bytes, checksum };
  }

  private truncated(): never {
    throw new SnapshotError('SNAPSHOT_TRUNCATED', `${this.what}: ends in the middle of a frame after ${this.bytesRead + this.buffered} bytes`);
  }

  /** Buffers at least n bytes; false if the stream ends first. */
  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n) {
      if (this.ended) return false;
      const { value, done } = await this.source.next();
      if (done) {
        this.ended = true;
        return false;
      }
      if (value.length === 0) continue;
      this.pieces.push(Buffer.from(value.buffer, value.byteOffset, value.length));
      this.buffered += value.length;
    }
    return true;
  }

  private peek(n: number): Buffer {
    if (this.pieces[0]!.length < n) this.pieces = [Buffer.concat(this.pieces)];
    return this.pieces[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    let result: Buffer;
    const first = this.pieces[0]!;
    if (first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.pieces.shift();
      else this.pieces[0] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let needed = n;
      while (needed > 0) {
        const piece = this.pieces[0]!;
        if (piece.length <= needed) {
          parts.push(piece);
          this.pieces.shift();
          needed -= piece.length;
        } else {
          parts.push(piece.subarray(0, needed));
          this.pieces[0] = piece.subarray(needed);
          needed = 0;
        }
      }
      result = Buffer.concat(parts, n);
    }
    this.buffered -= n;
    this.bytesRead += n;
    return result;
  }

  /** Stops reading the source early (e.g. after an error). */
  async close(): Promise<void> {
    await this.source.return?.();
  }
}
