// Opens a store from what a user writes: a directory, or s3://bucket[/prefix] with the S3
// settings from flags (endpoint, region, path-style) and credentials from the AWS chain.
import { basename, dirname } from 'node:path';
import { LocalDirectoryStore } from './local-store.js';
import { parseS3Url, S3Store } from './s3-store.js';
import type { SnapshotStore } from './store.js';
import { defaultSnapshotLimits, type SnapshotLimits } from './limits.js';

export interface S3Settings {
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
}

export const defaultS3Settings: S3Settings = { endpoint: '', region: 'us-east-1', forcePathStyle: false };

/**
 * The flags that give a child (`keel server`, `keel snapshot`) the same store, key and S3
 * settings as the process that spawns it: `store` as given (an absolute directory or an s3://
 * URL), `encryptionKeyFile` an absolute path or '' for none.
 */
export function storeChildArgs(store: string, s3: S3Settings, encryptionKeyFile: string): string[] {
  const args = ['--snapshot-store', store];
  if (encryptionKeyFile) args.push('--encryption-key-file', encryptionKeyFile);
  if (store.startsWith('s3://')) {
    if (s3.endpoint) args.push('--s3-endpoint', s3.endpoint);
    args.push('--s3-region', s3.region, '--s3-path-style', s3.forcePathStyle ? 'yes' : 'no');
  }
  return args;
}

export function openStore(spec: string, s3: S3Settings = defaultS3Settings, limits: SnapshotLimits = defaultSnapshotLimits): SnapshotStore {
  if (!spec.startsWith('s3://')) return new LocalDirectoryStore(spec);
  const { bucket, key } = parseS3Url(spec);
  return new S3Store({ bucket, prefix: key, region: s3.region, forcePathStyle: s3.forcePathStyle, ...(s3.endpoint ? { endpoint: s3.endpoint } : {}) }, limits);
}

/** A single object (`keel restore --from`): its store and its name in it. */
export function openLocation(location: string, s3: S3Settings = defaultS3Settings, limits: SnapshotLimits = defaultSnapshotLimits): { store: SnapshotStore; name: string } {
  if (location.startsWith('s3://')) {
    const { bucket, key } = parseS3Url(location);
    return { store: openStore(`s3://${bucket}`, s3, limits), name: key };
  }
  return { store: new LocalDirectoryStore(dirname(location)), name: basename(location) };
}

export function closeStore(store: SnapshotStore): void {
  if (store instanceof S3Store) store.close();
}
