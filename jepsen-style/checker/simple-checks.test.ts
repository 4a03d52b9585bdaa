import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Prng } from '../util/prng.js';
import { checkCounterBounds } from './counter-bounds.js';
import { checkSetFull } from './set-full.js';
import type { Operation } from '../history/operation.js';

function op(id: number, process: number, f: string, input: unknown, output: unknown, status: 'ok' | 'fail' | 'info', call: number, ret: number, key = 'k'): Operation {
  return { id, process, f, key, input, output: status === 'ok' ? output : undefined, status, call, ret: status === 'info' ? Infinity : ret };
}

describe('counter bounds', () => {
  const adds = [op(0, 0, 'add', 1, null, 'ok', 0, 1), op(1, 1, 'add', 1, null, 'ok', 2, 3), op(2, 2, 'add', 5, null, 'info', 2, 0), op(3, 3, 'add', 1, null, 'fail', 2, 4)];

  it('accepts reads within [certain, possible], including a crashed add that did happen', () => {
    const ops = [...adds, op(4, 4, 'read', null, 2, 'ok', 5, 6), op(5, 4, 'read', null, 7, 'ok', 7, 8)];
    const r = checkCounterBounds(ops);
    expect(r.verdict).toBe('ok');
    expect(r).toMatchObject({ reads: 2, acknowledgedAdds: 2, unknownAdds: 1, failedAdds: 1 });
  });

  it('flags a lost acknowledged add and a doubled one', () => {
    const lost = checkCounterBounds([...adds, op(4, 4, 'read', null, 1, 'ok', 5, 6)]);
    expect(lost.verdict).toBe('illegal');
    expect(lost.violations[0]).toMatchObject({ kind: 'lost', value: 1, lower: 2, upper: 7 });
    const doubled = checkCounterBounds([...adds, op(4, 4, 'read', null, 8, 'ok', 5, 6)]);
    expect(doubled.violations[0]).toMatchObject({ kind: 'doubled', value: 8 });
    // a failed add must not count: 2 acknowledged + 5 unknown = 7 at most; 8 needs the failed one
  });

  it('a read concurrent with an add may or may not include it; negative deltas widen the bounds', () => {
    const ops = [op(0, 0, 'add', 3, null, 'ok', 0, 10), op(1, 1, 'add', -1, null, 'ok', 0, 10), op(2, 2, 'read', null, -1, 'ok', 1, 2), op(3, 2, 'read', null, 3, 'ok', 3, 4)];
    expect(checkCounterBounds([...ops, op(9, 2, 'read', null, 2, 'ok', 11, 12)]).verdict).toBe('ok');
    expect(checkCounterBounds([...ops, op(4, 2, 'read', null, 4, 'ok', 5, 6)]).verdict).toBe('illegal');
  });
});

/** The definition, read by read and add by add (the checker must agree with it). */
function naiveBounds(ops: readonly Operation[]): { read: Operation; lower: number; upper: number }[] {
  const out: { read: Operation; lower: number; upper: number }[] = [];
  for (const read of ops) {
    if (read.f !== 'read' || read.status !== 'ok') continue;
    let certain = 0;
    let negative = 0;
    let positive = 0;
    for (const add of ops) {
      if (add.f !== 'add' || add.status === 'fail' || add.key !== read.key) continue;
      const delta = add.input as number;
      if (add.status === 'ok' && add.ret < read.call) certain += delta;
      else if (add.call < read.ret) { if (delta < 0) negative += delta; else positive += delta; }
    }
    out.push({ read, lower: certain + negative, upper: certain + positive });
  }
  return out;
}

/** Random overlapping adds and reads over a few keys; read values arbitrary (some in bounds, some not). */
function randomCounterHistory(seed: number, count: number, keys: number): Operation[] {
  const random = new Prng(seed);
  const ops: Operation[] = [];
  for (let id = 0; id < count; id++) {
    const call = random.int(0, count * 2);
    const ret = call + random.int(0, 40);
    const key = `k${random.int(0, keys - 1)}`;
    const roll = random.next();
    if (roll < 0.3) ops.push(op(id, id, 'read', null, random.int(-10, 60), 'ok', call, ret, key));
    else ops.push(op(id, id, 'add', random.int(-3, 5), null, roll < 0.8 ? 'ok' : roll < 0.9 ? 'info' : 'fail', call, ret, key));
  }
  return ops;
}

describe('counter bounds: prefix sums agree with the definition and scale', () => {
  it('reports exactly the reads outside the bounds the definition gives', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 3 }), (seed, count, keys) => {
      const ops = randomCounterHistory(seed, count, keys);
      const expected = naiveBounds(ops).map(({ read, lower, upper }) => {
        const value = read.output as number;
        return value < lower ? `lost ${read.id} [${lower},${upper}]` : value > upper ? `doubled ${read.id} [${lower},${upper}]` : undefined;
      }).filter((x) => x !== undefined).sort();
      const got = checkCounterBounds(ops).violations.map((v) => `${v.kind} ${v.read.id} [${v.lower},${v.upper}]`).sort();
      expect(got).toEqual(expected);
    }), { numRuns: 300 });
  });

  it('a key without a successful read after its last acknowledged add is unknown, not ok', () => {
    const early = [op(0, 0, 'add', 1, null, 'ok', 0, 1), op(1, 1, 'read', null, 1, 'ok', 2, 3), op(2, 0, 'add', 1, null, 'ok', 4, 5)];
    const r = checkCounterBounds(early);
    expect(r.verdict).toBe('unknown');
    expect(r.keysWithoutFinalRead).toEqual(['k']);
    expect(checkCounterBounds([...early, op(3, 1, 'read', null, 2, 'fail', 6, 7)]).verdict).toBe('unknown');
    expect(checkCounterBounds([...early, op(3, 1, 'read', null, 2, 'ok', 6, 7)]).verdict).toBe('ok');
    // only unknown adds: nothing acknowledged can be lost
    expect(checkCounterBounds([op(0, 0, 'add', 1, null, 'info', 0, 0)]).verdict).toBe('ok');
  });

  it('checks 400,000 operations in well under the time a run takes', () => {
    const ops: Operation[] = [];
    let t = 0;
    // 800 keys of 500 operations, 5 overlapping processes per key, every read in bounds.
    for (let k = 0; k < 800; k++) {
      let total = 0;
      for (let i = 0; i < 500; i++) {
        t += 10;
        const id = ops.length;
        if (i % 4 === 3 || i === 499) ops.push(op(id, id % 5, 'read', null, total, 'ok', t, t + 5, `k${k}`));
        else { total += 1 + (i % 2); ops.push(op(id, id % 5, 'add', 1 + (i % 2), null, 'ok', t, t + 3, `k${k}`)); }
      }
    }
    expect(ops.length).toBe(400_000);
    const started = performance.now();
    const r = checkCounterBounds(ops);
    const elapsedMs = performance.now() - started;
    expect(r.verdict).toBe('ok');
    expect(r.reads).toBe(800 * 125);
    expect(elapsedMs).toBeLessThan(5_000);
  });
});

describe('set full', () => {
  it('every acknowledged add present in the final read: ok; unknown adds may or may not be', () => {
    const ops = [op(0, 0, 'add', 'a', null, 'ok', 0, 1), op(1, 1, 'add', 'b', null, 'info', 0, 0), op(2, 2, 'add', 'c', null, 'fail', 0, 1), op(3, 3, 'read', null, ['a', 'b'], 'ok', 5, 6)];
    const r = checkSetFull(ops);
    expect(r.verdict).toBe('ok');
    expect(r).toMatchObject({ stable: 1, unknownPresent: 1, acknowledgedAdds: 1, failedAdds: 1 });
  });

  it('flags lost, failed-but-present, never-added, duplicate and stale', () => {
    const base = [op(0, 0, 'add', 'a', null, 'ok', 0, 1), op(1, 1, 'add', 'c', null, 'fail', 0, 1)];
    const kinds = (ops: Operation[]) => checkSetFull(ops).violations.map((v) => v.kind).sort();
    expect(kinds([...base, op(3, 3, 'read', null, [], 'ok', 5, 6)])).toEqual(['lost']);
    expect(kinds([...base, op(3, 3, 'read', null, ['a', 'c'], 'ok', 5, 6)])).toEqual(['failed-add-present']);
    expect(kinds([...base, op(3, 3, 'read', null, ['a', 'z'], 'ok', 5, 6)])).toEqual(['never-added']);
    expect(kinds([...base, op(3, 3, 'read', null, ['a', 'a'], 'ok', 5, 6)])).toEqual(['duplicate']);
    expect(kinds([...base, op(3, 3, 'read', null, [], 'ok', 2, 3), op(4, 3, 'read', null, ['a'], 'ok', 5, 6)])).toEqual(['stale']);
    expect(checkSetFull([...base, op(3, 3, 'read', null, [], 'ok', 2, 3), op(4, 3, 'read', null, ['a'], 'ok', 5, 6)], { linearizableReads: false }).verdict).toBe('ok');
  });

  it('is undecided (unknown), never ok, without a final read after the last acknowledged add', () => {
    const r = checkSetFull([op(0, 0, 'add', 'a', null, 'ok', 0, 1), op(1, 0, 'add', 'b', null, 'ok', 2, 9), op(2, 3, 'read', null, ['a'], 'ok', 3, 4)]);
    expect(r.verdict).toBe('unknown');
    expect(r.keysWithoutFinalRead).toEqual(['k']);
  });
});
