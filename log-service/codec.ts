// One msgpackr configuration for everything the log service encodes: wire frames, Raft
// payloads and stored records. Plain maps (no record extension) so every decoder agrees.

import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

export function decode(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}
