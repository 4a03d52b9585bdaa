import { describe, expect, it } from 'vitest';
import { renderPerfChart } from './chart.js';
import { computeStats } from './stats.js';
import type { HistoryEvent } from '../history/event.js';

const s = 1e9;
const events: HistoryEvent[] = [
  { process: 0, type: 'invoke', f: 'write', key: 'x', value: 1, time: 0 },
  { process: 0, type: 'ok', f: 'write', key: 'x', value: 1, time: 0.002 * s },
  { process: 'nemesis', type: 'info', f: 'start', value: { fault: 'kill:primary', targets: ['db-1'] }, time: 1 * s },
  { process: 1, type: 'invoke', f: 'read', key: 'x', value: null, time: 1.5 * s },
  { process: 1, type: 'fail', f: 'read', key: 'x', value: null, time: 1.6 * s },
  { process: 0, type: 'invoke', f: 'write', key: 'x', value: 2, time: 2 * s },
  { process: 0, type: 'info', f: 'write', key: 'x', value: 2, time: 4 * s },
  { process: 'nemesis', type: 'info', f: 'stop', value: { fault: 'kill:primary', targets: ['db-1'] }, time: 5 * s },
  { process: 2, type: 'invoke', f: 'read', key: 'x', value: null, time: 6 * s },
  { process: 2, type: 'ok', f: 'read', key: 'x', value: 2, time: 6.01 * s },
];

describe('run statistics and the perf chart', () => {
  it('counts outcomes and latency percentiles', () => {
    const stats = computeStats(events);
    expect(stats.byStatus).toEqual({ ok: 2, fail: 1, info: 1 });
    expect(stats.byFunction.read).toEqual({ ok: 1, fail: 1, info: 0 });
    expect(stats.okLatency.count).toBe(2);
    expect(stats.okLatency.maxMs).toBeCloseTo(10, 3);
    expect(stats.durationS).toBeCloseTo(6.01, 3);
    expect(stats.nemesisEvents).toBe(2);
  });

  it('draws one point per completed operation and shades each fault interval', () => {
    const html = renderPerfChart({ title: 'register run', events, infoGivenUpNs: new Map([[2, 4 * s]]) });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<circle /g)).toHaveLength(4); // 2 ok, 1 fail, 1 info (at the time it was given up)
    expect(html.match(/<rect class="fault"/g)).toHaveLength(2); // one per plot
    expect(html).toContain('kill:primary db-1');
    expect(html).toContain('class="rate-ok"');
    // the fault rectangle starts at 1 s of a 6.01 s run
    const rect = /<rect class="fault" x="([\d.]+)" y="0" width="([\d.]+)"/.exec(html)!;
    const plotWidth = 1000 - 60 - 10;
    expect(Number(rect[1])).toBeCloseTo(60 + (1 / 6.01) * plotWidth, 0);
    expect(Number(rect[2])).toBeCloseTo((4 / 6.01) * plotWidth, 0);
  });
});

describe('reports of long runs', () => {
  it('compute stats and draw the chart for 400,000 events (a 10-minute run) without overflowing the stack', () => {
    const many: HistoryEvent[] = [];
    for (let i = 0; i < 200_000; i++) {
      many.push({ process: i % 50, type: 'invoke', f: 'write', key: `k${i % 500}`, value: i, time: i * 1000 });
      many.push({ process: i % 50, type: 'ok', f: 'write', key: `k${i % 500}`, value: i, time: i * 1000 + 500 });
    }
    const stats = computeStats(many);
    expect(stats.operations).toBe(200_000);
    expect(stats.durationS).toBeCloseTo((199_999 * 1000 + 500) / 1e9, 9);
    expect(renderPerfChart({ events: many, title: 'long' })).toContain('<svg');
  });
});

