// Stored entry records: one record per Append keyed by its last LSN, and the one-entry records
// written before that format, read side by side and carried through a state snapshot.

import { describe, expect, it } from 'vitest';
import { encode } from '../../log-service/codec.js';
import { installSnapshotOps, readLogEntries, readStateSnapshot } from '../../log-service/node/node-storage.js';
import { decodeEntryRecord, encodeEntryRecord } from '../../log-service/state/entry-records.js';
import { NamedLogs } from '../../log-service/state/named-logs.js';
import { entryFormatVersion, type LogEntry } from '../../log-service/state/types.js';
import { logEntryKey } from '../../log-service/store/keys.js';
import { MemoryLogStore } from '../../log-service/store/memory-store.js';

const bytes = (text: string) => Uint8Array.from(Buffer.from(text));
const checksum = (n: number) => new Uint8Array(16).fill(n);
/** Running checksums packed as a record stores them. */
const packed = (...values: number[]) => Buffer.concat(values.map(checksum));

function formatOneEntry(lsn: number): LogEntry {
  return { v: entryFormatVersion, lsn, writerId: 'old', batchSeq: lsn, payload: bytes(`old${lsn}`), checksum: checksum(lsn) };
}

describe('entry records', () => {
  it('round-trip a batch: LSNs, payloads, writer, batch sequence and each checksum', () => {
    const record = encodeEntryRecord({ firstLsn: 7, writerId: 'w', batchSeq: 3, payloads: [bytes('a'), bytes('bb')], checksums: packed(1, 2) });
    const entries = decodeEntryRecord(record);
    expect(entries.map((e) => [e.v, e.lsn, e.writerId, e.batchSeq, Buffer.from(e.payload).toString(), e.checksum[0]])).toEqual([
      [entryFormatVersion, 7, 'w', 3, 'a', 1],
      [entryFormatVersion, 8, 'w', 3, 'bb', 2],
    ]);
    expect(() => encodeEntryRecord({ firstLsn: 1, writerId: 'w', batchSeq: 1, payloads: [bytes('a')], checksums: packed() })).toThrow(/checksum/);
  });

  it('refuse a corrupt or unknown record instead of returning garbage', () => {
    expect(() => decodeEntryRecord(encode({ r: 9, firstLsn: 1 }))).toThrow(/unknown format/);
    expect(() => decodeEntryRecord(encode({ r: 2, firstLsn: 1, writerId: 'w', batchSeq: 1, payloads: [bytes('a')], checksums: new Uint8Array(3) }))).toThrow(/checksums/);
    expect(() => decodeEntryRecord(encode({ lsn: -1, payload: bytes('a') }))).toThrow(/corrupt/);
  });

  it('read one-entry records of the earlier format next to batch records', async () => {
    const store = new MemoryLogStore();
    await store.open();
    // A store written by the earlier format up to LSN 3, then by this one.
    await store.batch([1, 2, 3].map((lsn) => ({ type: 'put' as const, key: logEntryKey('L', lsn), value: encode(formatOneEntry(lsn)) })), { sync: true });
    const logs = NamedLogs.fromMetas([['L', { firstLsn: 1, tailLsn: 3, checksum: checksum(3), snapshotLsn: 0 }]]);
    const applied = logs.apply({ t: 'append', log: 'L', prevLsn: 3, writerId: 'new', batchSeq: 1, payloads: [bytes('n4'), bytes('n5')] });
    await store.batch(applied.ops, { sync: true });
    const entries = await readLogEntries(store, 'L', 2, 5, 100, 1 << 20);
    expect(entries.map((e) => [e.lsn, e.writerId, Buffer.from(e.payload).toString()])).toEqual([
      [2, 'old', 'old2'], [3, 'old', 'old3'], [4, 'new', 'n4'], [5, 'new', 'n5'],
    ]);
    await store.close();
  });

  it('install a state snapshot of the earlier format (entries) and refuse one with a gap', async () => {
    const meta = { firstLsn: 2, tailLsn: 3, checksum: checksum(3), snapshotLsn: 3 };
    const earlier = encode({ logs: [{ name: 'L', meta, entries: [formatOneEntry(2), formatOneEntry(3)] }] });
    const store = new MemoryLogStore();
    await store.open();
    await store.batch(installSnapshotOps({ index: 5, term: 1, data: earlier }).ops, { sync: true });
    expect((await readLogEntries(store, 'L', 2, 3, 10, 1 << 20)).map((e) => e.lsn)).toEqual([2, 3]);
    const gap = encode({ logs: [{ name: 'L', meta, records: [[3, encode(formatOneEntry(3))]] }] });
    expect(() => installSnapshotOps({ index: 5, term: 1, data: gap })).toThrow(/gap or overlap at 2/);
    const short = encode({ logs: [{ name: 'L', meta, records: [[2, encode(formatOneEntry(2))]] }] });
    expect(() => installSnapshotOps({ index: 5, term: 1, data: short })).toThrow(/end at 2/);
    // Only the first record may start below where the log starts: a later one must not overlap.
    const batch = (firstLsn: number, count: number) => encodeEntryRecord({
      firstLsn, writerId: 'w', batchSeq: 1, payloads: Array.from({ length: count }, () => bytes('x')), checksums: packed(...Array.from({ length: count }, () => 1)),
    });
    const overlap = encode({ logs: [{ name: 'L', meta, records: [[2, batch(1, 2)], [3, batch(2, 2)]] }] });
    expect(() => installSnapshotOps({ index: 5, term: 1, data: overlap })).toThrow(/gap or overlap at 3/);
    const straddling = encode({ logs: [{ name: 'L', meta, records: [[2, batch(1, 2)], [3, batch(3, 1)]] }] });
    expect(() => installSnapshotOps({ index: 5, term: 1, data: straddling })).not.toThrow();
    await store.close();
  });

  it('refuse to serialize a state snapshot from a store with a corrupt record (the sender fails, not the follower)', async () => {
    const store = new MemoryLogStore();
    await store.open();
    await store.batch([1, 2].map((lsn) => ({ type: 'put' as const, key: logEntryKey('L', lsn), value: encode(formatOneEntry(lsn)) })), { sync: true });
    const metas = new Map([['L', { firstLsn: 1, tailLsn: 2, checksum: checksum(2), snapshotLsn: 0 }]]);
    await expect(readStateSnapshot(store.snapshot(), metas)).resolves.toBeInstanceOf(Uint8Array);
    await store.batch([{ type: 'put', key: logEntryKey('L', 2), value: encode({ r: 2, firstLsn: 2 }) }], { sync: true });
    await expect(readStateSnapshot(store.snapshot(), metas)).rejects.toThrow(/corrupt/);
    await store.close();
  });
});
