// An HTML timeline of a linearizability failure, one lane per process, in the spirit of
// Knossos's and Porcupine's visualisations: the failing sub-history first (the operations
// that contradict each other), then the whole key's history with those operations outlined.
import { extent } from '../util/extent.js';
import { CheckerLimits, defaultCheckerLimits } from '../limits.js';
import type { Operation } from '../history/operation.js';
import { escapeHtml, htmlPage } from '../report/html.js';
import type { KeyResult, LinearizabilityResult } from './linearizable.js';

const laneHeightPx = 26;
const widthPx = 1100;

function describeRaw(op: Operation): string {
  const input = op.f === 'read' ? '' : ` ${JSON.stringify(op.input)}`;
  const output = op.status === 'ok' && op.f === 'read' ? ` → ${JSON.stringify(op.output)}` : '';
  return `${op.f}${input}${output}${op.status === 'info' ? ' (unknown)' : ''}`;
}

function lanes(ops: readonly Operation[], highlight: ReadonlySet<number>, labels: ReadonlyMap<number, string>): string {
  if (ops.length === 0) return '<p>(no operations)</p>';
  const processes = [...new Set(ops.map((o) => o.process))].sort((a, b) => a - b);
  const laneOf = new Map(processes.map((p, i) => [p, i]));
  const start = extent(ops.map((o) => o.call)).min;
  const end = Math.max(extent(ops.map((o) => (Number.isFinite(o.ret) ? o.ret : o.call))).max, start + 1);
  const span = end - start;
  const infoExtraPx = 40;
  const scale = (t: number): number => ((t - start) / span) * (widthPx - 160 - infoExtraPx) + 80;
  let boxes = '';
  for (const p of processes) {
    boxes += `<div class="lane-label" style="top:${laneOf.get(p)! * laneHeightPx}px">p${p}</div>`;
  }
  for (const op of ops) {
    const left = scale(op.call);
    const right = Number.isFinite(op.ret) ? scale(op.ret) : widthPx - 40;
    const cls = `op ${op.status}${highlight.has(op.id) ? ' failing' : ''}`;
    const label = labels.get(op.id) ?? describeRaw(op);
    const title = `${label}\nprocess ${op.process}, call ${op.call}, return ${Number.isFinite(op.ret) ? op.ret : 'never (unknown)'}`;
    boxes += `<div class="${cls}" style="left:${left.toFixed(1)}px;width:${Math.max(right - left, 3).toFixed(1)}px;top:${laneOf.get(op.process)! * laneHeightPx}px" title="${escapeHtml(title)}">${escapeHtml(label)}</div>`;
  }
  return `<div class="timeline" style="height:${processes.length * laneHeightPx + 4}px;width:${widthPx}px">${boxes}</div>`;
}

function keySection(key: KeyResult, limits: CheckerLimits): string {
  const failing = key.failing;
  const highlight = new Set(failing?.ops.map((o) => o.id) ?? []);
  const labels = new Map<number, string>();
  failing?.ops.forEach((o, i) => labels.set(o.id, failing.descriptions[i]!));
  let html = `<h2>key ${escapeHtml(JSON.stringify(key.key))}: ${key.verdict}</h2>`;
  html += `<p>${key.opsCount} operations searched, ${key.steps} model steps.</p>`;
  if (failing !== undefined) {
    html += `<p>Failing sub-history: ${failing.ops.length} operations that cannot be linearized`
      + `${failing.fromAnyState ? ' from <em>any</em> prior state' : ' from the initial state'}`
      + `${failing.minimal ? '; removing any one of them makes the rest linearizable' : ' (not shrunk to a minimum within the budget)'}.</p>`;
    html += lanes(failing.ops, highlight, labels);
    html += '<table><tr><th>process</th><th>operation</th><th>call</th><th>return</th></tr>'
      + failing.ops.map((o, i) => `<tr><td>${o.process}</td><td>${escapeHtml(failing.descriptions[i]!)}</td><td>${o.call}</td><td>${Number.isFinite(o.ret) ? o.ret : 'unknown'}</td></tr>`).join('')
      + '</table>';
  }
  const shown = key.ops.slice(0, limits.timelineOpsMax);
  html += `<h3>whole history of this key${shown.length < key.ops.length ? ` (first ${shown.length} of ${key.ops.length})` : ''}</h3>`;
  html += lanes(shown, highlight, labels);
  return html;
}

export function renderTimelineHtml(result: LinearizabilityResult, source: string, limits: CheckerLimits = defaultCheckerLimits): string {
  const bad = result.keys.filter((k) => k.verdict !== 'ok');
  let body = `<h1>${escapeHtml(result.model)} linearizability: ${result.verdict}</h1>`;
  body += `<p>${escapeHtml(source)}: ${result.opsCount} operations over ${result.keys.length} keys, ${result.steps} model steps, ${result.elapsedMs.toFixed(0)} ms.</p>`;
  body += '<p>Green: ok; orange: unknown outcome (info), drawn to the right edge because it may take effect at any later time; red outline: the failing sub-history.</p>';
  for (const key of bad) body += keySection(key, limits);
  if (bad.length === 0) body += '<p>Every key is linearizable.</p>';
  const css = `
.timeline { position: relative; border-top: 1px solid #eee; margin: 6px 0 12px; }
.lane-label { position: absolute; left: 0; width: 70px; color: #666; }
.op { position: absolute; height: 20px; overflow: hidden; white-space: nowrap; font-size: 11px; padding: 1px 3px; box-sizing: border-box; border-radius: 3px; }
.op.ok { background: #cdeccd; border: 1px solid #6a6; }
.op.info { background: #fde3bd; border: 1px dashed #c80; }
.op.failing { outline: 2px solid #d22; z-index: 1; }`;
  return htmlPage(`${result.model}: ${result.verdict}`, body, css);
}
