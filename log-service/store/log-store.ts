// The storage interface under a log node: an ordered byte-key store with atomic batches.
// Two implementations (LevelDB and memory) pass one compliance suite. Keys compare as
// unsigned bytes, which is why indexes and LSNs are encoded fixed-width big-endian.

export type StoreOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array }
  /** Deletes every key in [gte, lt), atomically with the rest of the batch. */
  | { type: 'delRange'; gte: Uint8Array; lt: Uint8Array };

export interface StoreRange {
  gte: Uint8Array;
  lt: Uint8Array;
  limit?: number;
  reverse?: boolean;
}

/** A consistent read-only view of the store at the moment it was taken. */
export interface StoreSnapshot {
  range(range: StoreRange): Promise<Array<[Uint8Array, Uint8Array]>>;
  close(): Promise<void>;
}

export interface LogStore {
  open(): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Applies all ops atomically; with sync, returns only once they are on stable storage. */
  batch(ops: readonly StoreOp[], options: { sync: boolean }): Promise<void>;
  range(range: StoreRange): Promise<Array<[Uint8Array, Uint8Array]>>;
  /**
   * The rows of range() one at a time, read ahead in small chunks: for reads that stop at a
   * byte or count bound the store cannot know (stored records hold several entries).
   * Leaving the loop early releases the iterator.
   */
  iterate(range: StoreRange): AsyncIterable<[Uint8Array, Uint8Array]>;
  /** The keys of range(), without reading their values (a Raft entry's value can be megabytes). */
  keys(range: StoreRange): Promise<Uint8Array[]>;
  /** Taken synchronously: later batches do not show through it. Close it when done. */
  snapshot(): StoreSnapshot;
  close(): Promise<void>;
}
