// Counter workload: INCRBY k d (d in 1..5) and GET k. Judged twice: by bounds (no
// acknowledged increment lost, none doubled; cheap and exact) and by linearizability.
import { checkCounterBounds } from '../checker/counter-bounds.js';
import { checkLinearizable, combineVerdicts } from '../checker/linearizable.js';
import { counterModel } from '../checker/models/counter.js';
import { pairOperations } from '../history/operation.js';
import { decodeScalar } from '../client/session.js';
import { RespError } from '../client/resp.js';
import type { Outcome } from '../client/outcome.js';
import { linearizabilitySummary } from './summaries.js';
import type { Workload } from './workload.js';

export const counterWorkload: Workload = {
  name: 'counter',
  keysPerGroup: 1,
  opsPerKeyMax: 500,
  nextOp(random, slots) {
    const key = slots[0]!.key;
    if (random.next() < 0.25) return { f: 'read', key, value: null };
    return { f: 'add', key, value: random.int(1, 5) };
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
    const linear = linearizabilitySummary(checkLinearizable(counterModel, ops));
    const lines = [`counter bounds: ${bounds.verdict} (${bounds.reads} reads, ${bounds.acknowledgedAdds} acknowledged adds, ${bounds.unknownAdds} unknown, ${bounds.violations.length} violations)`];
    for (const v of bounds.violations.slice(0, 20)) lines.push(`  ${v.kind} on ${v.key}: read ${v.value} at ${v.read.call}, allowed [${v.lower}, ${v.upper}]`);
    return { verdict: combineVerdicts([bounds.verdict, linear.verdict]), lines: [...lines, ...linear.lines], details: { bounds, linearizability: linear.details }, html: linear.html };
  },
};
