// How the counter workload combines its two checks: bounds decide lost/doubled adds; the
// linearizability search still fails the run when it finds an anomaly bounds cannot see.
import { describe, expect, it } from 'vitest';
import type { ClientEvent } from '../history/event.js';
import { counterWorkload } from './counter.js';

function events(rows: [number, 'add' | 'read', number | null, number | null, number, number][]): ClientEvent[] {
  const out: ClientEvent[] = [];
  for (const [process, f, input, output, call, ret] of rows) {
    out.push({ process, type: 'invoke', f, key: 'c', value: input, time: call });
    out.push({ process, type: 'ok', f, key: 'c', value: f === 'read' ? output : input, time: ret });
  }
  return out.sort((a, b) => a.time - b.time);
}

describe('counter workload check', () => {
  it('valid history: ok by bounds and by linearizability', () => {
    const r = counterWorkload.check(events([[0, 'add', 1, null, 0, 1], [1, 'add', 2, null, 2, 3], [2, 'read', null, 3, 4, 5]]));
    expect(r.verdict).toBe('ok');
    expect(r.lines.join('\n')).toMatch(/counter bounds: ok[\s\S]*counter linearizability: ok/);
  });

  it('a read going backwards is within bounds but not linearizable: the run is illegal', () => {
    // Both adds overlap the reads, so 2 then 1 are each within [1, 2]; together they are not.
    const r = counterWorkload.check(events([[0, 'add', 1, null, 0, 1], [1, 'add', 1, null, 0, 10], [2, 'read', null, 2, 2, 3], [2, 'read', null, 1, 4, 5], [3, 'read', null, 2, 11, 12]]));
    expect(r.lines[0]).toMatch(/counter bounds: ok/);
    expect(r.verdict).toBe('illegal');
  });

  it('no read after the last acknowledged add: unknown', () => {
    const r = counterWorkload.check(events([[2, 'read', null, 0, 0, 1], [0, 'add', 1, null, 2, 3]]));
    expect(r.verdict).toBe('unknown');
  });
});
