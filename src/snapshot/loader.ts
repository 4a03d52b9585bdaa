// Restore on start-up: the newest snapshot that reads back whole, passes every checksum and
// belongs to this log. A corrupt, truncated or foreign snapshot is reported loudly and the one
// before it is tried. A missing or wrong encryption key stops the start-up instead: falling
// back to an older snapshot would silently serve older data.
import type { Logger } from 'pino';
import { Engine } from '../engine/engine.js';
import { listSnapshots } from './catalog.js';
import type { EncryptionKey } from './encryption.js';
import { SnapshotError } from './errors.js';
import { decodeSnapshot, restoreRecord, type SnapshotHeader, type SnapshotTrailer } from './format.js';
import type { SnapshotLimits } from './limits.js';
import { Progress } from './progress.js';
import type { SnapshotStore } from './store.js';

export interface LoadedSnapshot {
  engine: Engine;
  header: SnapshotHeader;
  trailer: SnapshotTrailer;
  name: string;
  location: string;
  bytes: number;
}

export interface LoadOptions {
  shard: number;
  databases: number;
  key: EncryptionKey | null;
  limits: SnapshotLimits;
  logger: Logger;
  /** Throws SNAPSHOT_LOG_MISMATCH when the snapshot does not fit the log (see log-check.ts). */
  checkHeader?: (header: SnapshotHeader, what: string) => Promise<void>;
  /** Only snapshots at or below this LSN (the snapshotter: at or below the tail it replays to). */
  lsnMax?: number;
}

const skippable = new Set(['SNAPSHOT_CORRUPT', 'SNAPSHOT_TRUNCATED', 'SNAPSHOT_FORMAT', 'SNAPSHOT_LOG_MISMATCH', 'SNAPSHOT_NOT_FOUND']);

/** The newest valid snapshot of the shard, or null when the store holds none. */
export async function loadLatestSnapshot(store: SnapshotStore, options: LoadOptions): Promise<LoadedSnapshot | null> {
  const candidates = (await listSnapshots(store, options.shard)).filter((entry) => options.lsnMax === undefined || entry.lsn <= options.lsnMax);
  for (const [index, candidate] of candidates.entries()) {
    const location = store.location(candidate.name);
    try {
      const loaded = await loadSnapshot(store, candidate.name, options);
      if (index > 0) options.logger.warn({ location, lsn: loaded.header.lsn, skipped: index }, 'restored from an OLDER snapshot because newer ones are invalid (see the errors above)');
      return loaded;
    } catch (error) {
      if (!(error instanceof SnapshotError) || !skippable.has(error.code)) throw error;
      options.logger.error({ location, code: error.code, err: error.message }, 'SNAPSHOT INVALID: skipping it and trying the previous one');
    }
  }
  return null;
}

/** Reads and verifies one snapshot into a fresh engine. */
export async function loadSnapshot(store: SnapshotStore, name: string, options: LoadOptions): Promise<LoadedSnapshot> {
  const location = store.location(name);
  const engine = new Engine({ databases: options.databases });
  const nowMs = Date.now();
  let progress: Progress | null = null;
  const { header, trailer, bytes } = await decodeSnapshot(store.get(name), {
    key: options.key, limits: options.limits, what: location,
    onHeader: (found) => {
      if (found.shard !== options.shard) throw new SnapshotError('SNAPSHOT_LOG_MISMATCH', `${location} is a snapshot of shard ${found.shard}, not ${options.shard}`);
      if (found.databases > options.databases) throw new SnapshotError('SNAPSHOT_FORMAT', `${location} has ${found.databases} databases; this node is configured with ${options.databases}`);
      progress = new Progress('restore', found.keyCount, options.logger, options.limits.progressIntervalMs);
    },
    onRecord: (record) => restoreRecord(engine, record, nowMs),
    onProgress: (sample) => progress?.update(sample),
  });
  (progress as Progress | null)?.done();
  await options.checkHeader?.(header, location);
  return { engine, header, trailer, name, location, bytes };
}
