// List-append workload, as Jepsen's Redis test: transactions of 1–4 micro-ops over a group's
// keys, each RPUSH k v (v unique per key) or LRANGE k 0 -1, inside MULTI/EXEC. Checked here
// for prefix order, duplicates, aborted reads and lost appends; exported as Elle EDN for the
// full cycle analysis (elle-cli, run separately).
import { checkListAppend } from '../checker/list-append.js';
import { pairOperations } from '../history/operation.js';
import { decodeScalar, firstError } from '../client/session.js';
import { RespError } from '../client/resp.js';
import type { Outcome } from '../client/outcome.js';
import type { Workload } from './workload.js';

type Micro = [string, string, unknown];

export const listAppendWorkload: Workload = {
  name: 'list-append',
  keysPerGroup: 3,
  opsPerKeyMax: 256,
  nextOp(random, slots) {
    const length = random.int(1, 4);
    const txn: Micro[] = [];
    for (let i = 0; i < length; i++) {
      const slot = random.pick(slots);
      if (random.next() < 0.5) txn.push(['r', slot.key, null]);
      else txn.push(['append', slot.key, ++slot.lastValue]);
    }
    return { f: 'txn', key: slots.map((s) => s.key).join(','), value: txn };
  },
  async invoke(session, op): Promise<Outcome<unknown>> {
    const txn = op.value as Micro[];
    const isWrite = txn.some(([f]) => f === 'append');
    const commands = [['MULTI'], ...txn.map(([f, key, v]) => (f === 'append' ? ['RPUSH', key, String(v)] : ['LRANGE', key, 0, -1])), ['EXEC']];
    const r = await session.exec(commands, isWrite);
    if (r.type !== 'ok') return r;
    const exec = r.value[r.value.length - 1]!;
    if (exec === null) return { type: 'fail', error: 'EXEC aborted' };
    if (exec instanceof RespError) return session.errorOutcome(exec, isWrite);
    const queued = firstError(r.value.slice(0, -1));
    if (queued !== undefined) return session.errorOutcome(queued, isWrite);
    if (!Array.isArray(exec) || exec.length !== txn.length) return { type: isWrite ? 'info' : 'fail', error: `unexpected EXEC reply ${JSON.stringify(exec)}` };
    const done: Micro[] = txn.map(([f, key, v], i) => {
      if (f === 'append') return [f, key, v];
      const list = exec[i];
      return [f, key, Array.isArray(list) ? list.map((e) => decodeScalar(e)) : null];
    });
    return { type: 'ok', value: done };
  },
  finalOps: (keys) => keys.map((key) => ({ f: 'txn', key, value: [['r', key, null]] })),
  check(events) {
    const result = checkListAppend(pairOperations(events));
    const lines = [`list-append (prefix/lost/aborted check; run Elle on history.edn for cycles): ${result.verdict} (${result.acknowledgedAppends} acknowledged appends, ${result.violations.length} violations, ${result.keysWithoutFinalRead.length} keys without a final read)`];
    for (const key of result.keysWithoutFinalRead.slice(0, 20)) lines.push(`  ${key}: no successful read after its last acknowledged append (unknown)`);
    for (const v of result.violations.slice(0, 20)) lines.push(`  ${v.kind} on ${v.key}: ${v.detail}`);
    return { verdict: result.verdict, lines, details: result };
  },
};
