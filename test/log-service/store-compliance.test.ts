// One compliance suite for every LogStore implementation: LevelDB on disk and the in-memory
// twin must agree on ordering, atomic batches, range deletes, limits and snapshots.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LogStore } from '../../log-service/store/log-store.js';
import { LevelLogStore } from '../../log-service/store/level-store.js';
import { MemoryLogStore } from '../../log-service/store/memory-store.js';
import { logEntryKey, raftEntryKey, u64 } from '../../log-service/store/keys.js';
import { LogClient } from '../../log-service/client/log-client.js';
import { startInProcessCluster } from './helpers/in-process-cluster.js';
import { waitFor } from './helpers/wait.js';

const directories: string[] = [];

async function levelStore(): Promise<LogStore> {
  const directory = await mkdtemp(join(tmpdir(), 'keel-store-'));
  directories.push(directory);
  const store = new LevelLogStore(directory);
  await store.open();
  return store;
}

async function memoryStore(): Promise<LogStore> {
  const store = new MemoryLogStore();
  await store.open();
  return store;
}

afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

const bytes = (text: string) => Uint8Array.from(Buffer.from(text));
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : Buffer.from(value).toString());

for (const [name, open] of [['LevelLogStore', levelStore], ['MemoryLogStore', memoryStore]] as const) {
  describe(`LogStore compliance: ${name}`, () => {
    it('puts, gets and deletes in atomic batches', async () => {
      const store = await open();
      expect(await store.get(bytes('a'))).toBeUndefined();
      await store.batch([{ type: 'put', key: bytes('a'), value: bytes('1') }, { type: 'put', key: bytes('b'), value: bytes('2') }], { sync: true });
      expect(text(await store.get(bytes('a')))).toBe('1');
      await store.batch([{ type: 'del', key: bytes('a') }, { type: 'put', key: bytes('b'), value: bytes('3') }], { sync: false });
      expect(await store.get(bytes('a'))).toBeUndefined();
      expect(text(await store.get(bytes('b')))).toBe('3');
      await store.close();
    });

    it('orders fixed-width big-endian indexes numerically, with limit and reverse', async () => {
      const store = await open();
      const indexes = [1, 2, 255, 256, 65_536, 2 ** 40, 7];
      await store.batch(indexes.map((index) => ({ type: 'put' as const, key: raftEntryKey(index), value: u64(index) })), { sync: true });
      const all = await store.range({ gte: raftEntryKey(0), lt: raftEntryKey(2 ** 50) });
      expect(all.map(([, value]) => Buffer.from(value).readBigUInt64BE(0))).toEqual(
        [...indexes].sort((a, b) => a - b).map(BigInt),
      );
      const firstTwo = await store.range({ gte: raftEntryKey(2), lt: raftEntryKey(2 ** 50), limit: 2 });
      expect(firstTwo.map(([, v]) => Number(Buffer.from(v).readBigUInt64BE(0)))).toEqual([2, 7]);
      const lastOne = await store.range({ gte: raftEntryKey(0), lt: raftEntryKey(2 ** 50), limit: 1, reverse: true });
      expect(Number(Buffer.from(lastOne[0]![1]).readBigUInt64BE(0))).toBe(2 ** 40);
      // keys() lists what range() would, without the values.
      const keys = await store.keys({ gte: raftEntryKey(2), lt: raftEntryKey(2 ** 50), limit: 3 });
      expect(keys.map((key) => Buffer.from(key).toString('hex'))).toEqual([2, 7, 255].map((index) => Buffer.from(raftEntryKey(index)).toString('hex')));
      expect((await store.keys({ gte: raftEntryKey(0), lt: raftEntryKey(2 ** 50), reverse: true, limit: 1 })).map((key) => Buffer.from(key).toString('hex')))
        .toEqual([Buffer.from(raftEntryKey(2 ** 40)).toString('hex')]);
      await store.close();
    });

    it('iterates a range in order, stopping early or at a limit', async () => {
      const store = await open();
      const indexes = Array.from({ length: 300 }, (_, i) => i * 3);
      await store.batch(indexes.map((index) => ({ type: 'put' as const, key: raftEntryKey(index), value: u64(index) })), { sync: true });
      const valueOf = (value: Uint8Array) => Number(Buffer.from(value).readBigUInt64BE(0));
      const seen: number[] = [];
      for await (const [key, value] of store.iterate({ gte: raftEntryKey(10), lt: raftEntryKey(2 ** 50) })) {
        expect(Buffer.from(key).equals(Buffer.from(raftEntryKey(valueOf(value))))).toBe(true);
        seen.push(valueOf(value));
        if (seen.length === 250) break; // leaving early releases the iterator (close() below must not hang)
      }
      expect(seen).toEqual(indexes.filter((index) => index >= 10).slice(0, 250));
      const limited: number[] = [];
      for await (const [, value] of store.iterate({ gte: raftEntryKey(0), lt: raftEntryKey(30), limit: 4, reverse: true })) limited.push(valueOf(value));
      expect(limited).toEqual([27, 24, 21, 18]);
      // An iteration sees the store as it was when it began: later deletes and puts do not show.
      const during: number[] = [];
      for await (const [, value] of store.iterate({ gte: raftEntryKey(0), lt: raftEntryKey(2 ** 50) })) {
        during.push(valueOf(value));
        if (during.length === 1) {
          await store.batch([{ type: 'delRange', gte: raftEntryKey(3), lt: raftEntryKey(900) }, { type: 'put', key: raftEntryKey(1), value: u64(1) }], { sync: false });
        }
      }
      expect(during).toEqual(indexes);
      expect((await store.keys({ gte: raftEntryKey(0), lt: raftEntryKey(2 ** 50) })).length).toBe(2);
      await store.close();
    });

    it('deletes ranges atomically with puts in the same batch, later ops winning', async () => {
      const store = await open();
      await store.batch([1, 2, 3, 4, 5].map((lsn) => ({ type: 'put' as const, key: logEntryKey('x', lsn), value: bytes(`x${lsn}`) })), { sync: true });
      await store.batch([{ type: 'put', key: logEntryKey('xy', 1), value: bytes('xy1') }], { sync: true });
      await store.batch(
        [
          { type: 'delRange', gte: logEntryKey('x', 2), lt: logEntryKey('x', 5) },
          { type: 'put', key: logEntryKey('x', 3), value: bytes('new3') },
        ],
        { sync: true },
      );
      const rows = await store.range({ gte: logEntryKey('x', 0), lt: logEntryKey('x', 100) });
      expect(rows.map(([, v]) => text(v))).toEqual(['x1', 'new3', 'x5']);
      // The longer name's keys never fall inside the shorter name's range.
      expect(text(await store.get(logEntryKey('xy', 1)))).toBe('xy1');
      await store.close();
    });

    it('a snapshot does not see later batches', async () => {
      const store = await open();
      await store.batch([{ type: 'put', key: bytes('k1'), value: bytes('before') }], { sync: true });
      const snapshot = store.snapshot();
      await store.batch([{ type: 'put', key: bytes('k1'), value: bytes('after') }, { type: 'put', key: bytes('k2'), value: bytes('new') }], { sync: true });
      const seen = await snapshot.range({ gte: bytes('k'), lt: bytes('l') });
      expect(seen.map(([k, v]) => [text(k), text(v)])).toEqual([['k1', 'before']]);
      await snapshot.close();
      expect((await store.range({ gte: bytes('k'), lt: bytes('l') })).length).toBe(2);
      await store.close();
    });

    it('matches a simple model under random batches (property)', async () => {
      const store = await open();
      const model = new Map<number, string>();
      const op = fc.oneof(
        fc.record({ type: fc.constant('put' as const), index: fc.integer({ min: 0, max: 40 }), value: fc.string({ maxLength: 4 }) }),
        fc.record({ type: fc.constant('del' as const), index: fc.integer({ min: 0, max: 40 }) }),
        fc.record({ type: fc.constant('delRange' as const), index: fc.integer({ min: 0, max: 40 }), to: fc.integer({ min: 0, max: 40 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 8 }), async (batches) => {
          for (const batch of batches) {
            await store.batch(
              batch.map((o) =>
                o.type === 'put'
                  ? { type: 'put' as const, key: raftEntryKey(o.index), value: bytes(o.value) }
                  : o.type === 'del'
                    ? { type: 'del' as const, key: raftEntryKey(o.index) }
                    : { type: 'delRange' as const, gte: raftEntryKey(o.index), lt: raftEntryKey(o.to) },
              ),
              { sync: false },
            );
            for (const o of batch) {
              if (o.type === 'put') model.set(o.index, o.value);
              else if (o.type === 'del') model.delete(o.index);
              else for (let i = o.index; i < o.to; i++) model.delete(i);
            }
          }
          const rows = await store.range({ gte: raftEntryKey(0), lt: raftEntryKey(1000) });
          const expected = [...model].sort(([a], [b]) => a - b).map(([i, v]) => [i, v]);
          expect(rows.map(([k, v]) => [Number(Buffer.from(k).readBigUInt64BE(1)), text(v)])).toEqual(expected);
        }),
        { numRuns: 30 },
      );
      await store.close();
    });

    it('keeps data across close and reopen (LevelDB) / is empty when new', async () => {
      const store = await open();
      expect(await store.range({ gte: new Uint8Array([0]), lt: new Uint8Array([255]) })).toEqual([]);
      await store.close();
    });
  });
}

describe('LevelLogStore durability', () => {
  it('data written with sync survives reopening the directory', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'keel-store-'));
    directories.push(directory);
    const first = new LevelLogStore(directory);
    await first.open();
    await first.batch([{ type: 'put', key: raftEntryKey(9), value: bytes('nine') }], { sync: true });
    await first.close();
    const second = new LevelLogStore(directory);
    await second.open();
    expect(text(await second.get(raftEntryKey(9)))).toBe('nine');
    await second.close();
  });
});

describe('LevelLogStore write buffer', () => {
  // The write buffer decides when LevelDB flushes what it holds to a table file (.ldb) in the
  // background; the same 2 MiB of writes must flush with a 64 KiB buffer and not with 32 MiB.
  async function tableFilesAfterWriting(writeBufferBytes: number): Promise<number> {
    const directory = await mkdtemp(join(tmpdir(), 'keel-store-'));
    directories.push(directory);
    const store = new LevelLogStore(directory, { writeBufferBytes });
    await store.open();
    const value = new Uint8Array(1024).fill(7);
    for (let batch = 0; batch < 32; batch++) {
      const ops = Array.from({ length: 64 }, (_, i) => ({ type: 'put' as const, key: raftEntryKey(batch * 64 + i), value }));
      await store.batch(ops, { sync: false });
    }
    await store.close(); // closing waits for a flush in progress, and does not start one
    return (await readdir(directory)).filter((name) => name.endsWith('.ldb')).length;
  }

  it('flushes to table files according to writeBufferBytes', async () => {
    expect(await tableFilesAfterWriting(64 * 1024)).toBeGreaterThan(0);
    expect(await tableFilesAfterWriting(32 * 1024 * 1024)).toBe(0);
  });

  it('a log node gives its store the storeWriteBufferBytes limit', async () => {
    // ≈ 2 MiB of appends: table files with a 64 KiB buffer, none with the default 32 MiB.
    const cluster = await startInProcessCluster({ limits: { storeWriteBufferBytes: 64 * 1024 } });
    const log = new LogClient({ nodes: [...cluster.addresses.values()] });
    try {
      const payloads = Array.from({ length: 64 }, () => new Uint8Array(1024).fill(7));
      for (let batch = 0; batch < 32; batch++) await log.append('buffered', payloads, { prevLsn: batch * 64 });
      const leaderDir = cluster.dirs.get((await cluster.leader()).status().id)!;
      await waitFor(async () => (await readdir(leaderDir)).filter((name) => name.endsWith('.ldb')).length, (tables) => tables > 0, 5000);
    } finally {
      log.close();
      await cluster.close();
    }
  });
});

describe('key layout', () => {
  it('encodes log entry keys as prefix ‖ name length ‖ name ‖ 8-byte big-endian LSN', () => {
    const key = Buffer.from(logEntryKey('é-log', 2 ** 40 + 5));
    const name = Buffer.from('é-log', 'utf8');
    expect(key[0]).toBe(0x11);
    expect(key.readUInt16BE(1)).toBe(name.length);
    expect(key.subarray(3, 3 + name.length)).toEqual(name);
    expect(key.readBigUInt64BE(3 + name.length)).toBe(BigInt(2 ** 40 + 5));
    expect(Buffer.compare(logEntryKey('a', 2 ** 32 - 1), logEntryKey('a', 2 ** 32))).toBe(-1);
    expect(Buffer.from(raftEntryKey(2 ** 33)).readBigUInt64BE(1)).toBe(BigInt(2 ** 33));
    expect(() => logEntryKey('a', -1)).toThrow();
  });
});
