// Publishing a verified snapshot from the shard's writer. A marker appended by anyone else
// fences the serving primary (its next conditional append conflicts), so on a live shard the
// primary itself should append Snapshot{lsn, location, checksum} — through its own committer,
// with snapshotLsn so the trim guard moves in the same Raft entry — and then trim. This is the
// writer-side half; `submit` is the committer's append (it must pass snapshotLsn through).
import type { LogClient } from '../../log-service/client/log-client.js';
import type { ShardRecord } from '../replication/records.js';
import { assert } from '../util/assert.js';

export interface PublishableSnapshot {
  lsn: number;
  location: string;
  checksum: string;
}

/**
 * Appends the marker through `submit` (resolves once committed), then trims the log before
 * lsn + 1 - retainEntries. Returns the trim point, or null when nothing needed trimming.
 */
export async function publishSnapshot(
  snapshot: PublishableSnapshot,
  submit: (record: Extract<ShardRecord, { t: 'snapshot' }>, snapshotLsn: number) => Promise<void>,
  client: LogClient,
  logName: string,
  retainEntries: number,
): Promise<number | null> {
  assert(retainEntries >= 0, 'retainEntries must be >= 0');
  await submit({ t: 'snapshot', lsn: snapshot.lsn, location: snapshot.location, checksum: snapshot.checksum }, snapshot.lsn);
  const trimBefore = Math.max(1, snapshot.lsn + 1 - retainEntries);
  assert(trimBefore <= snapshot.lsn + 1, 'trim must never pass the verified snapshot');
  const { firstLsn } = await client.tail(logName);
  if (trimBefore <= firstLsn) return null;
  await client.trim(logName, trimBefore);
  return trimBefore;
}
