// Counter check, simpler and stronger than linearizability for lost and doubled increments:
// every `ok` read must lie between what had certainly been added and what might have been.
//   certainly added before read r: `ok` adds that returned before r was invoked
//   possibly added: `ok` or `info` adds invoked before r returned (and not certain)
//   lower = certain + Σ negative possible deltas; upper = certain + Σ positive possible deltas
// A read below `lower` lost an acknowledged add; above `upper` an add was applied twice (or a
// failed add took effect). The final read after healing makes "no acknowledged add lost" a
// statement about the whole run.
import type { Operation } from '../history/operation.js';
import { CodedError } from '../util/assert.js';
import { partitionByKey } from './model.js';
import type { Verdict } from './linearizable.js';

export interface CounterViolation {
  key: string;
  kind: 'lost' | 'doubled';
  read: Operation;
  value: number;
  lower: number;
  upper: number;
}

export interface CounterCheckResult {
  verdict: Verdict;
  keys: number;
  reads: number;
  acknowledgedAdds: number;
  unknownAdds: number;
  failedAdds: number;
  violations: CounterViolation[];
}

function integer(op: Operation, value: unknown, what: string): number {
  if (value === null && what === 'read') return 0;
  if (!Number.isSafeInteger(value)) throw new CodedError('HISTORY_INVALID', `counter ${what} on ${JSON.stringify(op.key)} at ${op.call} is not an integer: ${JSON.stringify(value)}`);
  return value as number;
}

export function checkCounterBounds(ops: readonly Operation[]): CounterCheckResult {
  const result: CounterCheckResult = { verdict: 'ok', keys: 0, reads: 0, acknowledgedAdds: 0, unknownAdds: 0, failedAdds: 0, violations: [] };
  for (const [key, keyOps] of partitionByKey(ops)) {
    result.keys++;
    const adds: { op: Operation; delta: number }[] = [];
    const reads: Operation[] = [];
    for (const op of keyOps) {
      if (op.f === 'add') {
        const delta = integer(op, op.input, 'delta');
        if (op.status === 'fail') { result.failedAdds++; continue; }
        if (op.status === 'ok') result.acknowledgedAdds++;
        else result.unknownAdds++;
        adds.push({ op, delta });
      } else if (op.f === 'read') {
        if (op.status === 'ok') reads.push(op);
      } else {
        throw new CodedError('HISTORY_INVALID', `counter has no operation ${JSON.stringify(op.f)} (add, read)`);
      }
    }
    for (const read of reads) {
      result.reads++;
      const value = integer(read, read.output, 'read');
      let certain = 0;
      let negative = 0;
      let positive = 0;
      for (const { op, delta } of adds) {
        if (op.status === 'ok' && op.ret < read.call) certain += delta;
        else if (op.call < read.ret) {
          if (delta < 0) negative += delta;
          else positive += delta;
        }
      }
      const lower = certain + negative;
      const upper = certain + positive;
      if (value < lower) result.violations.push({ key, kind: 'lost', read, value, lower, upper });
      else if (value > upper) result.violations.push({ key, kind: 'doubled', read, value, lower, upper });
    }
  }
  if (result.violations.length > 0) result.verdict = 'illegal';
  return result;
}
