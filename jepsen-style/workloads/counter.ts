// Counter workload: INCRBY k d (d in 1..2) and GET k. Judged twice:
//   - bounds (checker/counter-bounds.ts): no acknowledged increment lost, none doubled; exact,
//     O(n log n), and the run's verdict — this is the counter's claim;
//   - linearizability (WGL), under a step budget per key and a time budget for the history.
//     An illegal key makes the run illegal; a key it could not decide is reported as
//     `unknown` by name in the verdict (linearizability is then not claimed for it), but does
//     not undo the bounds verdict. Deltas are 1 or 2 so crashed adds fall into two classes of
//     interchangeable operations, which the search tries in invocation order only.
import { checkCounterBounds } from '../checker/counter-bounds.js';
import { checkLinearizable, combineVerdicts } from '../checker/linearizable.js';
import { defaultCheckerLimits } from '../limits.js';
import { counterModel } from '../checker/models/counter.js';
import { pairOperations } from '../history/operation.js';
import { decodeScalar } from '../client/session.js';
import { RespError } from '../client/resp.js';
import type { Outcome } from '../client/outcome.js';
import { linearizabilitySummary } from './summaries.js';
import type { Workload } from './workload.js';

/** The search is secondary here: bounded tighter than the default so a long run's check stays short. */
const counterSearchLimits = { ...defaultCheckerLimits, searchStepsPerKeyMax: 1_000_000, searchMsTotalMax: 180_000 };

export const counterWorkload: Workload = {
  name: 'counter',
  keysPerGroup: 1,
  opsPerKeyMax: 500,
  nextOp(random, slots) {
    const key = slots[0]!.key;
    if (random.next() < 0.25) return { f: 'read', key, value: null };
    return { f: 'add', key, value: random.int(1, 2) };
  },
  async invoke(session, op): Promise<Outcome<unknown>> {
    const isWrite = op.f === 'add';
    const r = await session.exec([isWrite ? ['INCRBY', op.key, op.value as number] : ['GET', op.key]], isWrite);
    if (r.type !== 'ok') return r;
    const reply = r.value[0]!;
    if (reply instanceof RespError) return session.errorOutcome(reply, isWrite);
    if (isWrite) return { type: 'ok', value: op.value };
    const value = decodeScalar(reply);
    return { type: 'ok', value: value === null ? 0 : value };
  },
  finalOps: (keys) => keys.map((key) => ({ f: 'read', key, value: null })),
  check(events) {
    const ops = pairOperations(events);
    const bounds = checkCounterBounds(ops);
    const linear = linearizabilitySummary(checkLinearizable(counterModel, ops, counterSearchLimits));
    const lines = [`counter bounds: ${bounds.verdict} (${bounds.reads} reads, ${bounds.acknowledgedAdds} acknowledged adds, ${bounds.unknownAdds} unknown, ${bounds.violations.length} violations, ${bounds.keysWithoutFinalRead.length} keys without a final read)`];
    for (const v of bounds.violations.slice(0, 20)) lines.push(`  ${v.kind} on ${v.key}: read ${v.value} at ${v.read.call}, allowed [${v.lower}, ${v.upper}]`);
    for (const key of bounds.keysWithoutFinalRead.slice(0, 20)) lines.push(`  ${key}: no successful read after its last acknowledged add (unknown)`);
    if (linear.verdict === 'unknown') lines.push('counter linearizability is not claimed for the keys it could not decide (listed below); the bounds verdict stands');
    const verdict = combineVerdicts([bounds.verdict, linear.verdict === 'illegal' ? 'illegal' : 'ok']);
    return { verdict, lines: [...lines, ...linear.lines], details: { bounds, linearizability: { ...(linear.details as object), claimed: linear.verdict === 'ok' } }, html: linear.html };
  },
};
