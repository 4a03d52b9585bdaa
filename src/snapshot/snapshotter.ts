// The off-box snapshotter (DESIGN.md §5; MemoryDB's off-box snapshots): it never talks to the
// primary. It restores the latest snapshot, replays the log to the tail it recorded at start,
// writes the new snapshot, verifies it by reading it back, and only then (when marking)
// appends Snapshot{lsn, location, checksum} with the log's trim guard moved to that LSN in
// the same batch, trims the log before lsn + 1 - retainEntries, and prunes old snapshots.
import type { Logger } from 'pino';
import type { LogClient } from '../../log-service/client/log-client.js';
import { checksumHex, emptyChainChecksum } from '../../log-service/checksum.js';
import { LogError } from '../../log-service/errors.js';
import { Engine } from '../engine/engine.js';
import { decodeRecord } from '../replication/records.js';
import { assert } from '../util/assert.js';
import { listSnapshots, snapshotName } from './catalog.js';
import { openPayload, type EncryptionKey } from './encryption.js';
import { SnapshotError } from './errors.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotHeader } from './format.js';
import type { SnapshotLimits } from './limits.js';
import { checkSnapshotAgainstLog } from './log-check.js';
import { loadLatestSnapshot } from './loader.js';
import { SnapshotLogReader, type ReadFrom } from './log-reader.js';
import { Pace, pacedStore } from './pace.js';
import { Progress } from './progress.js';
import type { SnapshotStore } from './store.js';

export interface SnapshotJobOptions {
  client: LogClient;
  shard: number;
  store: SnapshotStore;
  key: EncryptionKey | null;
  limits: SnapshotLimits;
  databases: number;
  logger: Logger;
  /** Append the Snapshot marker (moving the trim guard) and trim. */
  mark: boolean;
  /** Entries kept before the snapshot's LSN when trimming. */
  retainEntries: number;
  /** Snapshots kept (newest first); at least 1. */
  keep: number;
  /** Snapshots older than this many days are deleted (0 = no age limit); the newest is always kept. */
  keepDays: number;
  /** Write a snapshot even when the newest one is already at the log's tail. */
  force: boolean;
  /** Replay from a follower log node (default) or the leader (see log-reader.ts). */
  readFrom?: ReadFrom;
  /**
   * Pace of everything the job reads and writes — the newest snapshot, the log, the new snapshot
   * and its read-back — in bytes per second; 0 (default) = no limit (see pace.ts).
   */
  bytesPerSec?: number;
}

export interface SnapshotJobResult {
  status: 'written' | 'up-to-date';
  shard: number;
  lsn: number;
  location: string;
  checksum: string;
  keys: number;
  bytes: number;
  /** LSN of the snapshot it started from (0 = none). */
  baseLsn: number;
  replayedEntries: number;
  /** The log node the replay read from (host:port), or 'leader'. */
  readFrom: string;
  /** The snapshot LSN recorded by MarkSnapshot (null when not marking). */
  markerLsn: number | null;
  trimmedBeforeLsn: number | null;
  deleted: string[];
  ms: number;
}


export async function runSnapshotJob(options: SnapshotJobOptions): Promise<SnapshotJobResult> {
  const startedAtMs = Date.now();
  const { client, logger, limits } = options;
  const pace = new Pace(options.bytesPerSec ?? 0);
  const store = pacedStore(options.store, pace);
  assert(options.keep >= 1, 'keep must be >= 1');
  const logName = `shard-${options.shard}`;
  const tail = await client.tail(logName);
  const targetLsn = tail.tailLsn;
  const targetChecksum = checksumHex(tail.checksum);
  logger.info({ log: logName, tailLsn: targetLsn, firstLsn: tail.firstLsn, store: store.url }, 'snapshot: replaying the log up to its tail at start');

  const base = await loadLatestSnapshot(store, {
    shard: options.shard, databases: options.databases, key: options.key, limits, logger, lsnMax: targetLsn,
    checkHeader: (header, what) => checkSnapshotAgainstLog(client, logName, header, what),
  });
  const baseLsn = base?.header.lsn ?? 0;
  if (!base && tail.firstLsn > 1) {
    throw new SnapshotError('SNAPSHOT_NOT_FOUND', `log ${logName} is trimmed to ${tail.firstLsn} but no valid snapshot of shard ${options.shard} is in ${store.url}`);
  }
  const engine = base?.engine ?? new Engine({ databases: options.databases });
  const control = { epoch: base?.header.control?.epoch ?? 0, primary: base?.header.control?.primary ?? null };
  const replayed = await replay(client, logName, engine, baseLsn, targetLsn, options, control, pace);
  const replayedChecksum = replayed.checksum ?? (baseLsn === 0 ? checksumHex(emptyChainChecksum) : base!.header.logChecksum);
  assert(replayedChecksum === targetChecksum, `log checksum at ${targetLsn} from the entries (${replayedChecksum}) differs from the tail's (${targetChecksum})`);
  if (base && replayed.changes === 0 && !options.force) {
    // Only markers and lease renewals since the newest snapshot: a new one would hold the same data.
    logger.info({ lsn: baseLsn, tailLsn: targetLsn, location: base.location }, 'snapshot: nothing but markers since the newest snapshot; nothing to do');
    return {
      status: 'up-to-date', shard: options.shard, lsn: baseLsn, location: base.location, checksum: base.trailer.bodyChecksum, keys: base.header.keyCount,
      bytes: base.bytes, baseLsn, replayedEntries: replayed.entries, readFrom: replayed.source, markerLsn: null, trimmedBeforeLsn: null, deleted: [], ms: Date.now() - startedAtMs,
    };
  }

  // Write.
  const createdAtMs = Date.now();
  const name = snapshotName(options.shard, targetLsn, createdAtMs);
  const location = store.location(name);
  const writeProgress = new Progress('snapshot write', engine.keyCount(), logger, limits.progressIntervalMs);
  const encoded = encodeSnapshot(engine, { shard: options.shard, lsn: targetLsn, logChecksum: targetChecksum, createdAtMs, control }, {
    key: options.key, limits, onProgress: (sample) => writeProgress.update(sample),
  });
  const { bytes } = await store.put(name, encoded.stream);
  writeProgress.done();
  const trailer = encoded.result();

  // Verify by reading it back: every frame checksum, the body checksum, the counts, and the
  // log's running checksum at its LSN.
  const verifyProgress = new Progress('snapshot verify', encoded.header.keyCount, logger, limits.progressIntervalMs);
  try {
    const readBack = await decodeSnapshot(store.get(name), { key: options.key, limits, what: location, onProgress: (sample) => verifyProgress.update(sample) });
    if (readBack.trailer.bodyChecksum !== trailer.bodyChecksum || readBack.header.lsn !== targetLsn || readBack.header.logChecksum !== targetChecksum || readBack.header.keyCount !== encoded.header.keyCount) {
      throw new SnapshotError('SNAPSHOT_CORRUPT', `${location} read back differs from what was written`);
    }
    await checkSnapshotAgainstLog(client, logName, readBack.header, location);
  } catch (error) {
    logger.error({ location, err: (error as Error).message }, 'snapshot failed verification; deleting it');
    await store.delete(name).catch(() => undefined);
    throw error;
  }
  verifyProgress.done();
  logger.info({ location, lsn: targetLsn, keys: encoded.header.keyCount, bytes, checksum: trailer.bodyChecksum }, 'snapshot written and verified');

  // Retention is decided before trimming: the snapshot this one was built from (loaded and
  // checked in full above) stays usable as the fallback, with the log after it, unless
  // retention deletes it.
  const doomed = await snapshotsBeyondRetention(store, options, targetLsn, name);
  const fallbackLsn = base && !doomed.includes(base.name) ? base.header.lsn : null;
  let markerLsn: number | null = null;
  let trimmedBeforeLsn: number | null = null;
  if (options.mark) {
    markerLsn = await appendMarker(client, logName, { lsn: targetLsn, location, checksum: trailer.bodyChecksum });
    const trimBefore = trimPoint(targetLsn, options.retainEntries, fallbackLsn);
    assert(trimBefore <= targetLsn + 1, 'trim must never pass the verified snapshot');
    const current = await client.tail(logName);
    if (trimBefore > current.firstLsn) {
      await client.trim(logName, trimBefore);
      trimmedBeforeLsn = trimBefore;
      logger.info({ log: logName, beforeLsn: trimBefore, snapshotLsn: targetLsn }, 'log trimmed behind the verified snapshot');
    }
  }
  const deleted = await deleteSnapshots(store, doomed, options.logger);
  return {
    status: 'written', shard: options.shard, lsn: targetLsn, location, checksum: trailer.bodyChecksum, keys: encoded.header.keyCount, bytes,
    baseLsn, replayedEntries: replayed.entries, readFrom: replayed.source, markerLsn, trimmedBeforeLsn, deleted, ms: Date.now() - startedAtMs,
  };
}

/** Applies entries (fromLsn, toLsn] of the log to engine; returns the checksum at toLsn. */
async function replay(
  client: LogClient, logName: string, engine: Engine, fromLsn: number, toLsn: number, options: SnapshotJobOptions,
  control: NonNullable<SnapshotHeader['control']>, pace: Pace,
): Promise<{ entries: number; changes: number; checksum: string | null; source: string }> {
  const reader = new SnapshotLogReader(client, logName, {
    readFrom: options.readFrom ?? 'follower', pace, entriesMax: options.limits.replayEntriesMax,
    followerCatchUpMs: options.limits.followerCatchUpMs, followerPollMs: options.limits.followerPollMs, logger: options.logger,
  });
  let applied = fromLsn;
  let changes = 0;
  let checksum: string | null = null;
  const total = toLsn - fromLsn;
  const progress = new Progress('snapshot replay', 0, options.logger, options.limits.progressIntervalMs);
  let bytes = 0;
  while (applied < toLsn) {
    let entries;
    try {
      entries = await reader.read(applied + 1, toLsn);
    } catch (error) {
      if (error instanceof LogError && error.code === 'LOG_TRIMMED') {
        throw new SnapshotError('SNAPSHOT_NOT_FOUND', `log ${logName} is trimmed past LSN ${applied + 1}, and no valid snapshot covers it`);
      }
      throw error;
    }
    assert(entries.length > 0, `log returned no entries after ${applied} below ${toLsn}`);
    for (const entry of entries) {
      if (entry.lsn > toLsn) break;
      assert(entry.lsn === applied + 1, `expected LSN ${applied + 1}, got ${entry.lsn}`);
      const record = decodeRecord(openPayload(options.key, logName, entry.payload, entry.lsn));
      // Leases, no-ops, handoffs and markers change nothing a snapshot holds.
      if (record.t === 'effects' || record.t === 'leader') changes += 1;
      if (record.t === 'effects') engine.applyEffects(record.batch);
      else if (record.t !== 'snapshot') {
        control.epoch = Math.max(control.epoch, record.epoch);
        if (record.t === 'leader') control.primary = { nodeId: record.nodeId, addr: record.addr, epoch: record.epoch };
      }
      applied = entry.lsn;
      checksum = checksumHex(entry.checksum);
      bytes += entry.payload.length;
    }
    progress.update({ keys: engine.keyCount(), bytes });
  }
  if (total > 0) progress.done();
  return { entries: total, changes, checksum, source: total > 0 ? reader.source : 'none' };
}

/**
 * Appends the marker at the current tail, conditionally (a batch that fails to chain is
 * retried at the new tail), with snapshotLsn so the trim guard moves in the same Raft entry.
 */
/**
 * Records the verified snapshot in the log with MarkSnapshot: it moves the trim guard and keeps
 * {location, checksum} in the log's metadata (Tail returns it) without taking an LSN. A marker
 * appended as an entry would move the tail under the serving primary, whose next conditional
 * append would then conflict and fence it. Returns the snapshot LSN the log now guards.
 */
async function appendMarker(client: LogClient, logName: string, marker: { lsn: number; location: string; checksum: string }): Promise<number> {
  const info = new TextEncoder().encode(JSON.stringify({ location: marker.location, checksum: marker.checksum }));
  const outcome = await client.markSnapshot(logName, marker.lsn, info);
  return outcome.snapshotLsn;
}

/**
 * The first LSN the log keeps behind a verified snapshot at snapshotLsn: retainEntries before
 * it, and never past the previous snapshot (fallbackLsn, when one is kept) — so that if the new
 * snapshot is later found corrupt, the previous one plus the log after it still rebuild the
 * data. The log then holds at most one snapshot interval more.
 */
export function trimPoint(snapshotLsn: number, retainEntries: number, fallbackLsn: number | null): number {
  const byRetention = Math.max(1, snapshotLsn + 1 - retainEntries);
  return fallbackLsn === null ? byRetention : Math.min(byRetention, fallbackLsn + 1);
}

/** Snapshots beyond keep (count) or older than keepDays; never one at or above keptLsn. */
async function snapshotsBeyondRetention(store: SnapshotStore, options: SnapshotJobOptions, keptLsn: number, keptName: string): Promise<string[]> {
  const snapshots = await listSnapshots(store, options.shard);
  const ageMaxMs = options.keepDays * 24 * 3600 * 1000;
  const now = Date.now();
  const doomed: string[] = [];
  snapshots.forEach((snapshot, index) => {
    if (snapshot.name === keptName || snapshot.lsn >= keptLsn) return;
    const tooMany = index >= options.keep;
    const tooOld = ageMaxMs > 0 && now - snapshot.createdAtMs > ageMaxMs;
    if (tooMany || tooOld) doomed.push(snapshot.name);
  });
  return doomed;
}

async function deleteSnapshots(store: SnapshotStore, names: string[], logger: SnapshotJobOptions['logger']): Promise<string[]> {
  for (const name of names) {
    await store.delete(name);
    logger.info({ location: store.location(name) }, 'old snapshot deleted (retention)');
  }
  return names;
}
