import { describe, expect, it } from 'vitest';
import { HistoryRecorder } from './recorder.js';
import { parseHistory } from './event.js';
import { faultIntervals, pairOperations } from './operation.js';

describe('HistoryRecorder', () => {
  it('records invoke/complete pairs as JSON lines the checker reads back, with a fresh process after info', () => {
    let clock = 0n;
    const lines: string[] = [];
    const recorder = new HistoryRecorder(10, (l) => lines.push(l), () => (clock += 1000n));
    let p = 0;
    const a = recorder.invoke(p, 'write', 'x', 1);
    p = recorder.complete(a, 'ok', 1);
    expect(p).toBe(0);
    recorder.nemesis('start', 'kill', ['db-1']);
    const b = recorder.invoke(p, 'write', 'x', 2);
    p = recorder.complete(b, 'info', undefined);
    expect(p).toBe(10);
    const c = recorder.invoke(p, 'read', 'x', null);
    p = recorder.complete(c, 'ok', 2);
    recorder.nemesis('stop', 'kill', ['db-1']);
    const d = recorder.invoke(p, 'write', 'x', 3);
    recorder.complete(d, 'fail', undefined);
    expect(() => recorder.invoke(0, 'read', 'x', null)).toThrow(/retired/);

    const events = parseHistory(lines.join('\n'));
    expect(events).toHaveLength(10);
    const ops = pairOperations(events);
    expect(ops.map((o) => [o.process, o.f, o.status])).toEqual([[0, 'write', 'ok'], [0, 'write', 'info'], [10, 'read', 'ok'], [10, 'write', 'fail']]);
    expect(ops[1]!.ret).toBe(Infinity);
    expect(ops[3]!.output).toBeUndefined();
    // an info completion records the invoked value, not a reply
    expect(events[4]).toMatchObject({ type: 'info', value: 2 });
    expect(faultIntervals(events)).toEqual([{ fault: 'kill', targets: ['db-1'], start: 3000, end: 8000 }]);
  });

  it('refuses a second invoke on an open process and a foreign completion', () => {
    const recorder = new HistoryRecorder(5);
    const a = recorder.invoke(1, 'read', 'x', null);
    expect(() => recorder.invoke(1, 'read', 'x', null)).toThrow(/open/);
    recorder.complete(a, 'ok', null);
    expect(() => recorder.complete(a, 'ok', null)).toThrow(/did not invoke/);
    expect(recorder.openCount).toBe(0);
  });
});
