// Disaster recovery: `keel restore` seeds a new cluster from one snapshot; `keel backup`
// copies the latest verified snapshot out of a cluster's store.
//
// A new cluster has a new, empty log, so a seeded snapshot cannot keep its old LSN (the
// first node would wait for entries that never come). restoreSnapshot rewrites it as the
// state at LSN 0 of the new log — "before the first entry" — and records where it came
// from in the header. Every db node of the new cluster then loads it and replays the new
// log from LSN 1.
import type { Logger } from 'pino';
import { Engine } from '../engine/engine.js';
import { checksumHex, emptyChainChecksum } from '../../log-service/checksum.js';
import { listSnapshots, snapshotName } from './catalog.js';
import type { EncryptionKey } from './encryption.js';
import { SnapshotError } from './errors.js';
import { decodeSnapshot, encodeSnapshot, restoreRecord } from './format.js';
import type { SnapshotLimits } from './limits.js';
import { Progress } from './progress.js';
import type { SnapshotStore } from './store.js';

export interface RestoreResult {
  status: 'restored';
  from: string;
  to: string;
  shard: number;
  sourceLsn: number;
  keys: number;
  bytes: number;
  checksum: string;
  ms: number;
}

export async function restoreSnapshot(options: {
  source: { store: SnapshotStore; name: string };
  target: SnapshotStore;
  /** Shard of the new cluster (default: the snapshot's). */
  shard: number | null;
  databases: number;
  key: EncryptionKey | null;
  limits: SnapshotLimits;
  logger: Logger;
  /** Allow seeding a store that already holds snapshots of the shard. */
  force: boolean;
}): Promise<RestoreResult> {
  const startedAtMs = Date.now();
  const from = options.source.store.location(options.source.name);
  const engine = new Engine({ databases: options.databases });
  const nowMs = Date.now();
  let progress: Progress | null = null;
  const { header } = await decodeSnapshot(options.source.store.get(options.source.name), {
    key: options.key, limits: options.limits, what: from,
    onHeader: (found) => {
      if (found.databases > options.databases) throw new SnapshotError('SNAPSHOT_FORMAT', `${from} has ${found.databases} databases; --databases is ${options.databases}`);
      progress = new Progress('restore read', found.keyCount, options.logger, options.limits.progressIntervalMs);
    },
    onRecord: (record) => restoreRecord(engine, record, nowMs),
    onProgress: (sample) => progress?.update(sample),
  });
  (progress as Progress | null)?.done();
  const shard = options.shard ?? header.shard;
  const existing = await listSnapshots(options.target, shard);
  if (existing.length > 0 && !options.force) {
    throw new SnapshotError('SNAPSHOT_LOG_MISMATCH', `${options.target.url} already holds ${existing.length} snapshot(s) of shard ${shard}; restore seeds a NEW cluster (use --force to add this one anyway)`);
  }
  const createdAtMs = Date.now();
  const name = snapshotName(shard, 0, createdAtMs);
  const writeProgress = new Progress('restore write', engine.keyCount(), options.logger, options.limits.progressIntervalMs);
  const encoded = encodeSnapshot(engine, {
    shard, lsn: 0, logChecksum: checksumHex(emptyChainChecksum), createdAtMs,
    restoredFrom: { location: from, shard: header.shard, lsn: header.lsn, logChecksum: header.logChecksum },
  }, { key: options.key, limits: options.limits, onProgress: (sample) => writeProgress.update(sample) });
  const { bytes } = await options.target.put(name, encoded.stream);
  writeProgress.done();
  const trailer = encoded.result();
  const readBack = await decodeSnapshot(options.target.get(name), { key: options.key, limits: options.limits, what: options.target.location(name) });
  if (readBack.trailer.bodyChecksum !== trailer.bodyChecksum) {
    await options.target.delete(name).catch(() => undefined);
    throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.target.location(name)} read back differs from what was written`);
  }
  return { status: 'restored', from, to: options.target.location(name), shard, sourceLsn: header.lsn, keys: engine.keyCount(), bytes, checksum: trailer.bodyChecksum, ms: Date.now() - startedAtMs };
}

export interface BackupResult {
  status: 'copied';
  from: string;
  to: string;
  shard: number;
  lsn: number;
  keys: number;
  bytes: number;
  checksum: string;
  ms: number;
}

/** Copies the newest snapshot of the shard that passes every checksum to `target`, and checks the copy. */
export async function backupLatest(options: {
  source: SnapshotStore;
  target: SnapshotStore;
  shard: number;
  key: EncryptionKey | null;
  limits: SnapshotLimits;
  logger: Logger;
}): Promise<BackupResult> {
  const startedAtMs = Date.now();
  const { source, target, limits, logger } = options;
  for (const candidate of await listSnapshots(source, options.shard)) {
    const from = source.location(candidate.name);
    let verified;
    let verifyProgress: Progress | null = null;
    try {
      verified = await decodeSnapshot(source.get(candidate.name), {
        key: options.key, limits, what: from,
        onHeader: (header) => { verifyProgress = new Progress('backup verify', header.keyCount, logger, limits.progressIntervalMs); },
        onProgress: (sample) => verifyProgress?.update(sample),
      });
      (verifyProgress as Progress | null)?.done();
    } catch (error) {
      if (error instanceof SnapshotError && ['SNAPSHOT_CORRUPT', 'SNAPSHOT_TRUNCATED', 'SNAPSHOT_FORMAT'].includes(error.code)) {
        logger.error({ location: from, code: error.code, err: error.message }, 'SNAPSHOT INVALID: not backing it up; trying the previous one');
        continue;
      }
      throw error;
    }
    // The copy moves bytes, not keys: keys are counted as the share of the file copied.
    const keysTotal = verified.header.keyCount;
    const progress = new Progress('backup copy', keysTotal, logger, limits.progressIntervalMs);
    let copied = 0;
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const block of source.get(candidate.name)) {
        copied += block.length;
        progress.update({ keys: Math.min(keysTotal, Math.floor((keysTotal * copied) / Math.max(1, candidate.bytes))), bytes: copied });
        yield block;
      }
    }
    const { bytes } = await target.put(candidate.name, counted());
    progress.update({ keys: keysTotal, bytes: copied });
    progress.done();
    const to = target.location(candidate.name);
    const copy = await decodeSnapshot(target.get(candidate.name), { key: options.key, limits, what: to });
    if (copy.trailer.bodyChecksum !== verified.trailer.bodyChecksum) throw new SnapshotError('SNAPSHOT_CORRUPT', `${to}: the copy differs from ${from}`);
    return {
      status: 'copied', from, to, shard: options.shard, lsn: verified.header.lsn, keys: verified.header.keyCount, bytes,
      checksum: verified.trailer.bodyChecksum, ms: Date.now() - startedAtMs,
    };
  }
  throw new SnapshotError('SNAPSHOT_NOT_FOUND', `no valid snapshot of shard ${options.shard} in ${source.url}`);
}
