// Set workload: SADD k e with elements unique per key, occasional SMEMBERS, and a final
// SMEMBERS of every key once the faults are healed: every acknowledged add must be there.
import { checkSetFull } from '../checker/set-full.js';
import { pairOperations } from '../history/operation.js';
import { decodeScalar } from '../client/session.js';
import { RespError } from '../client/resp.js';
import type { Outcome } from '../client/outcome.js';
import type { Workload } from './workload.js';

export const setWorkload: Workload = {
  name: 'set',
  keysPerGroup: 1,
  opsPerKeyMax: 500,
  nextOp(random, slots) {
    const slot = slots[0]!;
    if (random.next() < 0.1) return { f: 'read', key: slot.key, value: null };
    return { f: 'add', key: slot.key, value: ++slot.lastValue };
  },
  async invoke(session, op): Promise<Outcome<unknown>> {
    const isWrite = op.f === 'add';
    const r = await session.exec([isWrite ? ['SADD', op.key, String(op.value)] : ['SMEMBERS', op.key]], isWrite);
    if (r.type !== 'ok') return r;
    const reply = r.value[0]!;
    if (reply instanceof RespError) return session.errorOutcome(reply, isWrite);
    if (isWrite) return { type: 'ok', value: op.value };
    if (!Array.isArray(reply)) return { type: 'fail', error: `SMEMBERS returned ${JSON.stringify(reply)}` };
    return { type: 'ok', value: reply.map((e) => decodeScalar(e)).sort((a, b) => Number(a) - Number(b)) };
  },
  finalOps: (keys) => keys.map((key) => ({ f: 'read', key, value: null })),
  check(events) {
    const result = checkSetFull(pairOperations(events));
    const lines = [`set-full: ${result.verdict} (${result.acknowledgedAdds} acknowledged adds, ${result.stable} present at the end, ${result.unknownAdds} unknown of which ${result.unknownPresent} present, ${result.violations.length} violations, ${result.keysWithoutFinalRead.length} keys without a final read)`];
    for (const v of result.violations.slice(0, 20)) lines.push(`  ${v.kind} on ${v.key}: element ${v.element} (read at ${v.read.call})`);
    return { verdict: result.verdict, lines, details: result };
  },
};
