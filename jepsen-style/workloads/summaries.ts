import type { LinearizabilityResult } from '../checker/linearizable.js';
import { renderTimelineHtml } from '../checker/timeline.js';
import type { CheckSummary } from './workload.js';

export function linearizabilitySummary(result: LinearizabilityResult): CheckSummary {
  const lines = [`${result.model} linearizability: ${result.verdict} (${result.opsCount} operations, ${result.keys.length} keys, ${result.steps} steps, ${result.elapsedMs.toFixed(0)} ms)`];
  const outOfTime = result.keys.filter((k) => k.undecided === 'time').length;
  if (outOfTime > 0) lines.push(`  ${outOfTime} keys not searched: the history's search time budget ran out (unknown, not passed)`);
  const listedMax = 20;
  const overSteps = result.keys.filter((k) => k.undecided === 'steps').length;
  if (overSteps > 0) lines.push(`  ${overSteps} keys over their search step budget (unknown, not passed)${overSteps > listedMax ? `; the first ${listedMax}:` : ':'}`);
  let listed = 0;
  for (const key of result.keys) {
    if (key.undecided === 'steps' && listed++ < listedMax) lines.push(`  key ${key.key}: unknown (search step budget exhausted)`);
    if (key.failing === undefined) continue;
    lines.push(`  key ${key.key}: not linearizable; failing sub-history:`);
    key.failing.ops.forEach((op, i) => lines.push(`    p${op.process} [${op.call}, ${Number.isFinite(op.ret) ? op.ret : '∞'}] ${key.failing!.descriptions[i]}`));
  }
  const details = { ...result, keys: result.keys.map(({ ops: _ops, ...rest }) => rest) };
  const html = result.verdict === 'ok' ? undefined : renderTimelineHtml(result, 'history.jsonl');
  return { verdict: result.verdict, lines, details, html };
}
