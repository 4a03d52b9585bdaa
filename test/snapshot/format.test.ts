import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { EncryptionKey } from '../../src/snapshot/encryption.js';
import { decodeSnapshot, encodeSnapshot, restoreRecord } from '../../src/snapshot/format.js';
import { defaultSnapshotLimits, type SnapshotLimits } from '../../src/snapshot/limits.js';
import { SnapshotError } from '../../src/snapshot/errors.js';
import { allTypesHarness, fullDump } from './fixtures.js';
import { randomBytes } from 'node:crypto';
import { blocks, readAll } from './byte-streams.js';
import { Packr } from 'msgpackr';
import { encodeFrame, FrameKind } from '../../src/snapshot/frames.js';

const limits: SnapshotLimits = { ...defaultSnapshotLimits, chunkBytesTarget: 4096 };


async function encode(engine: Engine, key: EncryptionKey | null = null): Promise<Buffer> {
  const encoded = encodeSnapshot(engine, { shard: 2, lsn: 77, logChecksum: 'ab'.repeat(16), createdAtMs: 5 }, { key, limits });
  return readAll(encoded.stream);
}

async function decode(bytes: Buffer, key: EncryptionKey | null = null, readSize = 1000): Promise<Engine> {
  const engine = new Engine();
  await decodeSnapshot(blocks(bytes, readSize), { key, limits, what: 'test', onRecord: (record) => restoreRecord(engine, record, 0) });
  return engine;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SnapshotError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('snapshot format', () => {
  it('round-trips every type, encoding, binary string and TTL exactly, in many chunks', async () => {
    const source = allTypesHarness();
    const bytes = await encode(source.engine);
    const encoded = encodeSnapshot(source.engine, { shard: 2, lsn: 77, logChecksum: '00', createdAtMs: 5 }, { key: null, limits });
    await readAll(encoded.stream);
    expect(encoded.result().chunkCount).toBeGreaterThan(5);
    for (const readSize of [1, 7, 4096, bytes.length]) {
      const restored = await decode(bytes, null, readSize);
      expect(fullDump(restored)).toEqual(fullDump(source.engine));
    }
    const { header } = await decodeSnapshot(blocks(bytes, 100), { key: null, limits, what: 'test' });
    expect(header).toMatchObject({ shard: 2, lsn: 77, logChecksum: 'ab'.repeat(16), createdAtMs: 5, keyCount: source.engine.keyCount(), encryption: null });
  });

  it('an empty data set is a valid snapshot', async () => {
    const restored = await decode(await encode(new Engine()));
    expect(restored.keyCount()).toBe(0);
  });

  it('detects a flipped byte anywhere: header, chunk, trailer', async () => {
    const bytes = await encode(allTypesHarness().engine);
    for (const position of [3, 40, Math.floor(bytes.length / 2), bytes.length - 30, bytes.length - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[position] = damaged[position]! ^ 0x01;
      expect(['SNAPSHOT_CORRUPT', 'SNAPSHOT_TRUNCATED', 'SNAPSHOT_FORMAT']).toContain(await codeOf(decode(damaged)));
    }
  });

  it('detects truncation at any frame boundary or inside a frame', async () => {
    const bytes = await encode(allTypesHarness().engine);
    for (const length of [0, 1, 10, 100, Math.floor(bytes.length / 3), bytes.length - 21, bytes.length - 1]) {
      expect(await codeOf(decode(bytes.subarray(0, length)))).toBe('SNAPSHOT_TRUNCATED');
    }
  });

  it('encrypted: round-trips with the key; without it or with another key fails clearly', async () => {
    const source = allTypesHarness();
    const key = new EncryptionKey(randomBytes(32));
    const bytes = await encode(source.engine, key);
    expect(bytes.includes(Buffer.from('value-in-3'))).toBe(false); // no plaintext leaks
    expect(bytes.includes(Buffer.from('member-199'))).toBe(false);
    expect(fullDump(await decode(bytes, key))).toEqual(fullDump(source.engine));
    expect(await codeOf(decode(bytes, null))).toBe('SNAPSHOT_KEY_REQUIRED');
    expect(await codeOf(decode(bytes, new EncryptionKey(randomBytes(32))))).toBe('SNAPSHOT_KEY_MISMATCH');
    const plain = await encode(source.engine);
    expect(plain.includes(Buffer.from('value-in-3'))).toBe(true);
  });

  it('reordered chunks are detected (frame checksums alone would pass)', async () => {
    const key = new EncryptionKey(randomBytes(32));
    const h = allTypesHarness();
    const bytes = await encode(h.engine, key);
    // Re-frame: swap the first two chunk frames, recomputing nothing (frame checksums stay valid).
    const frames: Buffer[] = [];
    for (let offset = 0; offset < bytes.length;) {
      const length = bytes.readUInt32BE(offset + 1);
      frames.push(bytes.subarray(offset, offset + 5 + length + 16));
      offset += 5 + length + 16;
    }
    [frames[1], frames[2]] = [frames[2]!, frames[1]!];
    expect(await codeOf(decode(Buffer.concat(frames), key))).toBe('SNAPSHOT_CORRUPT');
  });

  it('a header from another format version is refused by name, not read as this one', async () => {
    const bytes = await encode(allTypesHarness().engine);
    const headerLength = bytes.readUInt32BE(1);
    const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });
    const header = packr.unpack(bytes.subarray(5, 5 + headerLength)) as Record<string, unknown>;
    expect(header.formatVersion).toBe(1);
    // A well-formed frame (valid checksum) whose header claims a version this build does not know.
    const future = encodeFrame(FrameKind.header, packr.pack({ ...header, formatVersion: 2 }));
    const rewritten = Buffer.concat([future, bytes.subarray(5 + headerLength + 16)]);
    const error = await decode(rewritten).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).code).toBe('SNAPSHOT_FORMAT');
    expect((error as SnapshotError).message).toContain('format version 2 (this build reads 1)');
  });

  it('rejects something that is not a snapshot', async () => {
    expect(await codeOf(decode(Buffer.from('*1\r\n$4\r\nPING\r\n')))).not.toBe('no error');
  });
});
