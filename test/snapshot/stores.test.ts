import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LocalDirectoryStore } from '../../src/snapshot/local-store.js';
import { S3Store } from '../../src/snapshot/s3-store.js';
import { defaultSnapshotLimits } from '../../src/snapshot/limits.js';
import { storeCompliance } from './store-compliance.js';
import { startLocalS3, s3rverCredentials, type LocalS3 } from './s3rver.js';

storeCompliance('local directory', async () => ({ store: new LocalDirectoryStore(mkdtempSync(join(tmpdir(), 'keel-store-'))), largeBytes: 3 * 1024 * 1024 }));
// The smallest flush interval (fdatasync every 64 KiB while writing) and none until the end.
storeCompliance('local directory flushed every 64 KiB', async () => ({
  store: new LocalDirectoryStore(mkdtempSync(join(tmpdir(), 'keel-store-')), { syncEveryBytes: 64 * 1024 }), largeBytes: 3 * 1024 * 1024,
}));
storeCompliance('local directory flushed only at the end', async () => ({
  store: new LocalDirectoryStore(mkdtempSync(join(tmpdir(), 'keel-store-')), { syncEveryBytes: 0 }), largeBytes: 3 * 1024 * 1024,
}));

describe('local directory store limits', () => {
  it('refuses a flush interval below 64 KiB (other than 0) or not an integer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-store-'));
    for (const bad of [1, 64 * 1024 - 1, -1, 1.5, Number.NaN]) {
      expect(() => new LocalDirectoryStore(dir, { syncEveryBytes: bad })).toThrow(/syncEveryBytes must be 0 or at least 64 KiB/);
    }
  });
});

let s3: LocalS3;
beforeAll(async () => { s3 = await startLocalS3(); });
afterAll(async () => { await s3?.close(); });

storeCompliance('S3 (s3rver)', async () => ({
  store: new S3Store({
    bucket: s3.bucket, prefix: `run-${randomBytes(4).toString('hex')}/snapshots`, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3rverCredentials,
  }, defaultSnapshotLimits),
  // Two full 8 MiB parts and a short last one: exercises multipart.
  largeBytes: 2 * defaultSnapshotLimits.s3PartBytes + 12345,
}));
