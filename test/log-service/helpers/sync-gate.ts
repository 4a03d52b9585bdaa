// A disk twin for stall tests: the store, with every synced batch waiting for what
// `beforeSync` returns (a stall is a pending promise); unsynced batches pass.

import type { LogStore, StoreOp } from '../../../log-service/store/log-store.js';

export function gateSyncs(store: LogStore, beforeSync: () => Promise<void>): LogStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'batch') return Reflect.get(target, property, receiver) as unknown;
      return async (ops: readonly StoreOp[], options: { sync: boolean }) => {
        if (options.sync) await beforeSync();
        return target.batch(ops, options);
      };
    },
  });
}
