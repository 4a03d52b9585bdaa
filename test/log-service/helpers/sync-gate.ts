// Disk twins: a store whose batch() goes through a test's own function, everything else as is.
// gateSyncs, for stall tests: every synced batch waits for what `beforeSync` returns (a stall
// is a pending promise); unsynced batches pass.

import type { LogStore, StoreOp } from '../../../log-service/store/log-store.js';

type Batch = (ops: readonly StoreOp[], options: { sync: boolean }) => Promise<void>;

/** The store, with each batch() call handed to `batch` along with the store's own batch. */
export function wrapBatch(store: LogStore, batch: (write: Batch, ops: readonly StoreOp[], options: { sync: boolean }) => Promise<void>): LogStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'batch') return Reflect.get(target, property, receiver) as unknown;
      return (ops: readonly StoreOp[], options: { sync: boolean }) => batch((o, opts) => target.batch(o, opts), ops, options);
    },
  });
}

export function gateSyncs(store: LogStore, beforeSync: () => Promise<void>): LogStore {
  return wrapBatch(store, async (write, ops, options) => {
    if (options.sync) await beforeSync();
    return write(ops, options);
  });
}
