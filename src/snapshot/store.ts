// Where snapshots live: one small interface, two implementations (a local directory and S3),
// one compliance suite (test/snapshot/store-compliance.ts). Names are relative, with `/`
// separators (`shard-0/…ksnap`); a store turns them into locations (a path or an s3:// URL).

export interface StoredObject {
  name: string;
  bytes: number;
  modifiedMs: number;
}

export interface SnapshotStore {
  /** The store itself as a user would write it (a directory or s3://bucket/prefix). */
  readonly url: string;
  /** Full location of a name, as recorded in the log's Snapshot marker. */
  location(name: string): string;
  /**
   * Writes the whole body under name, atomically: readers see the old state or the complete
   * new object, never a partial one. Resolves once the object is durable.
   */
  put(name: string, body: AsyncIterable<Uint8Array>): Promise<{ bytes: number }>;
  /** The object's bytes as a stream; rejects/throws SNAPSHOT_NOT_FOUND when absent. */
  get(name: string): AsyncIterable<Uint8Array>;
  /** Every object whose name starts with prefix (no order promised). */
  list(prefix: string): Promise<StoredObject[]>;
  /** Removes name; absent is not an error. */
  delete(name: string): Promise<void>;
}

export function assertObjectName(name: string): void {
  if (name.length === 0 || name.startsWith('/') || name.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`bad snapshot object name '${name}'`);
  }
}
