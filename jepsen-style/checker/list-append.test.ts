import { describe, expect, it } from 'vitest';
import { checkListAppend } from './list-append.js';
import { checkUnavailableWhile } from '../nemesis/unavailability.js';
import type { Operation } from '../history/operation.js';
import type { HistoryEvent } from '../history/event.js';

let nextId = 0;
function txn(input: unknown[], output: unknown[] | undefined, status: 'ok' | 'fail' | 'info', call: number, ret: number): Operation {
  return { id: nextId++, process: nextId, f: 'txn', key: 'k', input, output: status === 'ok' ? output : undefined, status, call, ret: status === 'info' ? Infinity : ret };
}

describe('list-append basic check', () => {
  it('accepts prefix-consistent reads holding every acknowledged append', () => {
    const ops = [
      txn([['append', 'a', 1]], [['append', 'a', 1]], 'ok', 0, 1),
      txn([['append', 'a', 2], ['r', 'a', null]], [['append', 'a', 2], ['r', 'a', [1, 2]]], 'ok', 2, 3),
      txn([['append', 'a', 3]], undefined, 'info', 2, 0),
      txn([['r', 'a', null]], [['r', 'a', [1, 2, 3]]], 'ok', 5, 6),
    ];
    expect(checkListAppend(ops).verdict).toBe('ok');
  });

  it('flags incompatible orders, duplicates, aborted reads, garbage and lost appends', () => {
    const kinds = (ops: Operation[]) => checkListAppend(ops).violations.map((v) => v.kind).sort();
    const a1 = txn([['append', 'a', 1]], [['append', 'a', 1]], 'ok', 0, 1);
    const a2 = txn([['append', 'a', 2]], [['append', 'a', 2]], 'ok', 0, 1);
    const failed = txn([['append', 'a', 9]], undefined, 'fail', 0, 1);
    const read = (list: number[], at: number) => txn([['r', 'a', null]], [['r', 'a', list]], 'ok', at, at + 1);
    expect(kinds([a1, a2, read([1, 2], 2), read([2, 1], 4)])).toContain('incompatible-order');
    expect(kinds([a1, read([1, 1], 2)])).toEqual(['duplicate']);
    expect(kinds([a1, failed, read([1, 9], 2)])).toEqual(['aborted-read']);
    expect(kinds([a1, read([1, 7], 2)])).toEqual(['garbage']);
    expect(kinds([a1, a2, read([1], 2)])).toEqual(['lost']);
  });
});

describe('list-append without a final read', () => {
  it('a key whose last acknowledged append has no successful read after it is unknown, not ok', () => {
    const a1 = txn([['append', 'a', 1]], [['append', 'a', 1]], 'ok', 0, 1);
    const early = txn([['r', 'a', null]], [['r', 'a', [1]]], 'ok', 2, 3);
    const a2 = txn([['append', 'a', 2]], [['append', 'a', 2]], 'ok', 4, 5);
    const r = checkListAppend([a1, early, a2]);
    expect(r.verdict).toBe('unknown');
    expect(r.keysWithoutFinalRead).toEqual(['a']);
    expect(checkListAppend([a1]).verdict).toBe('unknown');
    expect(checkListAppend([a1, early, a2, txn([['r', 'a', null]], undefined, 'fail', 6, 7)]).verdict).toBe('unknown');
    expect(checkListAppend([a1, early, a2, txn([['r', 'a', null]], [['r', 'a', [1, 2]]], 'ok', 6, 7)]).verdict).toBe('ok');
  });
});

describe('two-log-down unavailability check', () => {
  const nemesis = (f: 'start' | 'stop', time: number): HistoryEvent => ({ process: 'nemesis', type: 'info', f, value: { fault: 'two-log-down:log-two', targets: ['log-a', 'log-b'] }, time });
  const ev = (process: number, type: 'invoke' | 'ok' | 'fail' | 'info', f: string, time: number): HistoryEvent => ({ process, type, f, key: 'x', value: 1, time });

  it('ok when writes inside the window fail or stay unknown; illegal when one is acknowledged', () => {
    const quiet = [nemesis('start', 10), ev(0, 'invoke', 'write', 11), ev(0, 'fail', 'write', 12), ev(1, 'invoke', 'write', 13), ev(1, 'info', 'write', 15), nemesis('stop', 20)];
    const r = checkUnavailableWhile(quiet, (f) => f.startsWith('two-log-down'));
    expect(r.verdict).toBe('ok');
    expect(r.insideCounts).toEqual({ ok: 0, fail: 1, info: 1 });
    const acked = [nemesis('start', 10), ev(0, 'invoke', 'write', 11), ev(0, 'ok', 'write', 12), nemesis('stop', 20)];
    expect(checkUnavailableWhile(acked, (f) => f.startsWith('two-log-down')).verdict).toBe('illegal');
    // a write invoked before the fault may still be acknowledged (it may have committed in time)
    const before = [ev(0, 'invoke', 'write', 5), nemesis('start', 10), ev(0, 'ok', 'write', 12), nemesis('stop', 20)];
    expect(checkUnavailableWhile(before, (f) => f.startsWith('two-log-down')).verdict).toBe('ok');
    expect(checkUnavailableWhile([], () => true).verdict).toBe('unknown');
  });
});
