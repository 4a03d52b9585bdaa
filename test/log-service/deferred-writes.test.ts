import { describe, expect, it } from 'vitest';
import { DeferredWrites } from '../../log-service/node/deferred-writes.js';
import type { StoreOp } from '../../log-service/store/log-store.js';

const put = (key: number): StoreOp => ({ type: 'put', key: Uint8Array.of(key), value: Uint8Array.of(key) });

describe('deferred state-machine writes', () => {
  it('are due applyWriteDelayMs after the first one held, not after the last', () => {
    const deferred = new DeferredWrites(2);
    expect(deferred.dueInMs(100)).toBe(Infinity);
    deferred.add([put(1)], ['a'], 100);
    deferred.add([put(2)], ['b'], 101.5);
    expect(deferred.dueInMs(101.5)).toBeCloseTo(0.5);
    expect(deferred.dueInMs(103)).toBeLessThan(0);
  });

  it('go to the front of the batch that takes them, with the logs they change once each', () => {
    const deferred = new DeferredWrites(2);
    deferred.add([put(1), put(2)], ['a'], 100);
    deferred.add([put(3)], ['a', 'b'], 100.5);
    const batch = [put(9)];
    expect(deferred.takeInto(batch).sort()).toEqual(['a', 'b']);
    expect(batch.map((op) => (op.type === 'put' ? op.key[0] : -1))).toEqual([1, 2, 3, 9]);
    expect(deferred.isEmpty).toBe(true);
    expect(deferred.dueInMs(200)).toBe(Infinity);
    expect(deferred.takeInto(batch)).toEqual([]);
  });

  it('start a new hold after being taken', () => {
    const deferred = new DeferredWrites(2);
    deferred.add([put(1)], ['a'], 100);
    deferred.takeInto([]);
    deferred.add([put(2)], ['a'], 150);
    expect(deferred.dueInMs(150)).toBe(2);
  });

  it('ignore an empty add (its logs are not changed by anything held)', () => {
    const deferred = new DeferredWrites(2);
    deferred.add([], ['a'], 100);
    expect(deferred.isEmpty).toBe(true);
    deferred.add([put(1)], ['b'], 101);
    expect(deferred.takeInto([])).toEqual(['b']);
  });
});
