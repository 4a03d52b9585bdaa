// The one snapshot-schedule decision that `keel up` and `keel snapshot --if-due` share: the pure
// verdict on entries, payload bytes and age; the byte count kept across checks (each entry read
// once); and the check against a real log and store, including where keel up counts from after
// a run that found nothing new.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkSnapshotDue, LogBytesSince, snapshotDue, type SnapshotSchedule } from '../../src/snapshot/schedule.js';
import { snapshotName } from '../../src/snapshot/catalog.js';
import { LocalDirectoryStore } from '../../src/snapshot/local-store.js';
import { countFromAfter, describeRun } from '../../src/cluster/snapshot-schedule.js';
import { describeSchedule } from '../../src/cli/up-command.js';
import { startLog, type LogFixture } from '../snapshot/log-fixture.js';

const off: SnapshotSchedule = { everyEntries: 0, everyBytes: 0, intervalMs: 0 };
const measured = { hasSnapshot: true, entriesSince: 100, bytesSince: 4096, ageMs: 60_000 };

describe('snapshotDue (pure)', () => {
  it('is due by entries, by bytes or by age, each at its threshold and not below', () => {
    expect(snapshotDue({ ...off, everyEntries: 100 }, measured)).toEqual({ due: true, reason: '100 entries since the newest snapshot (>= 100)' });
    expect(snapshotDue({ ...off, everyEntries: 101 }, measured).due).toBe(false);
    expect(snapshotDue({ ...off, everyBytes: 4096 }, measured)).toEqual({ due: true, reason: '4096+ bytes since the newest snapshot (>= 4096)' });
    expect(snapshotDue({ ...off, everyBytes: 4097 }, measured).due).toBe(false);
    expect(snapshotDue({ ...off, intervalMs: 60_000 }, measured)).toEqual({ due: true, reason: 'newest snapshot is 60 s old (>= 60 s)' });
    expect(snapshotDue({ ...off, intervalMs: 60_001 }, measured).due).toBe(false);
  });

  it('needs only one criterion; 0 turns a criterion off', () => {
    const far = { everyEntries: 1_000_000, everyBytes: 1 << 30, intervalMs: 3_600_000 };
    expect(snapshotDue(far, measured)).toEqual({ due: false, reason: 'below every threshold' });
    expect(snapshotDue({ ...far, everyBytes: 1024 }, measured).reason).toMatch(/bytes since/);
    expect(snapshotDue({ ...far, everyEntries: 0, everyBytes: 0 }, { ...measured, ageMs: 4_000_000 }).reason).toMatch(/s old/);
    // Bytes far past a threshold that is off change nothing.
    expect(snapshotDue({ ...far, everyBytes: 0 }, { ...measured, bytesSince: 1 << 40 }).due).toBe(false);
  });

  it('never when nothing was logged since; at once when there is no snapshot at all', () => {
    expect(snapshotDue({ ...off, everyEntries: 1, everyBytes: 1, intervalMs: 1 }, { ...measured, entriesSince: 0 }).due).toBe(false);
    expect(snapshotDue({ ...off, everyEntries: 1_000_000 }, { ...measured, hasSnapshot: false })).toEqual({ due: true, reason: 'no snapshot yet' });
  });
});

describe('keel up scheduler helpers (pure)', () => {
  const result = { lsn: 40, location: '/s/shard-0/x.ksnap', baseLsn: 40, replayedEntries: 25, trimmedBeforeLsn: null };
  it('counts from a written snapshot, or from the tail an up-to-date run replayed to', () => {
    expect(countFromAfter({ ...result, status: 'written', lsn: 90, baseLsn: 40, replayedEntries: 50 }, 7)).toEqual({ lsn: 90, atMs: 7 });
    expect(countFromAfter({ ...result, status: 'up-to-date' }, 7)).toEqual({ lsn: 65, atMs: 7 });
  });

  it('describes the schedule and each run', () => {
    expect(describeSchedule({ everyEntries: 100_000, everyBytes: 64 * 1024 * 1024, intervalMs: 3_600_000 })).toBe('after 100000 entries, 64 MiB or 3600 s');
    expect(describeSchedule({ ...off, everyBytes: 65_536 })).toBe('after 64 KiB');
    expect(describeSchedule({ ...off, everyBytes: 1000, intervalMs: 5000 })).toBe('after 1000 bytes or 5 s');
    expect(describeSchedule(off)).toMatch(/^never/);
    expect(describeRun(0, { ...result, status: 'written', trimmedBeforeLsn: 12 }, 5)).toBe('snapshot of shard 0 at LSN 40 written (/s/shard-0/x.ksnap; log trimmed before LSN 12; 5 ms)');
  });
});

describe('measuring the log since the newest snapshot (real log)', () => {
  let log: LogFixture | null = null;
  afterEach(async () => { await log?.close(); log = null; vi.restoreAllMocks(); });

  async function append(count: number, payloadBytes: number): Promise<number> {
    let lsn = 0;
    for (let i = 0; i < count; i++) lsn = (await log!.client.appendAtTail('shard-0', [new Uint8Array(payloadBytes).fill(i % 256)])).lastLsn;
    return lsn;
  }

  it('counts payload bytes incrementally: each entry is read once, a new base starts over, reading stops at the threshold', async () => {
    log = await startLog();
    const counter = new LogBytesSince(log.client, 'shard-0', 4);
    const reads = vi.spyOn(log.client, 'read');
    const tail10 = await append(10, 100);
    expect(await counter.measure(0, 1, tail10, Infinity)).toBe(1000);
    const firstReads = reads.mock.calls.length;
    expect(firstReads).toBe(3); // 4 + 4 + 2 entries
    const tail15 = await append(5, 10);
    expect(await counter.measure(0, 1, tail15, Infinity)).toBe(1050);
    expect(reads.mock.calls.slice(firstReads).map((call) => call[1])).toEqual([11, 15]); // only the new entries
    // A new base (a snapshot at LSN 12): only 13..15 count.
    expect(await counter.measure(12, 1, tail15, Infinity)).toBe(30);
    // Stops once the threshold is crossed: a lower bound, after one read of 4 entries.
    const fresh = new LogBytesSince(log.client, 'shard-0', 4);
    expect(await fresh.measure(0, 1, tail15, 150)).toBe(400);
    // Entries trimmed away (below firstLsn) count as nothing.
    expect(await new LogBytesSince(log.client, 'shard-0', 100).measure(0, 11, tail15, Infinity)).toBe(50);
  });

  it('checkSnapshotDue: bytes since the store\'s newest snapshot, and keel up\'s "count from here" after an up-to-date run', async () => {
    log = await startLog();
    const storeDir = mkdtempSync(join(tmpdir(), 'keel-sched-'));
    const store = new LocalDirectoryStore(storeDir);
    const check = (schedule: SnapshotSchedule, options = {}) => checkSnapshotDue(log!.client, 'shard-0', store, 0, schedule, 1000, options);

    await append(5, 1000);
    expect(await check({ ...off, everyBytes: 1 << 20 })).toMatchObject({ due: true, reason: 'no snapshot yet', tailLsn: 5 });
    // The checker reads only names: a file named as a snapshot at LSN 5 is "the newest snapshot".
    const name = join(storeDir, snapshotName(0, 5, Date.now()));
    mkdirSync(dirname(name), { recursive: true });
    writeFileSync(name, '');
    expect(await check({ ...off, everyBytes: 1000 })).toMatchObject({ due: false, reason: 'no log entries since the newest snapshot', latestLsn: 5, entriesSince: 0 });

    const tail = await append(3, 700);
    expect(await check({ ...off, everyBytes: 2100 })).toMatchObject({ due: true, reason: '2100+ bytes since the newest snapshot (>= 2100)', latestLsn: 5, tailLsn: tail, entriesSince: 3 });
    expect(await check({ ...off, everyBytes: 2101 })).toMatchObject({ due: false, reason: 'below every threshold' });
    expect((await check({ ...off, everyEntries: 3 })).due).toBe(true);
    expect((await check({ ...off, intervalMs: 3_600_000 })).due).toBe(false);

    // keel up after a run that found only markers/leases up to LSN 7, just now:
    // entries, bytes and age count from there.
    const since = { lsn: 7, atMs: Date.now() };
    expect(await check({ ...off, everyEntries: 2, everyBytes: 701 }, { since })).toMatchObject({ due: false, latestLsn: 5, entriesSince: 1 });
    expect(await check({ ...off, everyBytes: 700 }, { since })).toMatchObject({ due: true, entriesSince: 1 });
    expect((await check({ ...off, intervalMs: 1 }, { since: { lsn: 7, atMs: Date.now() + 60_000 } })).due).toBe(false);
    // A "since" beyond the tail (another log) is ignored.
    expect(await check({ ...off, everyEntries: 3 }, { since: { lsn: 99, atMs: Date.now() } })).toMatchObject({ due: true, entriesSince: 3 });
  });
});
