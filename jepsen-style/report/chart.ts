// Latency and throughput over time as inline SVG in one HTML page, with the nemesis's fault
// intervals shaded (Jepsen's perf checker): top, the latency of every completed operation
// (log scale; green ok, red fail, orange info at the time it was given up); bottom, completed
// operations per second by outcome.
import { extent } from '../util/extent.js';
import type { HistoryEvent } from '../history/event.js';
import { FaultInterval, faultIntervals, Operation, pairOperations } from '../history/operation.js';
import { escapeHtml, htmlPage } from './html.js';

const widthPx = 1000;
const plotHeightPx = 260;
const marginLeftPx = 60;
const marginBottomPx = 24;
const colors = { ok: '#2a2', fail: '#d22', info: '#e80' } as const;
const faultColors = ['#88f', '#f8a', '#8c8', '#fc6', '#c8f', '#6cc'];

export interface ChartInput {
  title: string;
  events: readonly HistoryEvent[];
  /** Completion time of each info operation (they never return in the history). */
  infoGivenUpNs?: ReadonlyMap<number, number>;
}

export function renderPerfChart(input: ChartInput): string {
  const ops = pairOperations(input.events);
  const faults = faultIntervals(input.events);
  const times = extent(input.events.map((e) => e.time));
  const startNs = input.events.length === 0 ? 0 : times.min;
  const endNs = input.events.length === 0 ? 1 : Math.max(times.max, startNs + 1);
  const x = (ns: number): number => marginLeftPx + ((ns - startNs) / (endNs - startNs)) * (widthPx - marginLeftPx - 10);
  const faultNames = [...new Set(faults.map((f) => f.fault))];
  const shading = (heightPx: number): string => faults.map((f) => {
    const x0 = x(Math.max(f.start, startNs));
    const x1 = x(Number.isFinite(f.end) ? Math.min(f.end, endNs) : endNs);
    const color = faultColors[faultNames.indexOf(f.fault) % faultColors.length];
    return `<rect class="fault" x="${x0.toFixed(1)}" y="0" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${heightPx}" fill="${color}" fill-opacity="0.18"><title>${escapeHtml(`${f.fault} ${f.targets.join(' ')}`)}</title></rect>`;
  }).join('');
  const legend = faultNames.map((name, i) => `<span style="background:${faultColors[i % faultColors.length]}40;padding:1px 6px;margin-right:6px">${escapeHtml(name)}</span>`).join('');
  return htmlPage(input.title, `<h1>${escapeHtml(input.title)}</h1>
<p>${ops.length} operations over ${((endNs - startNs) / 1e9).toFixed(1)} s. Shaded: fault intervals. ${legend}</p>
<h2>latency (ms, log scale)</h2>
${latencySvg(ops, input.infoGivenUpNs, x, shading(plotHeightPx), startNs, endNs)}
<h2>throughput (completed operations per second)</h2>
${throughputSvg(ops, faults, input.infoGivenUpNs, x, shading(plotHeightPx), startNs, endNs)}`);
}

function completionNs(op: Operation, infoGivenUpNs: ReadonlyMap<number, number> | undefined): number | undefined {
  if (op.status !== 'info') return op.ret;
  return infoGivenUpNs?.get(op.id);
}

function axisX(startNs: number, endNs: number, x: (ns: number) => number): string {
  const seconds = (endNs - startNs) / 1e9;
  const step = seconds > 600 ? 60 : seconds > 120 ? 20 : seconds > 30 ? 10 : seconds > 10 ? 2 : 1;
  let out = '';
  for (let s = 0; s <= seconds; s += step) {
    const px = x(startNs + s * 1e9);
    out += `<line x1="${px}" x2="${px}" y1="${plotHeightPx}" y2="${plotHeightPx + 4}" stroke="#444"/><text x="${px}" y="${plotHeightPx + 16}" font-size="10" text-anchor="middle">${s}s</text>`;
  }
  return out;
}

function latencySvg(ops: readonly Operation[], infoGivenUpNs: ReadonlyMap<number, number> | undefined, x: (ns: number) => number, shading: string, startNs: number, endNs: number): string {
  const minMs = 0.1;
  const maxMs = Math.max(10, extent(ops.map((o) => { const c = completionNs(o, infoGivenUpNs); return c === undefined ? 0 : (c - o.call) / 1e6; })).max);
  const y = (ms: number): number => plotHeightPx - ((Math.log10(Math.max(ms, minMs)) - Math.log10(minMs)) / (Math.log10(maxMs) - Math.log10(minMs))) * (plotHeightPx - 6);
  let points = '';
  for (const op of ops) {
    const done = completionNs(op, infoGivenUpNs);
    if (done === undefined) continue;
    points += `<circle cx="${x(op.call).toFixed(1)}" cy="${y((done - op.call) / 1e6).toFixed(1)}" r="1.6" fill="${colors[op.status]}"/>`;
  }
  let ticks = '';
  for (let ms = 0.1; ms <= maxMs * 1.01; ms *= 10) ticks += `<text x="${marginLeftPx - 4}" y="${y(ms) + 3}" font-size="10" text-anchor="end">${ms >= 1 ? ms.toFixed(0) : ms}</text><line x1="${marginLeftPx}" x2="${widthPx}" y1="${y(ms)}" y2="${y(ms)}" stroke="#eee"/>`;
  return `<svg class="latency" width="${widthPx}" height="${plotHeightPx + marginBottomPx}" xmlns="http://www.w3.org/2000/svg">${shading}${ticks}${points}${axisX(startNs, endNs, x)}</svg>`;
}

function throughputSvg(ops: readonly Operation[], _faults: readonly FaultInterval[], infoGivenUpNs: ReadonlyMap<number, number> | undefined, x: (ns: number) => number, shading: string, startNs: number, endNs: number): string {
  const buckets = Math.max(1, Math.ceil((endNs - startNs) / 1e9));
  const counts = { ok: new Array<number>(buckets).fill(0), fail: new Array<number>(buckets).fill(0), info: new Array<number>(buckets).fill(0) };
  for (const op of ops) {
    const done = completionNs(op, infoGivenUpNs);
    if (done === undefined) continue;
    counts[op.status][Math.min(buckets - 1, Math.floor((done - startNs) / 1e9))]!++;
  }
  const maxCount = Math.max(1, ...counts.ok, ...counts.fail, ...counts.info);
  const y = (n: number): number => plotHeightPx - (n / maxCount) * (plotHeightPx - 6);
  const line = (series: number[], color: string, status: string): string => `<polyline class="rate-${status}" fill="none" stroke="${color}" stroke-width="1.5" points="${series.map((n, i) => `${x(startNs + (i + 0.5) * 1e9).toFixed(1)},${y(n).toFixed(1)}`).join(' ')}"/>`;
  const ticks = [0, Math.round(maxCount / 2), maxCount].map((n) => `<text x="${marginLeftPx - 4}" y="${y(n) + 3}" font-size="10" text-anchor="end">${n}</text>`).join('');
  return `<svg class="throughput" width="${widthPx}" height="${plotHeightPx + marginBottomPx}" xmlns="http://www.w3.org/2000/svg">${shading}${ticks}${line(counts.ok, colors.ok, 'ok')}${line(counts.fail, colors.fail, 'fail')}${line(counts.info, colors.info, 'info')}${axisX(startNs, endNs, x)}</svg>`;
}
