// The snapshot job's byte budget (src/snapshot/pace.ts): pieces of at most 64 KiB, each let
// through no earlier than the rate allows; no limit passes streams through untouched; a job
// that fell far behind does not make up for it with a burst.

import { describe, expect, it } from 'vitest';
import { Pace, PACE_PIECE_BYTES, paced, pacedStore } from '../../src/snapshot/pace.js';
import type { SnapshotStore } from '../../src/snapshot/store.js';

async function* chunks(sizes: number[]): AsyncIterable<Uint8Array> {
  for (const size of sizes) yield new Uint8Array(size).fill(size % 251);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

describe('Pace', () => {
  it('refuses a rate below 64 KiB/s (other than 0, no limit)', () => {
    expect(() => new Pace(1000)).toThrow(/at least 65536/);
    expect(new Pace(0).limited).toBe(false);
  });

  it('splits a paced stream into pieces of at most 64 KiB, in order, and takes as long as the rate says', async () => {
    const bytesPerSec = 1024 * 1024;
    const sizes = [200 * 1024, 10, 100 * 1024];
    const started = performance.now();
    const pieces = await collect(paced(chunks(sizes), new Pace(bytesPerSec)));
    const elapsedMs = performance.now() - started;
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(PACE_PIECE_BYTES);
    expect(Buffer.concat(pieces).equals(Buffer.concat(await collect(chunks(sizes))))).toBe(true);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(elapsedMs).toBeGreaterThanOrEqual((total / bytesPerSec) * 1000 - 5);
  });

  it('without a limit, streams and stores pass through as they are', async () => {
    const pace = new Pace(0);
    const pieces = await collect(paced(chunks([300 * 1024]), pace));
    expect(pieces.map((piece) => piece.length)).toEqual([300 * 1024]);
    const store = { url: 'x' } as SnapshotStore;
    expect(pacedStore(store, pace)).toBe(store);
  });

  it('a job that fell behind (a stall) gets at most one second of catch-up, not a burst of all it lost', async () => {
    const bytesPerSec = 64 * 1024;
    const pace = new Pace(bytesPerSec);
    await pace.take(0);
    // Pretend the job stalled for 5 s before its next bytes.
    (pace as unknown as { startedAtMs: number }).startedAtMs -= 5000;
    const started = performance.now();
    // 96 KiB at 64 KiB/s is 1.5 s. Of the 5 s lost, 1 s is made up (the first 64 KiB pass at
    // once); the rest is forgiven, so the last 32 KiB wait 0.5 s. With the whole 5 s as credit
    // they would all pass at once.
    for (let i = 0; i < 3; i++) await pace.take(32 * 1024);
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
  });
});
