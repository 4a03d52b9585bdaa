// One msgpackr configuration for everything the log service encodes: wire frames, Raft
// payloads and stored records. Plain maps (no record extension) so every decoder agrees.

import { Packr, RESERVE_START_SPACE } from 'msgpackr';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

/**
 * Encodes value after headroomBytes (at most 255) bytes left for the caller to fill, such as
 * a frame's length prefix: one buffer, no copy of the body into a second one.
 */
export function encodeWithHeadroom(value: unknown, headroomBytes: number): Buffer {
  if (!Number.isInteger(headroomBytes) || headroomBytes < 0 || headroomBytes > 0xff) throw new RangeError(`headroomBytes must be in 0..255, got ${headroomBytes}`);
  return packr.pack(value, RESERVE_START_SPACE | headroomBytes);
}

export function decode(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/** Decodes the one value in bytes[start, end) (no subarray made for it). */
export function decodeRange(bytes: Uint8Array, start: number, end: number): unknown {
  return packr.unpack(bytes, { start, end });
}
