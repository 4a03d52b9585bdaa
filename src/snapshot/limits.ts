// Every snapshot limit in one place, unit last, checked at start-up.
import { assert } from '../util/assert.js';

export interface SnapshotLimits {
  /** Records are gathered into a chunk until its estimated size reaches this. */
  chunkBytesTarget: number;
  /** A frame larger than this is corruption (a flipped length byte), not an allocation. */
  frameBytesMax: number;
  /** S3 multipart part size (S3 requires >= 5 MiB except for the last part). */
  s3PartBytes: number;
  /** Bodies up to this size go to S3 in one PutObject; larger ones are multipart. */
  s3SinglePutBytesMax: number;
  /** Log entries read per request while replaying. */
  replayEntriesMax: number;
  /** Progress lines in the logs at most this often. */
  progressIntervalMs: number;
  /** Replaying from a follower: how long it may lag the target before the leader is read instead. */
  followerCatchUpMs: number;
  /** Replaying from a follower that has not applied the next entry yet: pause between asks. */
  followerPollMs: number;
}

export const defaultSnapshotLimits: SnapshotLimits = {
  chunkBytesTarget: 1024 * 1024,
  frameBytesMax: 512 * 1024 * 1024,
  s3PartBytes: 8 * 1024 * 1024,
  s3SinglePutBytesMax: 8 * 1024 * 1024,
  replayEntriesMax: 2000,
  progressIntervalMs: 1000,
  followerCatchUpMs: 5000,
  followerPollMs: 20,
};

export function assertSnapshotLimits(limits: SnapshotLimits): void {
  assert(limits.chunkBytesTarget >= 1024, 'chunkBytesTarget must be at least 1 KiB');
  assert(limits.frameBytesMax >= 4 * limits.chunkBytesTarget, 'frameBytesMax must leave room for chunks well above the target (one large value)');
  assert(limits.s3PartBytes >= 5 * 1024 * 1024, 's3PartBytes must be at least 5 MiB (S3 minimum part size)');
  assert(limits.s3SinglePutBytesMax <= limits.s3PartBytes, 's3SinglePutBytesMax must not exceed s3PartBytes');
  assert(limits.replayEntriesMax >= 1, 'replayEntriesMax must be >= 1');
  assert(limits.progressIntervalMs >= 100, 'progressIntervalMs must be >= 100');
  assert(limits.followerPollMs >= 1 && limits.followerPollMs <= limits.followerCatchUpMs, 'followerPollMs must be in 1..followerCatchUpMs');
  assert(limits.followerCatchUpMs <= 60_000, 'followerCatchUpMs must be at most 60 s (the leader is the fallback)');
}
