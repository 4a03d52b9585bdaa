// Expected snapshot failures, each with a stable code (the CLI prints it; tests match on it).
export type SnapshotErrorCode =
  | 'SNAPSHOT_CORRUPT' // a frame's checksum, the body checksum or a decoded record is wrong
  | 'SNAPSHOT_TRUNCATED' // the file ends before its trailer
  | 'SNAPSHOT_FORMAT' // not a Keel snapshot, or a format version we cannot read
  | 'SNAPSHOT_KEY_REQUIRED' // the snapshot (or a log entry) is encrypted and no key was given
  | 'SNAPSHOT_KEY_MISMATCH' // the key given is not the key it was encrypted with
  | 'SNAPSHOT_LOG_MISMATCH' // the snapshot does not belong to this log (checksum or LSN)
  | 'SNAPSHOT_NOT_FOUND' // no (valid) snapshot where one was required
  | 'SNAPSHOT_STORE' // the store failed (I/O, S3)
  | 'SNAPSHOT_BAD_KEY_FILE'; // the key file is unreadable or not 32 bytes

export class SnapshotError extends Error {
  constructor(readonly code: SnapshotErrorCode, message: string) {
    super(`${code} ${message}`);
    this.name = 'SnapshotError';
  }
}
