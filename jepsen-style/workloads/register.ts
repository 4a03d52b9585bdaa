// Register workload: GET / SET / compare-and-set per key, values unique per key (so a crashed
// write nobody read drops out of the search), at most a few processes per key.
// CAS is WATCH k; GET k; then MULTI; SET k new; EXEC — EXEC's null reply means the watched key
// changed and nothing was applied (`fail`).
import { checkLinearizable } from '../checker/linearizable.js';
import { registerModel } from '../checker/models/register.js';
import { pairOperations } from '../history/operation.js';
import { decodeScalar, firstError } from '../client/session.js';
import { RespError } from '../client/resp.js';
import type { Outcome } from '../client/outcome.js';
import { linearizabilitySummary } from './summaries.js';
import type { Workload } from './workload.js';

export const registerWorkload: Workload = {
  name: 'register',
  keysPerGroup: 1,
  opsPerKeyMax: 300,
  nextOp(random, slots) {
    const slot = slots[0]!;
    const roll = random.next();
    if (roll < 0.5) return { f: 'read', key: slot.key, value: null };
    const value = ++slot.lastValue;
    const expected = slot.recent.length === 0 ? null : random.pick(slot.recent);
    slot.recent.push(value);
    if (slot.recent.length > 3) slot.recent.shift();
    if (roll < 0.75) return { f: 'write', key: slot.key, value };
    return { f: 'cas', key: slot.key, value: [expected, value] };
  },
  async invoke(session, op): Promise<Outcome<unknown>> {
    if (op.f === 'read') {
      const r = await session.exec([['GET', op.key]], false);
      if (r.type !== 'ok') return r;
      const reply = r.value[0]!;
      if (reply instanceof RespError) return session.errorOutcome(reply, false);
      return { type: 'ok', value: decodeScalar(reply) };
    }
    if (op.f === 'write') {
      const r = await session.exec([['SET', op.key, String(op.value)]], true);
      if (r.type !== 'ok') return r;
      const reply = r.value[0]!;
      if (reply instanceof RespError) return session.errorOutcome(reply, true);
      return { type: 'ok', value: op.value };
    }
    const [expected, next] = op.value as [number | null, number];
    const watch = await session.exec([['WATCH', op.key], ['GET', op.key]], false);
    if (watch.type !== 'ok') return watch; // nothing written yet: a lost reply is a `fail`
    const watchError = firstError(watch.value);
    if (watchError !== undefined) return session.errorOutcome(watchError, false);
    if (decodeScalar(watch.value[1]!) !== expected) {
      const unwatch = await session.exec([['UNWATCH']], false);
      if (unwatch.type !== 'ok') session.drop();
      return { type: 'fail', error: 'cas: value differs from expected' };
    }
    const txn = await session.exec([['MULTI'], ['SET', op.key, String(next)], ['EXEC']], true);
    if (txn.type !== 'ok') return txn;
    const exec = txn.value[2]!;
    if (exec === null) return { type: 'fail', error: 'cas: watched key changed (EXEC aborted)' };
    if (exec instanceof RespError) return session.errorOutcome(exec, true);
    const queued = firstError(txn.value.slice(0, 2));
    if (queued !== undefined) return session.errorOutcome(queued, true);
    if (!Array.isArray(exec) || exec.length !== 1 || exec[0] instanceof RespError) return { type: 'info', error: `cas: unexpected EXEC reply ${JSON.stringify(exec)}` };
    return { type: 'ok', value: op.value };
  },
  finalOps: (keys) => keys.map((key) => ({ f: 'read', key, value: null })),
  check: (events) => linearizabilitySummary(checkLinearizable(registerModel, pairOperations(events))),
};
