// LevelDB LogStore through `level`. Every acknowledged write goes through batch(…, { sync:
// true }): LevelDB's own default is sync: false, which can lose the tail on power failure.

import { Level, type BatchOptions } from 'level';
import { defaultLogLimits } from '../limits.js';
import type { LogStore, StoreOp, StoreRange, StoreSnapshot } from './log-store.js';

type Db = Level<Uint8Array, Uint8Array>;
type LevelBatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

export class LevelLogStore implements LogStore {
  private readonly db: Db;

  constructor(
    readonly directory: string,
    options: { writeBufferBytes: number } = { writeBufferBytes: defaultLogLimits.storeWriteBufferBytes },
  ) {
    this.db = new Level<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view', writeBufferSize: options.writeBufferBytes });
  }

  async open(): Promise<void> {
    await this.db.open();
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const value = await this.db.get(key);
    return value ?? undefined;
  }

  async batch(ops: readonly StoreOp[], options: { sync: boolean }): Promise<void> {
    const levelOps: LevelBatchOp[] = [];
    for (const op of ops) {
      if (op.type !== 'delRange') {
        levelOps.push(op);
        continue;
      }
      // LevelDB batches have no range delete: expand it, over the stored keys and over the
      // keys put earlier in this same batch. Writes to one store come from its single owner
      // (the node driver), so the stored keys read here do not change meanwhile.
      for await (const key of this.db.keys({ gte: op.gte, lt: op.lt })) levelOps.push({ type: 'del', key });
      for (const earlier of levelOps.slice()) {
        if (earlier.type === 'put' && Buffer.compare(earlier.key, op.gte) >= 0 && Buffer.compare(earlier.key, op.lt) < 0) {
          levelOps.push({ type: 'del', key: earlier.key });
        }
      }
    }
    if (levelOps.length === 0) return;
    // The chained batch skips the array form's per-operation cloning and option merging,
    // which costs an order of magnitude more per entry (measured: 2.4 ms vs 0.15 ms for 64 puts).
    const batch = this.db.batch();
    for (const op of levelOps) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
    const batchOptions: BatchOptions<Uint8Array, Uint8Array> = { sync: options.sync };
    await batch.write(batchOptions);
  }

  async range(range: StoreRange): Promise<Array<[Uint8Array, Uint8Array]>> {
    return (await this.db.iterator(iteratorOptions(range)).all()) as Array<[Uint8Array, Uint8Array]>;
  }

  iterate(range: StoreRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    return this.db.iterator(iteratorOptions(range)) as AsyncIterable<[Uint8Array, Uint8Array]>;
  }

  async keys(range: StoreRange): Promise<Uint8Array[]> {
    return (await this.db.keys(iteratorOptions(range)).all()) as Uint8Array[];
  }

  snapshot(): StoreSnapshot {
    const snapshot = this.db.snapshot();
    return {
      range: async (range) => {
        return (await this.db.iterator({ ...iteratorOptions(range), snapshot }).all()) as Array<[Uint8Array, Uint8Array]>;
      },
      close: () => snapshot.close(),
    };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** A StoreRange in level's iterator options (no limit is -1 there). */
function iteratorOptions(range: StoreRange): { gte: Uint8Array; lt: Uint8Array; reverse: boolean; limit: number } {
  return { gte: range.gte, lt: range.lt, reverse: range.reverse ?? false, limit: range.limit ?? -1 };
}
