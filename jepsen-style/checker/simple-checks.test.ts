import { describe, expect, it } from 'vitest';
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
    expect(checkCounterBounds(ops).verdict).toBe('ok');
    expect(checkCounterBounds([...ops, op(4, 2, 'read', null, 4, 'ok', 5, 6)]).verdict).toBe('illegal');
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
