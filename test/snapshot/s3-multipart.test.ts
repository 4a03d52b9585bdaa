// The S3 store sends a body larger than one part as a multipart upload (CreateMultipartUpload,
// UploadPart per part, CompleteMultipartUpload) and a small one as a single PutObject. The
// store keeps its client private, so the test watches every command the SDK's S3Client sends
// (a spy on its prototype's send), against s3rver.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { S3Store, loadS3Sdk } from '../../src/snapshot/s3-store.js';
import { defaultSnapshotLimits } from '../../src/snapshot/limits.js';
import { startLocalS3, s3rverCredentials, type LocalS3 } from './s3rver.js';
import { blocks, readAll } from './byte-streams.js';

let s3: LocalS3;
beforeAll(async () => { s3 = await startLocalS3(); });
afterAll(async () => { vi.restoreAllMocks(); await s3?.close(); });

function storeAt(prefix: string): S3Store {
  return new S3Store({ bucket: s3.bucket, prefix, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3rverCredentials }, defaultSnapshotLimits);
}


/** The names of the commands the S3 client sends while `body` runs. */
async function commandsDuring(body: () => Promise<void>): Promise<string[]> {
  const sdk = await loadS3Sdk();
  const spy = vi.spyOn(sdk.S3Client.prototype, 'send');
  try {
    await body();
    return spy.mock.calls.map(([command]) => (command as object).constructor.name);
  } finally {
    spy.mockRestore();
  }
}

describe('S3 store uploads', () => {
  it('sends a body larger than a part as a multipart upload, parts of s3PartBytes, and reads it back whole', async () => {
    const partBytes = defaultSnapshotLimits.s3PartBytes;
    const body = randomBytes(2 * partBytes + 4321);
    const store = storeAt(`multipart-${randomBytes(4).toString('hex')}`);
    try {
      const sent = await commandsDuring(async () => {
        expect(await store.put('big.ksnap', blocks(body, 1024 * 1024 + 7))).toEqual({ bytes: body.length });
      });
      expect(sent).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
      expect((await readAll(store.get('big.ksnap'))).equals(body)).toBe(true);
      expect(await store.list('')).toEqual([expect.objectContaining({ name: 'big.ksnap', bytes: body.length })]);
    } finally {
      store.close();
    }
  }, 60_000);

  it('sends a body up to s3SinglePutBytesMax as one PutObject', async () => {
    const body = randomBytes(100_000);
    const store = storeAt(`single-${randomBytes(4).toString('hex')}`);
    try {
      const sent = await commandsDuring(async () => { await store.put('small.ksnap', blocks(body, 30_000)); });
      expect(sent).toEqual(['PutObjectCommand']);
      expect((await readAll(store.get('small.ksnap'))).equals(body)).toBe(true);
    } finally {
      store.close();
    }
  }, 30_000);
});
