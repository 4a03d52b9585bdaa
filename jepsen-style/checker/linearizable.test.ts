import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkLinearizable } from './linearizable.js';
import { counterModel, registerModel, setModel } from './models/index.js';
import { pairOperations, Operation } from '../history/operation.js';
import { parseHistory } from '../history/event.js';
import { bruteForceRegisterLinearizable, generateRegisterHistory, PlannedOp, toEvents, toOperations } from '../testing/histories.js';

/** Builds operations from compact tuples: [process, f, input, output, status, call, ret]. */
function ops(rows: [number, string, unknown, unknown, 'ok' | 'fail' | 'info', number, number][], key = 'x'): Operation[] {
  return rows.map(([process, f, input, output, status, call, ret], id) => ({
    id, process, f, key, input, output: status === 'ok' ? output : undefined, status, call, ret: status === 'info' ? Infinity : ret,
  }));
}

describe('register linearizability: known histories', () => {
  it('accepts a sequential history and concurrent writes read in either order', () => {
    const history = ops([
      [0, 'write', 1, null, 'ok', 0, 1],
      [1, 'read', null, 1, 'ok', 2, 3],
      [0, 'write', 2, null, 'ok', 4, 10],
      [1, 'write', 3, null, 'ok', 5, 9],
      [2, 'read', null, 3, 'ok', 6, 7], // 3 already, 2 not yet
      [2, 'read', null, 2, 'ok', 11, 12], // 2 linearized after 3
    ]);
    expect(checkLinearizable(registerModel, history).verdict).toBe('ok');
  });

  it('rejects a stale read and shrinks it to the write it missed and the read', () => {
    const history = ops([
      [0, 'write', 1, null, 'ok', 0, 1],
      [1, 'read', null, 1, 'ok', 2, 3],
      [0, 'write', 2, null, 'ok', 4, 5],
      [1, 'read', null, 1, 'ok', 6, 7], // stale: 2 was acknowledged before this read began
      [2, 'read', null, 2, 'ok', 8, 9],
    ]);
    const result = checkLinearizable(registerModel, history);
    expect(result.verdict).toBe('illegal');
    const failing = result.keys[0]!.failing!;
    expect(failing.minimal).toBe(true);
    expect(failing.fromAnyState).toBe(true);
    expect(failing.ops.map((o) => o.id).sort()).toEqual([2, 3]);
  });

  it('rejects a lost write: an acknowledged write never seen again', () => {
    const history = ops([
      [0, 'write', 1, null, 'ok', 0, 1],
      [1, 'write', 2, null, 'ok', 2, 3],
      [2, 'read', null, 2, 'ok', 4, 5],
      [0, 'write', 5, null, 'ok', 6, 7],
      [2, 'read', null, 2, 'ok', 8, 9], // 5 was lost
    ]);
    expect(checkLinearizable(registerModel, history).verdict).toBe('illegal');
  });

  it('rejects split brain: two readers see two concurrent writes in opposite orders', () => {
    const history = ops([
      [0, 'write', 1, null, 'ok', 0, 5],
      [1, 'write', 2, null, 'ok', 0, 5],
      [2, 'read', null, 1, 'ok', 6, 7],
      [2, 'read', null, 2, 'ok', 8, 9],
      [3, 'read', null, 2, 'ok', 6, 7],
      [3, 'read', null, 1, 'ok', 8, 9],
    ]);
    expect(checkLinearizable(registerModel, history).verdict).toBe('illegal');
  });

  it('rejects two successful compare-and-sets from the same value (split brain on CAS)', () => {
    const history = ops([
      [0, 'write', 0, null, 'ok', 0, 1],
      [1, 'cas', [0, 1], null, 'ok', 2, 3],
      [2, 'cas', [0, 2], null, 'ok', 4, 5],
    ]);
    expect(checkLinearizable(registerModel, history).verdict).toBe('illegal');
  });

  it('lets an info write explain a later read, or never happen', () => {
    const explained = ops([
      [0, 'write', 1, null, 'ok', 0, 1],
      [1, 'write', 7, null, 'info', 2, 0],
      [2, 'read', null, 1, 'ok', 3, 4], // 7 not yet
      [2, 'read', null, 7, 'ok', 10, 11], // 7 took effect late
      [3, 'read', null, 7, 'ok', 12, 13],
    ]);
    expect(checkLinearizable(registerModel, explained).verdict).toBe('ok');
    const neverHappened = ops([
      [0, 'write', 1, null, 'ok', 0, 1],
      [1, 'write', 7, null, 'info', 2, 0],
      [2, 'read', null, 1, 'ok', 30, 31],
    ]);
    expect(checkLinearizable(registerModel, neverHappened).verdict).toBe('ok');
    // but an info write cannot take effect before it was invoked
    const tooEarly = ops([
      [2, 'read', null, 7, 'ok', 0, 1],
      [1, 'write', 7, null, 'info', 2, 0],
    ]);
    expect(checkLinearizable(registerModel, tooEarly).verdict).toBe('illegal');
  });

  it('drops failed operations: a failed write must not be read', () => {
    const history = ops([
      [0, 'write', 1, null, 'ok', 0, 1],
      [1, 'write', 9, null, 'fail', 2, 3],
      [2, 'read', null, 9, 'ok', 4, 5],
    ]);
    expect(checkLinearizable(registerModel, history).verdict).toBe('illegal');
  });

  it('partitions per key: the bad key is named, the good one passes', () => {
    const good = ops([[0, 'write', 1, null, 'ok', 0, 1], [0, 'read', null, 1, 'ok', 2, 3]], 'good');
    const bad = ops([[1, 'write', 1, null, 'ok', 0, 1], [1, 'read', null, 2, 'ok', 2, 3]], 'bad').map((o) => ({ ...o, id: o.id + 10 }));
    const result = checkLinearizable(registerModel, [...good, ...bad]);
    expect(result.verdict).toBe('illegal');
    expect(result.keys.find((k) => k.key === 'good')!.verdict).toBe('ok');
    expect(result.keys.find((k) => k.key === 'bad')!.verdict).toBe('illegal');
  });

  it('answers unknown, never ok, when the per-key budget runs out', () => {
    // Six crashed writes, six concurrent reads that each saw one of them, then a read of
    // the value they all overwrote: the search must try many orders before it can say illegal.
    const rows: [number, string, unknown, unknown, 'ok' | 'fail' | 'info', number, number][] = [[90, 'write', 100, null, 'ok', 0, 1]];
    for (let p = 0; p < 6; p++) rows.push([p, 'write', p, null, 'info', 2 + p, 0]);
    for (let p = 0; p < 6; p++) rows.push([20 + p, 'read', null, p, 'ok', 20, 21]);
    rows.push([99, 'read', null, 100, 'ok', 30, 31]);
    const history = ops(rows);
    const limited = checkLinearizable(registerModel, history, { searchStepsPerKeyMax: 200, shrinkStepsMax: 1000, opsPerKeyMax: 1000, timelineOpsMax: 100, searchMsTotalMax: 60_000 });
    expect(limited.verdict).toBe('unknown');
    const full = checkLinearizable(registerModel, history);
    expect(full.verdict).toBe('illegal');
  });

  it('keys left when the history time budget runs out are unknown ("not searched"), never ok', () => {
    const history = toOperations(generateRegisterHistory(3, { keys: 200, processesPerKey: 5, opsPerKey: 300, infoRate: 0.01, values: 1_000_000, uniqueValues: true }));
    const limited = checkLinearizable(registerModel, history, { searchStepsPerKeyMax: 5_000_000, shrinkStepsMax: 1000, opsPerKeyMax: 1000, timelineOpsMax: 100, searchMsTotalMax: 1 });
    expect(limited.verdict).toBe('unknown');
    const notSearched = limited.keys.filter((k) => k.undecided === 'time');
    expect(notSearched.length).toBeGreaterThan(0);
    for (const k of notSearched) expect(k).toMatchObject({ verdict: 'unknown', steps: 0 });
    expect(limited.keys.every((k) => k.verdict === 'unknown' || k.undecided === undefined)).toBe(true);
  });
});

describe('counter and set models', () => {
  it('counter: a lost and a doubled increment are illegal, a correct history passes', () => {
    const good = ops([
      [0, 'add', 1, null, 'ok', 0, 1],
      [1, 'add', 1, null, 'info', 0, 0],
      [2, 'read', null, 1, 'ok', 2, 3],
      [2, 'read', null, 2, 'ok', 4, 5],
    ]);
    expect(checkLinearizable(counterModel, good).verdict).toBe('ok');
    const lost = ops([[0, 'add', 1, null, 'ok', 0, 1], [0, 'add', 1, null, 'ok', 2, 3], [1, 'read', null, 1, 'ok', 4, 5]]);
    expect(checkLinearizable(counterModel, lost).verdict).toBe('illegal');
    const doubled = ops([[0, 'add', 1, null, 'ok', 0, 1], [1, 'read', null, 2, 'ok', 4, 5]]);
    expect(checkLinearizable(counterModel, doubled).verdict).toBe('illegal');
  });

  it('set: a lost element is illegal; a read with a duplicate never matches', () => {
    const good = ops([[0, 'add', 'a', null, 'ok', 0, 1], [1, 'add', 'b', null, 'info', 0, 0], [2, 'read', null, ['b', 'a'], 'ok', 2, 3]]);
    expect(checkLinearizable(setModel, good).verdict).toBe('ok');
    const lost = ops([[0, 'add', 'a', null, 'ok', 0, 1], [0, 'add', 'b', null, 'ok', 2, 3], [1, 'read', null, ['a'], 'ok', 4, 5]]);
    expect(checkLinearizable(setModel, lost).verdict).toBe('illegal');
    const duplicate = ops([[0, 'add', 'a', null, 'ok', 0, 1], [1, 'read', null, ['a', 'a'], 'ok', 4, 5]]);
    expect(checkLinearizable(setModel, duplicate).verdict).toBe('illegal');
  });
});

describe('register linearizability: generated histories', () => {
  const small = fc.record({
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    processes: fc.integer({ min: 1, max: 4 }),
    opsCount: fc.integer({ min: 1, max: 8 }),
    infoRate: fc.constantFrom(0, 0.2, 0.5),
  });

  it('every history of a correct register passes (through the JSON-lines path)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 6 }), (seed, processes) => {
      const planned = generateRegisterHistory(seed, { keys: 3, processesPerKey: processes, opsPerKey: 60, infoRate: 0.1, values: 4 });
      const text = toEvents(planned).map((e) => JSON.stringify(e)).join('\n');
      const result = checkLinearizable(registerModel, pairOperations(parseHistory(text)));
      expect(result.verdict).toBe('ok');
    }), { numRuns: 150 });
  });

  it('agrees with the brute-force oracle on correct and mutated small histories', () => {
    let illegalSeen = 0;
    let legalSeen = 0;
    fc.assert(fc.property(small, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 })), { maxLength: 3 }), ({ seed, processes, opsCount, infoRate }, mutations) => {
      const planned: PlannedOp[] = generateRegisterHistory(seed, { keys: 1, processesPerKey: processes, opsPerKey: opsCount, infoRate, values: 3 });
      // Mutations: change a read's result or a write's value to another small value.
      for (const [which, value] of mutations) {
        const op = planned[which % planned.length]!;
        if (op.f === 'read' && op.status === 'ok') op.output = value === 3 ? null : value;
        else if (op.f === 'write') op.input = value;
      }
      const history = toOperations(planned);
      const expected = bruteForceRegisterLinearizable(history);
      const result = checkLinearizable(registerModel, history);
      expect(result.verdict).toBe(expected ? 'ok' : 'illegal');
      if (expected) legalSeen++;
      else {
        illegalSeen++;
        // The reported failing sub-history, with weakened operations as unknown, must itself be
        // illegal — from the initial state, or from every state if it claims so.
        const failing = result.keys[0]!.failing!;
        const witness = failing.ops.map((o, i) => (failing.weakened[i] ? { ...o, status: 'info' as const, ret: Infinity } : o));
        const starts = failing.fromAnyState ? [null, 0, 1, 2, 3] : [null];
        for (const start of starts) expect(bruteForceRegisterLinearizable(witness, start)).toBe(false);
      }
    }), { numRuns: 600 });
    // the property must exercise both outcomes, or it proves nothing
    expect(illegalSeen).toBeGreaterThan(30);
    expect(legalSeen).toBeGreaterThan(30);
  });
});

describe('performance', () => {
  it('decides a 10,000-operation history over five keys in under 10 s, valid and with a stale read', () => {
    // Five processes per key, 1 % of writes crashed (info), values unique per key as the
    // register workload writes them.
    const planned = generateRegisterHistory(20261122, { keys: 5, processesPerKey: 5, opsPerKey: 2000, infoRate: 0.01, values: 0, uniqueValues: true });
    const history = toOperations(planned);
    expect(history.length).toBe(10_000);
    expect(history.filter((o) => o.status === 'info').length).toBeGreaterThan(20);
    const started = performance.now();
    const valid = checkLinearizable(registerModel, history);
    expect(valid.verdict).toBe('ok');
    // A stale read late in key k3: it returns the value of a write acknowledged long before,
    // after later writes were acknowledged.
    const writes = history.filter((o) => o.key === 'k3' && o.f === 'write' && o.status === 'ok');
    const old = writes[Math.floor(writes.length / 2)]!;
    const victim = history.find((o) => o.key === 'k3' && o.f === 'read' && o.status === 'ok' && o.call > old.ret + 500)!;
    const mutated = history.map((o) => (o === victim ? { ...o, output: old.input } : o));
    const invalid = checkLinearizable(registerModel, mutated);
    expect(invalid.verdict).toBe('illegal');
    expect(invalid.keys.filter((k) => k.verdict === 'illegal').map((k) => k.key)).toEqual(['k3']);
    const failing = invalid.keys.find((k) => k.key === 'k3')!.failing!;
    expect(failing.ops.map((o) => o.id)).toContain(victim.id);
    expect(failing.ops.length).toBeLessThan(10);
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(10_000);
  });
});
