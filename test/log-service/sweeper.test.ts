// The sweeper deletes every key of the ranges it is given, in batches of keysPerBatch, also
// for ranges added while a run is ending, and stops after the batch in progress.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Sweeper } from '../../log-service/node/sweeper.js';
import { MemoryLogStore } from '../../log-service/store/memory-store.js';
import { logEntryKey, logEntryRange } from '../../log-service/store/keys.js';

const quiet = pino({ level: 'silent' });

async function storeWith(log: string, lsns: number[]): Promise<MemoryLogStore> {
  const store = new MemoryLogStore();
  await store.open();
  await store.batch(lsns.map((lsn) => ({ type: 'put' as const, key: logEntryKey(log, lsn), value: Uint8Array.of(lsn % 256) })), { sync: false });
  return store;
}

const lsnsIn = async (store: MemoryLogStore, log: string) =>
  (await store.keys(logEntryRange(log, 0, 1_000_000))).map((key) => Number(Buffer.from(key).readBigUInt64BE(key.length - 8)));

describe('Sweeper', () => {
  it('deletes exactly the given ranges, in batches, including ranges added at any moment', async () => {
    const store = await storeWith('a', Array.from({ length: 100 }, (_, i) => i + 1));
    await store.batch([{ type: 'put', key: logEntryKey('b', 5), value: Uint8Array.of(1) }], { sync: false });
    const sweeper = new Sweeper(store, 7, 0, quiet);
    sweeper.add(logEntryRange('a', 0, 40));
    // Added on every turn while the first range is being swept, and once more after it ended.
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      sweeper.add(logEntryRange('a', 60 + i, 61 + i));
    }
    await sweeper.idle();
    sweeper.add(logEntryRange('a', 90, 95));
    await sweeper.idle();
    const left = await lsnsIn(store, 'a');
    const expected = Array.from({ length: 100 }, (_, i) => i + 1).filter((lsn) => !(lsn < 40 || (lsn >= 60 && lsn < 70) || (lsn >= 90 && lsn < 95)));
    expect(left).toEqual(expected);
    expect(sweeper.deletedKeys).toBe(39 + 10 + 5);
    expect(await lsnsIn(store, 'b')).toEqual([5]); // another log's keys are untouched
  });

  it('stops after the batch in progress and takes no more ranges', async () => {
    const store = await storeWith('a', Array.from({ length: 50 }, (_, i) => i + 1));
    const sweeper = new Sweeper(store, 5, 5, quiet);
    sweeper.add(logEntryRange('a', 0, 51));
    await new Promise((resolve) => setTimeout(resolve, 7));
    await sweeper.stop();
    const leftAfterStop = (await lsnsIn(store, 'a')).length;
    expect(leftAfterStop).toBeGreaterThan(0);
    expect(leftAfterStop).toBeLessThan(50);
    sweeper.add(logEntryRange('a', 0, 51));
    await sweeper.idle();
    expect((await lsnsIn(store, 'a')).length).toBe(leftAfterStop);
  });
});
