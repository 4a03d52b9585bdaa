// The counter model's symmetry reduction (crashed adds of equal delta tried in invocation
// order only) must never change a verdict, and must make crash-heavy counter keys cheap.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Operation } from '../history/operation.js';
import { Prng } from '../util/prng.js';
import { checkLinearizable } from './linearizable.js';
import { counterModel } from './models/counter.js';

const withoutSymmetry = { ...counterModel, symmetryKey: undefined };

function op(id: number, f: 'add' | 'read', input: unknown, output: unknown, status: 'ok' | 'info', call: number, ret: number): Operation {
  return { id, process: id, f, key: 'k', input, output: status === 'ok' ? output : undefined, status, call, ret: status === 'info' ? Infinity : ret };
}

/** Overlapping adds (delta 1..2, some crashed) and reads of values near the true count (so some are wrong). */
function randomHistory(seed: number, count: number): Operation[] {
  const random = new Prng(seed);
  const ops: Operation[] = [];
  let total = 0;
  for (let id = 0; id < count; id++) {
    const call = id * 3 + random.int(0, 2);
    const ret = call + random.int(0, 12);
    if (random.next() < 0.4) ops.push(op(id, 'read', null, Math.max(0, total + random.int(-2, 2)), 'ok', call, ret));
    else {
      const delta = random.int(1, 2);
      const crashed = random.next() < 0.4;
      if (!crashed || random.next() < 0.5) total += delta;
      ops.push(op(id, 'add', delta, null, crashed ? 'info' : 'ok', call, ret));
    }
  }
  return ops;
}

describe('counter search with interchangeable crashed adds', () => {
  it('decides exactly as the search without the reduction', () => {
    let illegal = 0;
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 14 }), (seed, count) => {
      const ops = randomHistory(seed, count);
      const reduced = checkLinearizable(counterModel, ops).verdict;
      const full = checkLinearizable(withoutSymmetry, ops).verdict;
      if (full === 'illegal') illegal++;
      expect(reduced).toBe(full);
    }), { numRuns: 400 });
    expect(illegal).toBeGreaterThan(20); // the property saw both verdicts
  });

  it('a key with 60 crashed INCRBY 1 among 440 operations is decided quickly', () => {
    const ops: Operation[] = [];
    let total = 0;
    const random = new Prng(11);
    for (let id = 0; id < 500; id++) {
      const call = id * 10;
      if (id % 8 === 0 && ops.filter((o) => o.status === 'info').length < 60) { ops.push(op(id, 'add', 1, null, 'info', call, 0)); continue; }
      if (random.next() < 0.3) ops.push(op(id, 'read', null, total, 'ok', call, call + 25));
      else { total += 1; ops.push(op(id, 'add', 1, null, 'ok', call, call + 25)); }
    }
    // Every read ignored the crashed adds (they never happened): legal only if the search
    // can skip all 60 of them, which the plain search does by trying many subsets.
    const started = performance.now();
    const r = checkLinearizable(counterModel, ops, { searchStepsPerKeyMax: 2_000_000, shrinkStepsMax: 1_000_000, opsPerKeyMax: 10_000, timelineOpsMax: 100, searchMsTotalMax: 60_000 });
    expect(r.verdict).toBe('ok');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
