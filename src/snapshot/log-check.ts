// Does a snapshot belong to this log? Its header names an LSN and the log's running checksum
// there. The check needs no entry at the LSN itself: if entry lsn+1 is retained, the chain
// hash of (snapshot checksum, lsn+1, payload) must equal that entry's stored checksum; if the
// log ends at lsn, its tail checksum must equal the snapshot's.
import type { LogClient } from '../../log-service/client/log-client.js';
import { chainChecksum, checksumHex } from '../../log-service/checksum.js';
import { SnapshotError } from './errors.js';
import type { SnapshotHeader } from './format.js';

export async function checkSnapshotAgainstLog(client: LogClient, logName: string, header: Pick<SnapshotHeader, 'lsn' | 'logChecksum'>, what: string): Promise<void> {
  const tail = await client.tail(logName);
  if (header.lsn > tail.tailLsn) {
    throw new SnapshotError('SNAPSHOT_LOG_MISMATCH', `${what} is at LSN ${header.lsn}, beyond the tail ${tail.tailLsn} of log ${logName} (a snapshot of another cluster? seed a new cluster with keel restore)`);
  }
  if (header.lsn < tail.firstLsn - 1) {
    throw new SnapshotError('SNAPSHOT_LOG_MISMATCH', `${what} is at LSN ${header.lsn}, but log ${logName} is trimmed to ${tail.firstLsn}: the entries after it are gone`);
  }
  if (header.lsn === tail.tailLsn) {
    if (checksumHex(tail.checksum) !== header.logChecksum) {
      throw new SnapshotError('SNAPSHOT_LOG_MISMATCH', `${what}: log checksum ${header.logChecksum} differs from log ${logName}'s ${checksumHex(tail.checksum)} at LSN ${header.lsn}`);
    }
    return;
  }
  const { entries } = await client.read(logName, header.lsn + 1, { entriesMax: 1 });
  const next = entries[0];
  if (!next || next.lsn !== header.lsn + 1) throw new SnapshotError('SNAPSHOT_LOG_MISMATCH', `${what}: log ${logName} has no entry ${header.lsn + 1} to check against`);
  const expected = checksumHex(chainChecksum(Buffer.from(header.logChecksum, 'hex'), next.lsn, next.payload));
  if (expected !== checksumHex(next.checksum)) {
    throw new SnapshotError('SNAPSHOT_LOG_MISMATCH', `${what}: its log checksum ${header.logChecksum} does not chain to entry ${next.lsn} of log ${logName}`);
  }
}
