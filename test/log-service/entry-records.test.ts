// Stored entry records: one record per Append keyed by its last LSN, and the one-entry records
// written before that format, read side by side and carried through a state snapshot.

import { describe, expect, it } from 'vitest';
import { encode } from '../../log-service/codec.js';
import { installSnapshotOps, readLogEntries, readStateSnapshot } from '../../log-service/node/node-storage.js';
import { decodeEntryRecord, encodeEntryRecord } from '../../log-service/state/entry-records.js';
import { encodeLogCommand } from '../../log-service/state/log-commands.js';
import { NamedLogs } from '../../log-service/state/named-logs.js';
import { entryFormatVersion, type LogEntry } from '../../log-service/state/types.js';
import { logEntryKey } from '../../log-service/store/keys.js';
import { MemoryLogStore } from '../../log-service/store/memory-store.js';

const bytes = (text: string) => Uint8Array.from(Buffer.from(text));
const checksum = (n: number) => new Uint8Array(16).fill(n);
/** Running checksums packed as a record stores them. */
const packed = (...values: number[]) => Buffer.concat(values.map(checksum));

/** A record (format 3) of an Append by `writerId` with these payloads. */
function recordOf(batch: { firstLsn: number; writerId: string; batchSeq: number; payloads: Uint8Array[]; checksums: Uint8Array }): Uint8Array {
  const command = encodeLogCommand({ t: 'append', log: 'L', prevLsn: batch.firstLsn - 1, writerId: batch.writerId, batchSeq: batch.batchSeq, payloads: batch.payloads });
  return encodeEntryRecord({ firstLsn: batch.firstLsn, command, entryCount: batch.payloads.length, checksums: batch.checksums });
}

function formatOneEntry(lsn: number): LogEntry {
  return { v: entryFormatVersion, lsn, writerId: 'old', batchSeq: lsn, payload: bytes(`old${lsn}`), checksum: checksum(lsn) };
}

describe('entry records', () => {
  it('round-trip a batch: LSNs, payloads, writer, batch sequence and each checksum', () => {
    const record = recordOf({ firstLsn: 7, writerId: 'w', batchSeq: 3, payloads: [bytes('a'), bytes('bb')], checksums: packed(1, 2) });
    const entries = decodeEntryRecord(record);
    expect(entries.map((e) => [e.v, e.lsn, e.writerId, e.batchSeq, Buffer.from(e.payload).toString(), e.checksum[0]])).toEqual([
      [entryFormatVersion, 7, 'w', 3, 'a', 1],
      [entryFormatVersion, 8, 'w', 3, 'bb', 2],
    ]);
    expect(() => recordOf({ firstLsn: 1, writerId: 'w', batchSeq: 1, payloads: [bytes('a')], checksums: packed() })).toThrow(/checksum/);
  });

  it('refuse a corrupt or unknown record instead of returning garbage', () => {
    expect(() => decodeEntryRecord(encode({ r: 9, firstLsn: 1 }))).toThrow(/unknown format/);
    expect(() => decodeEntryRecord(encode({ r: 2, firstLsn: 1, writerId: 'w', batchSeq: 1, payloads: [bytes('a')], checksums: new Uint8Array(3) }))).toThrow(/checksums/);
    expect(() => decodeEntryRecord(encode({ lsn: -1, payload: bytes('a') }))).toThrow(/corrupt/);
    const trim = encodeLogCommand({ t: 'trim', log: 'L', beforeLsn: 1 });
    expect(() => decodeEntryRecord(encode({ r: 3, firstLsn: 1, command: trim, checksums: packed(1) }))).toThrow(/command/);
    expect(() => decodeEntryRecord(encode({ r: 3, firstLsn: 1, command: 'x', checksums: packed(1) }))).toThrow(/command/);
    const elsewhere = encodeLogCommand({ t: 'append', log: 'L', prevLsn: 4, writerId: 'w', batchSeq: 1, payloads: [bytes('a')] });
    expect(() => decodeEntryRecord(encode({ r: 3, firstLsn: 1, command: elsewhere, checksums: packed(1) }))).toThrow(/another position/);
  });

  it('read records of both earlier formats next to those written now', async () => {
    const store = new MemoryLogStore();
    await store.open();
    // A store written by format 1 up to LSN 3, by format 2 for 4 and 5, then by this one.
    await store.batch([1, 2, 3].map((lsn) => ({ type: 'put' as const, key: logEntryKey('L', lsn), value: encode(formatOneEntry(lsn)) })), { sync: true });
    const formatTwo = encode({ r: 2, firstLsn: 4, writerId: 'two', batchSeq: 4, payloads: [bytes('t4'), bytes('t5')], checksums: packed(4, 5) });
    await store.batch([{ type: 'put', key: logEntryKey('L', 5), value: formatTwo }], { sync: true });
    const logs = NamedLogs.fromMetas([['L', { firstLsn: 1, tailLsn: 5, checksum: checksum(5), snapshotLsn: 0 }]]);
    const applied = logs.apply({ t: 'append', log: 'L', prevLsn: 5, writerId: 'new', batchSeq: 1, payloads: [bytes('n6'), bytes('n7')] });
    await store.batch(applied.ops, { sync: true });
    const entries = await readLogEntries(store, 'L', 2, 7, 100, 1 << 20);
    expect(entries.map((e) => [e.lsn, e.writerId, e.batchSeq, Buffer.from(e.payload).toString(), e.checksum[0]])).toEqual([
      [2, 'old', 2, 'old2', 2], [3, 'old', 3, 'old3', 3], [4, 'two', 4, 't4', 4], [5, 'two', 4, 't5', 5],
      [6, 'new', 1, 'n6', applied.chain!.checksums[0]], [7, 'new', 1, 'n7', applied.chain!.checksums[16]],
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
    const batch = (firstLsn: number, count: number) => recordOf({
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
