// Publishing a verified snapshot from the shard's writer, as a Snapshot{lsn, location,
// checksum} *record* appended through the primary's own committer (with snapshotLsn so the trim
// guard moves in the same Raft entry), then trimming. The snapshotter does not need this: it
// records snapshots with the log's MarkSnapshot, which takes no LSN and so never conflicts with
// the primary's conditional appends (see README, "Marker and a serving primary"). Kept for a
// writer that wants the marker in the log's entry stream; `submit` is the committer's append
// (it must pass snapshotLsn through).
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
