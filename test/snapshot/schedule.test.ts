import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSnapshotDue, snapshotDue } from '../../src/snapshot/schedule.js';
import { runSnapshotJob } from '../../src/snapshot/snapshotter.js';
import { LocalDirectoryStore } from '../../src/snapshot/local-store.js';
import { defaultSnapshotLimits } from '../../src/snapshot/limits.js';
import { seededRandom } from '../helpers/engine.js';
import { quietLogger, RecordingWriter, startLog, type LogFixture } from './log-fixture.js';

const none = { everyEntries: 0, everyBytes: 0, intervalMs: 0 };

describe('snapshot schedule', () => {
  it('decides from entries, bytes and age', () => {
    const state = { hasSnapshot: true, entriesSince: 10, bytesSince: 500, ageMs: 1000 };
    expect(snapshotDue({ ...none, everyEntries: 10 }, state).due).toBe(true);
    expect(snapshotDue({ ...none, everyEntries: 11 }, state).due).toBe(false);
    expect(snapshotDue({ ...none, everyBytes: 500 }, state).due).toBe(true);
    expect(snapshotDue({ ...none, everyBytes: 501 }, state).due).toBe(false);
    expect(snapshotDue({ ...none, intervalMs: 1000 }, state).due).toBe(true);
    expect(snapshotDue({ ...none, intervalMs: 1001 }, state).due).toBe(false);
    expect(snapshotDue(none, state).due).toBe(true);
    expect(snapshotDue({ ...none, everyEntries: 1 }, { ...state, entriesSince: 0 }).due).toBe(false);
    expect(snapshotDue({ ...none, everyEntries: 1000 }, { ...state, hasSnapshot: false })).toEqual({ due: true, reason: 'no snapshot yet' });
  });

  let log: LogFixture | null = null;
  afterEach(async () => { await log?.close(); log = null; });

  it('measures the log since the newest snapshot in the store', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(mkdtempSync(join(tmpdir(), 'keel-sched-')));
    const writer = new RecordingWriter(log.client, 'shard-0', seededRandom(11));
    for (let i = 0; i < 30; i++) await writer.write({ t: 'effects', batch: writer.nextBatch() });
    const check = (schedule: typeof none) => checkSnapshotDue(log!.client, 'shard-0', store, 0, schedule, 7);
    expect(await check({ ...none, everyEntries: 1000 })).toMatchObject({ due: true, reason: 'no snapshot yet', tailLsn: 30 });
    await runSnapshotJob({
      client: log.client, shard: 0, store, key: null, limits: defaultSnapshotLimits, databases: 16, logger: quietLogger,
      mark: false, retainEntries: 0, keep: 3, keepDays: 0, force: false,
    });
    for (let i = 0; i < 20; i++) await writer.write({ t: 'effects', batch: writer.nextBatch() });
    expect(await check({ ...none, everyEntries: 20 })).toMatchObject({ due: true, latestLsn: 30, entriesSince: 20 });
    expect(await check({ ...none, everyEntries: 21 })).toMatchObject({ due: false });
    expect((await check({ ...none, everyBytes: 1 })).due).toBe(true);
    expect((await check({ ...none, everyBytes: 1_000_000 })).due).toBe(false);
    expect((await check({ ...none, intervalMs: 3_600_000 })).due).toBe(false);
  });
});
