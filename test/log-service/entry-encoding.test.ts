import { describe, expect, it } from 'vitest';
import { encode } from '../../log-service/codec.js';
import { encodeLogEntry } from '../../log-service/state/entry-encoding.js';
import { decodeLogEntry } from '../../log-service/state/named-logs.js';

describe('stored log entry encoding', () => {
  it('writes exactly the bytes msgpackr writes, fast path and fallbacks alike', () => {
    const ints = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
    const writerIds = ['', 'w', 'a'.repeat(31), 'b'.repeat(32), 'c'.repeat(255), 'd'.repeat(256), 'é-writer', 'w-0123456789abcdef'];
    const sizes = [0, 1, 100, 255, 256, 65535, 65536];
    let cases = 0;
    for (const lsn of ints) for (const batchSeq of [0, 300, 2 ** 32]) for (const writerId of writerIds) for (const size of sizes) {
      const entry = { v: 1, lsn, writerId, batchSeq, payload: new Uint8Array(size).fill(size & 0xff), checksum: new Uint8Array(16).fill(7) };
      const bytes = encodeLogEntry(entry);
      expect(Buffer.from(bytes).equals(Buffer.from(encode(entry)))).toBe(true);
      const decoded = decodeLogEntry(bytes);
      expect([decoded.v, decoded.lsn, decoded.writerId, decoded.batchSeq]).toEqual([1, lsn, writerId, batchSeq]);
      expect(Buffer.from(decoded.payload).equals(Buffer.from(entry.payload))).toBe(true);
      cases++;
    }
    expect(cases).toBeGreaterThan(1000);
  });
});
