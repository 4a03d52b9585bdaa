// One msgpackr configuration for everything the log service encodes: wire frames, Raft
// payloads and stored records. Plain maps (no record extension) so every decoder agrees.

import { Packr, RESERVE_START_SPACE } from 'msgpackr';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** Largest shared encoding buffer kept for the next values (see pack). */
const sharedBufferBytesMax = 64 * 1024;
/** msgpackr's own first buffer size. */
const sharedBufferFreshBytes = 8 * 1024;

/**
 * Every value encoded here is a slice of the buffer msgpackr encodes into (one per process,
 * shared by every Packr), and a slice keeps that whole buffer alive: a frame queued on a slow
 * socket, a command in the in-memory Raft log. The buffer is 8 KiB until a value outgrows it,
 * and msgpackr never shrinks it. So after a large value (a Read's answer, an InstallSnapshot)
 * the values after it start in a fresh small buffer, and the large one is freed with the last
 * slice of it.
 */
function pack(value: unknown, encodeOptions?: number): Buffer {
  const encoded = packr.pack(value, encodeOptions);
  if (encoded.buffer.byteLength > sharedBufferBytesMax) packr.useBuffer(Buffer.allocUnsafeSlow(sharedBufferFreshBytes));
  return encoded;
}

export function encode(value: unknown): Buffer {
  return pack(value);
}

/**
 * Encodes value after headroomBytes (at most 255) bytes left for the caller to fill, such as
 * a frame's length prefix: one buffer, no copy of the body into a second one.
 */
export function encodeWithHeadroom(value: unknown, headroomBytes: number): Buffer {
  if (!Number.isInteger(headroomBytes) || headroomBytes < 0 || headroomBytes > 0xff) throw new RangeError(`headroomBytes must be in 0..255, got ${headroomBytes}`);
  return pack(value, RESERVE_START_SPACE | headroomBytes);
}

export function decode(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}
