// Counter check, simpler and stronger than linearizability for lost and doubled increments:
// every `ok` read must lie between what had certainly been added and what might have been.
//   certainly added before read r: `ok` adds that returned before r was invoked
//   possibly added: `ok` or `info` adds invoked before r returned (and not certain)
//   lower = certain + Σ negative possible deltas; upper = certain + Σ positive possible deltas
// A read below `lower` lost an acknowledged add; above `upper` an add was applied twice (or a
// failed add took effect). The final read after healing makes "no acknowledged add lost" a
// statement about the whole run; a key whose last acknowledged add has no successful read
// after it is undecided (`unknown`), never passed.
//
// Cost: O(n log n) per key. Adds are sorted once by invocation (all of them) and once by
// return (acknowledged ones), with prefix sums of positive and negative deltas; each read then
// takes two binary searches. (A 45 s run has ~90 k operations; the per-read scan was
// O(reads × adds) and a 400 k-operation history must still be checked in seconds.)
import type { Operation } from '../history/operation.js';
import { CodedError } from '../util/assert.js';
import { lacksFinalRead, partitionByKey } from './model.js';
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
  /** Keys with an acknowledged add and no successful read invoked after the last one: undecided. */
  keysWithoutFinalRead: string[];
  violations: CounterViolation[];
}

function integer(op: Operation, value: unknown, what: string): number {
  if (value === null && what === 'read') return 0;
  if (!Number.isSafeInteger(value)) throw new CodedError('HISTORY_INVALID', `counter ${what} on ${JSON.stringify(op.key)} at ${op.call} is not an integer: ${JSON.stringify(value)}`);
  return value as number;
}

/** Sorted times with prefix sums of the positive and of the negative deltas (index i: the first i). */
interface PrefixSums {
  times: Float64Array;
  positive: Float64Array;
  negative: Float64Array;
}

function prefixSums(events: readonly { time: number; delta: number }[]): PrefixSums {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const times = new Float64Array(sorted.length);
  const positive = new Float64Array(sorted.length + 1);
  const negative = new Float64Array(sorted.length + 1);
  sorted.forEach(({ time, delta }, i) => {
    times[i] = time;
    positive[i + 1] = positive[i]! + Math.max(0, delta);
    negative[i + 1] = negative[i]! + Math.min(0, delta);
  });
  return { times, positive, negative };
}

/** How many of the sorted `times` are strictly below `t`. */
function countBelow(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function assertSafeSum(n: number, key: string): number {
  if (!Number.isSafeInteger(n)) throw new CodedError('HISTORY_INVALID', `counter sums on ${JSON.stringify(key)} exceed safe integers`);
  return n;
}

export function checkCounterBounds(ops: readonly Operation[]): CounterCheckResult {
  const result: CounterCheckResult = { verdict: 'ok', keys: 0, reads: 0, acknowledgedAdds: 0, unknownAdds: 0, failedAdds: 0, keysWithoutFinalRead: [], violations: [] };
  for (const [key, keyOps] of partitionByKey(ops)) {
    result.keys++;
    const byCall: { time: number; delta: number }[] = [];
    const acknowledgedByRet: { time: number; delta: number }[] = [];
    const reads: Operation[] = [];
    const acknowledgedAdds: Operation[] = [];
    for (const op of keyOps) {
      if (op.f === 'add') {
        const delta = integer(op, op.input, 'delta');
        if (op.status === 'fail') { result.failedAdds++; continue; }
        byCall.push({ time: op.call, delta });
        if (op.status === 'ok') {
          result.acknowledgedAdds++;
          acknowledgedByRet.push({ time: op.ret, delta });
          acknowledgedAdds.push(op);
        } else {
          result.unknownAdds++;
        }
      } else if (op.f === 'read') {
        if (op.status === 'ok') reads.push(op);
      } else {
        throw new CodedError('HISTORY_INVALID', `counter has no operation ${JSON.stringify(op.f)} (add, read)`);
      }
    }
    if (lacksFinalRead(acknowledgedAdds, reads)) result.keysWithoutFinalRead.push(key);
    const invoked = prefixSums(byCall);
    const certainSums = prefixSums(acknowledgedByRet);
    for (const read of reads) {
      result.reads++;
      const value = integer(read, read.output, 'read');
      // Certain: acknowledged adds returned before the read was invoked. They were also
      // invoked before the read returned, so they are a subset of `invoked` below.
      const c = countBelow(certainSums.times, read.call);
      const certainPositive = certainSums.positive[c]!;
      const certainNegative = certainSums.negative[c]!;
      const i = countBelow(invoked.times, read.ret);
      const possiblePositive = invoked.positive[i]! - certainPositive;
      const possibleNegative = invoked.negative[i]! - certainNegative;
      const certain = certainPositive + certainNegative;
      const lower = assertSafeSum(certain + possibleNegative, key);
      const upper = assertSafeSum(certain + possiblePositive, key);
      if (value < lower) result.violations.push({ key, kind: 'lost', read, value, lower, upper });
      else if (value > upper) result.violations.push({ key, kind: 'doubled', read, value, lower, upper });
    }
  }
  if (result.violations.length > 0) result.verdict = 'illegal';
  else if (result.keysWithoutFinalRead.length > 0) result.verdict = 'unknown';
  return result;
}
