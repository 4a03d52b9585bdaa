// The off-box snapshotter against a real (in-process, one-node) log service.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, renameSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runSnapshotJob, trimPoint, type SnapshotJobOptions } from '../../src/snapshot/snapshotter.js';
import { loadLatestSnapshot } from '../../src/snapshot/loader.js';
import { checkSnapshotAgainstLog } from '../../src/snapshot/log-check.js';
import { LocalDirectoryStore } from '../../src/snapshot/local-store.js';
import { defaultSnapshotLimits } from '../../src/snapshot/limits.js';
import { EncryptionKey } from '../../src/snapshot/encryption.js';
import { SnapshotError } from '../../src/snapshot/errors.js';
import { LogError } from '../../log-service/errors.js';
import { decodeRecord } from '../../src/replication/records.js';
import { seededRandom } from '../helpers/engine.js';
import { fullDump } from './fixtures.js';
import { quietLogger, RecordingWriter, startLog, type LogFixture } from './log-fixture.js';
import { S3Store } from '../../src/snapshot/s3-store.js';
import type { SnapshotStore } from '../../src/snapshot/store.js';
import { startLocalS3, s3rverCredentials } from './s3rver.js';
import { publishSnapshot } from '../../src/snapshot/publish.js';
import { readAll } from './byte-streams.js';
import { encodeRecord } from '../../src/replication/records.js';

const logName = 'shard-0';
let log: LogFixture | null = null;
afterEach(async () => { await log?.close(); log = null; });

function storeDir(): string {
  return mkdtempSync(join(tmpdir(), 'keel-snapstore-'));
}

function jobOptions(fixture: LogFixture, store: SnapshotStore, extra: Partial<SnapshotJobOptions> = {}): SnapshotJobOptions {
  return {
    client: fixture.client, shard: 0, store, key: null, limits: { ...defaultSnapshotLimits, chunkBytesTarget: 2048 }, databases: 16, logger: quietLogger,
    mark: true, retainEntries: 0, keep: 3, keepDays: 0, force: false, ...extra,
  };
}

async function load(fixture: LogFixture, store: SnapshotStore, key: EncryptionKey | null = null) {
  return loadLatestSnapshot(store, {
    shard: 0, databases: 16, key, limits: defaultSnapshotLimits, logger: quietLogger,
    checkHeader: (header, what) => checkSnapshotAgainstLog(fixture.client, logName, header, what),
  });
}

async function writeMany(writer: RecordingWriter, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await writer.write({ t: 'effects', batch: writer.nextBatch() });
}

describe('snapshotter', () => {
  it('snapshot, marker, trim, then a second snapshot from the first plus the log', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(storeDir());
    const writer = new RecordingWriter(log.client, logName, seededRandom(1));
    await writeMany(writer, 300);
    const first = await runSnapshotJob(jobOptions(log, store, { retainEntries: 10 }));
    expect(first).toMatchObject({ status: 'written', lsn: 300, baseLsn: 0, replayedEntries: 300, trimmedBeforeLsn: 291, markerLsn: 300 });
    // The marker takes no LSN (MarkSnapshot): it moves the trim guard and is kept as the log's snapshot info.
    const tail = await log.client.tail(logName);
    expect(tail).toMatchObject({ firstLsn: 291, snapshotLsn: 300, tailLsn: 300 });
    expect(JSON.parse(new TextDecoder().decode(tail.snapshotInfo!))).toEqual({ location: first.location, checksum: first.checksum });

    await writeMany(writer, 200);
    const second = await runSnapshotJob(jobOptions(log, store));
    // Trimmed no further than the first snapshot: it stays the fallback for the second.
    expect(second).toMatchObject({ status: 'written', lsn: 500, baseLsn: 300, replayedEntries: 200, trimmedBeforeLsn: 301 });
    const loaded = await load(log, store);
    expect(loaded!.header.lsn).toBe(500);
    expect(fullDump(loaded!.engine)).toEqual(fullDump(writer.stateAt(500)));
    // Nothing new since: no new snapshot.
    const third = await runSnapshotJob(jobOptions(log, store));
    expect(third).toMatchObject({ status: 'up-to-date', lsn: 500, markerLsn: null });
  });

  it('a snapshot taken during a steady write load holds exactly the state at its LSN', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(storeDir());
    const writer = new RecordingWriter(log.client, logName, seededRandom(2));
    await writeMany(writer, 100);
    let writing = true;
    const load$ = (async () => { while (writing) await writer.write({ t: 'effects', batch: writer.nextBatch() }); })();
    const result = await runSnapshotJob(jobOptions(log, store, { mark: false }));
    writing = false;
    await load$;
    const tail = (await log.client.tail(logName)).tailLsn;
    expect(tail).toBeGreaterThan(result.lsn); // writes did continue past the snapshot
    const loaded = await load(log, store);
    expect(loaded!.header.lsn).toBe(result.lsn);
    expect(fullDump(loaded!.engine)).toEqual(fullDump(writer.stateAt(result.lsn)));
  });

  it('paced (bytesPerSec), the job takes as long as its bytes at that rate and writes the same snapshot', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(storeDir());
    const writer = new RecordingWriter(log.client, logName, seededRandom(4));
    await writeMany(writer, 200);
    const first = await runSnapshotJob(jobOptions(log, store, { mark: false }));
    await writeMany(writer, 50);
    const bytesPerSec = 64 * 1024;
    const started = performance.now();
    const second = await runSnapshotJob(jobOptions(log, store, { mark: false, bytesPerSec }));
    const elapsedMs = performance.now() - started;
    // It read the first snapshot and the log, wrote the second and read it back: every byte of
    // the three snapshot passes went through the pace (the log's too; not counted here).
    const pacedBytes = first.bytes + 2 * second.bytes;
    expect(pacedBytes).toBeGreaterThan(10_000); // enough to take a measurable time at this rate
    // Each piece waits until start + bytes so far / rate: never earlier (timers may round by 1 ms).
    expect(elapsedMs).toBeGreaterThanOrEqual((pacedBytes / bytesPerSec) * 1000 - 5);
    const loaded = await load(log, store);
    expect(loaded!.header.lsn).toBe(250);
    expect(fullDump(loaded!.engine)).toEqual(fullDump(writer.stateAt(250)));
  });

  it('trim never passes the latest verified snapshot', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(storeDir());
    const writer = new RecordingWriter(log.client, logName, seededRandom(3));
    await writeMany(writer, 50);
    // No snapshot yet: any trim is refused.
    await expect(log.client.trim(logName, 2)).rejects.toMatchObject({ code: 'LOG_TRIM_REFUSED' });
    const result = await runSnapshotJob(jobOptions(log, store, { retainEntries: 0 }));
    expect(result.trimmedBeforeLsn).toBe(51);
    await writeMany(writer, 20);
    await expect(log.client.trim(logName, 53)).rejects.toMatchObject({ code: 'LOG_TRIM_REFUSED' });
    // A snapshot written without a marker does not move the guard either.
    await runSnapshotJob(jobOptions(log, store, { mark: false }));
    await expect(log.client.trim(logName, 53)).rejects.toBeInstanceOf(LogError);
    expect((await log.client.tail(logName)).firstLsn).toBe(51);
  });

  it('a corrupt or truncated newest snapshot is reported and the previous one is used', async () => {
    log = await startLog();
    const dir = storeDir();
    const store = new LocalDirectoryStore(dir);
    const writer = new RecordingWriter(log.client, logName, seededRandom(4));
    await writeMany(writer, 40);
    const older = await runSnapshotJob(jobOptions(log, store, { mark: false }));
    await writeMany(writer, 40);
    const newer = await runSnapshotJob(jobOptions(log, store, { mark: false }));
    expect(newer.lsn).toBeGreaterThan(older.lsn);
    const files = readdirSync(join(dir, 'shard-0')).sort();
    const newest = join(dir, 'shard-0', files[files.length - 1]!);
    const original = readFileSync(newest);

    const damaged = Buffer.from(original);
    damaged[Math.floor(damaged.length / 2)] ^= 0x40;
    writeFileSync(newest, damaged);
    const errors: string[] = [];
    const logger = quietLogger.child({});
    logger.error = ((fields: { code: string }) => { errors.push(fields.code); }) as never;
    const loaded = await loadLatestSnapshot(store, { shard: 0, databases: 16, key: null, limits: defaultSnapshotLimits, logger });
    expect(errors).toEqual(['SNAPSHOT_CORRUPT']);
    expect(loaded!.header.lsn).toBe(older.lsn);
    expect(fullDump(loaded!.engine)).toEqual(fullDump(writer.stateAt(older.lsn)));

    writeFileSync(newest, original);
    truncateSync(newest, statSync(newest).size - 7);
    errors.length = 0;
    const again = await loadLatestSnapshot(store, { shard: 0, databases: 16, key: null, limits: defaultSnapshotLimits, logger });
    expect(errors).toEqual(['SNAPSHOT_TRUNCATED']);
    expect(again!.header.lsn).toBe(older.lsn);
  });

  it('the log is trimmed no further than the previous snapshot, so a corrupt newest one still falls back after the trim', async () => {
    log = await startLog();
    const dir = storeDir();
    const store = new LocalDirectoryStore(dir);
    const writer = new RecordingWriter(log.client, logName, seededRandom(11));
    await writeMany(writer, 100);
    const older = await runSnapshotJob(jobOptions(log, store, { retainEntries: 10 }));
    expect(older).toMatchObject({ lsn: 100, trimmedBeforeLsn: 91 });
    await writeMany(writer, 100);
    const newer = await runSnapshotJob(jobOptions(log, store, { retainEntries: 10 }));
    expect(newer).toMatchObject({ lsn: 200, baseLsn: 100, trimmedBeforeLsn: 101 });
    expect((await log.client.tail(logName)).firstLsn).toBe(101);

    const newest = join(dir, 'shard-0', readdirSync(join(dir, 'shard-0')).sort().pop()!);
    const damaged = readFileSync(newest);
    damaged[Math.floor(damaged.length / 2)] ^= 0x40;
    writeFileSync(newest, damaged);
    const loaded = await load(log, store);
    expect(loaded!.header.lsn).toBe(100);
    // What a restarting node does: the previous snapshot plus the log after it.
    const replayed = await runSnapshotJob(jobOptions(log, store, { mark: false, force: true }));
    expect(replayed).toMatchObject({ baseLsn: 100, lsn: 200 });
    expect(fullDump((await load(log, store))!.engine)).toEqual(fullDump(writer.stateAt(200)));
  });

  it('without a kept previous snapshot (--keep 1) the trim goes to the retention point', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(storeDir());
    const writer = new RecordingWriter(log.client, logName, seededRandom(12));
    await writeMany(writer, 50);
    await runSnapshotJob(jobOptions(log, store, { keep: 1 }));
    await writeMany(writer, 50);
    const second = await runSnapshotJob(jobOptions(log, store, { keep: 1, retainEntries: 5 }));
    expect(second).toMatchObject({ lsn: 100, baseLsn: 50, trimmedBeforeLsn: 96 });
    expect(second.deleted).toHaveLength(1);
  });

  it('trimPoint: retention, bounded by the fallback snapshot', () => {
    expect(trimPoint(500, 0, null)).toBe(501);
    expect(trimPoint(500, 10, null)).toBe(491);
    expect(trimPoint(5, 10, null)).toBe(1);
    expect(trimPoint(500, 10, 300)).toBe(301);
    expect(trimPoint(500, 300, 300)).toBe(201);
  });

  it('a snapshot of another log is rejected by the running checksum', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(storeDir());
    const writer = new RecordingWriter(log.client, logName, seededRandom(5));
    await writeMany(writer, 30);
    await runSnapshotJob(jobOptions(log, store, { mark: false }));
    await log.close();
    log = await startLog(); // a different log with as many entries
    const other = new RecordingWriter(log.client, logName, seededRandom(6));
    await writeMany(other, 31);
    const codes: string[] = [];
    const logger = quietLogger.child({});
    logger.error = ((fields: { code: string }) => { codes.push(fields.code); }) as never;
    const loaded = await loadLatestSnapshot(store, {
      shard: 0, databases: 16, key: null, limits: defaultSnapshotLimits, logger,
      checkHeader: (header, what) => checkSnapshotAgainstLog(log!.client, logName, header, what),
    });
    expect(loaded).toBeNull(); // skipped, reported
    expect(codes).toEqual(['SNAPSHOT_LOG_MISMATCH']);
  });

  it('encrypted snapshots need the key; a wrong key stops loading instead of falling back', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(storeDir());
    const writer = new RecordingWriter(log.client, logName, seededRandom(7));
    await writeMany(writer, 30);
    const key = new EncryptionKey(randomBytes(32));
    await runSnapshotJob(jobOptions(log, store, { key, mark: false }));
    expect(fullDump((await load(log, store, key))!.engine)).toEqual(fullDump(writer.stateAt(30)));
    await expect(load(log, store, null)).rejects.toMatchObject({ code: 'SNAPSHOT_KEY_REQUIRED' });
    await expect(load(log, store, new EncryptionKey(randomBytes(32)))).rejects.toBeInstanceOf(SnapshotError);
    await expect(load(log, store, new EncryptionKey(randomBytes(32)))).rejects.toMatchObject({ code: 'SNAPSHOT_KEY_MISMATCH' });
  });

  it('retention keeps --keep snapshots and never the newest', async () => {
    log = await startLog();
    const dir = storeDir();
    const store = new LocalDirectoryStore(dir);
    const writer = new RecordingWriter(log.client, logName, seededRandom(8));
    const lsns: number[] = [];
    for (let round = 0; round < 4; round++) {
      await writeMany(writer, 5);
      lsns.push((await runSnapshotJob(jobOptions(log, store, { keep: 2, mark: false }))).lsn);
    }
    const kept = readdirSync(join(dir, 'shard-0')).map((name) => Number(name.slice(0, 20))).sort((a, b) => a - b);
    expect(kept).toEqual(lsns.slice(-2));
  });

  it('a snapshot that does not read back as written is deleted, nothing is marked or trimmed, and the job fails', async () => {
    log = await startLog();
    const dir = storeDir();
    // A store whose reads flip one byte in the middle: what a bad disk or a broken upload does.
    class FlippingStore extends LocalDirectoryStore {
      override async *get(name: string): AsyncIterable<Uint8Array> {
        const whole = await readAll(super.get(name));
        whole[Math.floor(whole.length / 2)] ^= 0x40;
        yield whole;
      }
    }
    const writer = new RecordingWriter(log.client, logName, seededRandom(14));
    await writeMany(writer, 40);
    const before = await log.client.tail(logName);
    await expect(runSnapshotJob(jobOptions(log, new FlippingStore(dir)))).rejects.toBeInstanceOf(SnapshotError);
    expect(readdirSync(join(dir, 'shard-0'))).toEqual([]);
    expect(await log.client.tail(logName)).toMatchObject({ firstLsn: before.firstLsn, snapshotLsn: before.snapshotLsn });
  });

  it('--keep-days deletes snapshots older than the limit, never the newest', async () => {
    log = await startLog();
    const dir = storeDir();
    const store = new LocalDirectoryStore(dir);
    const writer = new RecordingWriter(log.client, logName, seededRandom(13));
    await writeMany(writer, 5);
    const first = await runSnapshotJob(jobOptions(log, store, { mark: false }));
    // The same snapshot as if written three days ago (the name carries its creation time).
    const shardDir = join(dir, 'shard-0');
    const [firstFile] = readdirSync(shardDir);
    const threeDaysAgo = Date.now() - 3 * 24 * 3600 * 1000;
    renameSync(join(shardDir, firstFile!), join(shardDir, `${String(first.lsn).padStart(20, '0')}-${threeDaysAgo}.ksnap`));
    await writeMany(writer, 5);
    const second = await runSnapshotJob(jobOptions(log, store, { mark: false, keep: 10, keepDays: 1 }));
    expect(second.deleted).toEqual([`shard-0/${String(first.lsn).padStart(20, '0')}-${threeDaysAgo}.ksnap`]);
    expect(readdirSync(shardDir)).toHaveLength(1);
    // The newest is kept whatever its age.
    const [secondFile] = readdirSync(shardDir);
    renameSync(join(shardDir, secondFile!), join(shardDir, `${String(second.lsn).padStart(20, '0')}-${threeDaysAgo}.ksnap`));
    const third = await runSnapshotJob(jobOptions(log, store, { mark: false, keep: 10, keepDays: 1 }));
    expect(third).toMatchObject({ status: 'up-to-date', deleted: [] });
    expect(readdirSync(shardDir)).toHaveLength(1);
  });

  it('S3 round trip through s3rver: snapshot (multipart), trim, load, encrypted', async () => {
    log = await startLog();
    const s3 = await startLocalS3();
    try {
      const partBytes = 5 * 1024 * 1024;
      const store = new S3Store({ bucket: s3.bucket, prefix: 'cluster-1', endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3rverCredentials }, { ...defaultSnapshotLimits, s3PartBytes: partBytes, s3SinglePutBytesMax: partBytes });
      const writer = new RecordingWriter(log.client, logName, seededRandom(9));
      await writeMany(writer, 100);
      // Enough bulk to need a multipart upload (> one 5 MiB part).
      const bulk = 'x'.repeat(100_000);
      for (let i = 0; i < 60; i++) await writer.write({ t: 'effects', batch: [{ db: 1, argv: ['SET', `bulk${i}`, bulk] }] });
      const key = new EncryptionKey(randomBytes(32));
      const result = await runSnapshotJob(jobOptions(log, store, { key, retainEntries: 5 }));
      expect(result.location).toMatch(/^s3:\/\/keel-snapshots\/cluster-1\/shard-0\//);
      expect(result.bytes).toBeGreaterThan(partBytes);
      expect(result.trimmedBeforeLsn).toBe(156);
      const loaded = await load(log, store, key);
      expect(loaded!.header.lsn).toBe(160);
      expect(fullDump(loaded!.engine)).toEqual(fullDump(writer.stateAt(160)));
      store.close();
    } finally {
      await s3.close();
    }
  }, 60_000);

  it('the writer publishes a --mark no snapshot itself: marker with the trim guard, then trim', async () => {
    log = await startLog();
    const store = new LocalDirectoryStore(storeDir());
    const writer = new RecordingWriter(log.client, logName, seededRandom(10));
    await writeMany(writer, 60);
    const result = await runSnapshotJob(jobOptions(log, store, { mark: false }));
    expect(result.markerLsn).toBeNull();
    await writeMany(writer, 10);
    // The writer's own conditional append, as the primary's committer would make it.
    const fixture = log;
    const trimmed = await publishSnapshot(result, async (record, snapshotLsn) => {
      const { tailLsn } = await fixture.client.tail(logName);
      await fixture.client.append(logName, [encodeRecord(record)], { prevLsn: tailLsn, snapshotLsn });
    }, log.client, logName, 5);
    expect(trimmed).toBe(56);
    expect(await log.client.tail(logName)).toMatchObject({ firstLsn: 56, snapshotLsn: 60, tailLsn: 71 });
    const loaded = await load(log, store);
    expect(fullDump(loaded!.engine)).toEqual(fullDump(writer.stateAt(60)));
  });
});
