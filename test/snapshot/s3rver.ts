// An S3-compatible server on loopback (s3rver) for store tests. s3rver ships no types: we
// load it through require and describe the little we use.
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

/** Starts s3rver on a free loopback port with one bucket. Credentials: S3RVER / S3RVER. */
export async function startLocalS3(bucket = 'keel-snapshots'): Promise<LocalS3> {
  const S3rver = require('s3rver') as S3rverClass;
  const server = new S3rver({
    address: '127.0.0.1', port: 0, silent: true, directory: mkdtempSync(join(tmpdir(), 'keel-s3rver-')),
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, bucket, close: () => server.close() };
}

export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
