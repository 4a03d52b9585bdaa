// Set check: every acknowledged add must be present in the final read of its key (taken after
// the faults are healed), nothing that certainly failed may appear, nothing never added may
// appear, and no read may list an element twice. Optionally (reads from the primary, which
// is linearizable) a read invoked after an add was acknowledged must contain it ("stale").
import type { Operation } from '../history/operation.js';
import { CodedError } from '../util/assert.js';
import { lacksFinalRead, partitionByKey } from './model.js';
import type { Verdict } from './linearizable.js';

export type SetViolationKind = 'lost' | 'failed-add-present' | 'never-added' | 'duplicate' | 'stale';

export interface SetViolation {
  key: string;
  kind: SetViolationKind;
  element: string;
  /** The read that shows the violation. */
  read: Operation;
}

export interface SetCheckResult {
  verdict: Verdict;
  keys: number;
  acknowledgedAdds: number;
  unknownAdds: number;
  failedAdds: number;
  /** Acknowledged adds present in the final read. */
  stable: number;
  /** Unknown adds present in the final read (they did take effect). */
  unknownPresent: number;
  /** Keys with acknowledged adds but no final read after them: undecided. */
  keysWithoutFinalRead: string[];
  violations: SetViolation[];
}

export interface SetCheckOptions {
  /** Treat a read missing an add acknowledged before the read began as a violation. */
  linearizableReads: boolean;
}

export function checkSetFull(ops: readonly Operation[], options: SetCheckOptions = { linearizableReads: true }): SetCheckResult {
  const result: SetCheckResult = {
    verdict: 'ok', keys: 0, acknowledgedAdds: 0, unknownAdds: 0, failedAdds: 0, stable: 0, unknownPresent: 0,
    keysWithoutFinalRead: [], violations: [],
  };
  for (const [key, keyOps] of partitionByKey(ops)) {
    result.keys++;
    const adds = new Map<string, Operation>();
    const reads: { op: Operation; elements: string[] }[] = [];
    for (const op of keyOps) {
      if (op.f === 'add') {
        const element = JSON.stringify(op.input);
        if (adds.has(element)) throw new CodedError('HISTORY_INVALID', `set element ${element} added twice to ${JSON.stringify(key)} (elements must be unique per key)`);
        adds.set(element, op);
        if (op.status === 'ok') result.acknowledgedAdds++;
        else if (op.status === 'info') result.unknownAdds++;
        else result.failedAdds++;
      } else if (op.f === 'read') {
        if (op.status !== 'ok') continue;
        if (!Array.isArray(op.output)) throw new CodedError('HISTORY_INVALID', `set read on ${JSON.stringify(key)} at ${op.call} did not return an array`);
        reads.push({ op, elements: op.output.map((e) => JSON.stringify(e)) });
      } else {
        throw new CodedError('HISTORY_INVALID', `set has no operation ${JSON.stringify(op.f)} (add, read)`);
      }
    }
    const final = reads.reduce<(typeof reads)[number] | undefined>((latest, r) => (latest === undefined || r.op.call > latest.op.call ? r : latest), undefined);
    for (const { op: read, elements } of reads) {
      const seen = new Set<string>();
      for (const element of elements) {
        if (seen.has(element)) result.violations.push({ key, kind: 'duplicate', element, read });
        seen.add(element);
        const add = adds.get(element);
        if (add === undefined || add.call > read.ret) result.violations.push({ key, kind: 'never-added', element, read });
        else if (add.status === 'fail') result.violations.push({ key, kind: 'failed-add-present', element, read });
      }
      // The final read is judged below (a missing element there is lost, not merely stale).
      if (options.linearizableReads && read !== final?.op) {
        for (const [element, add] of adds) {
          if (add.status === 'ok' && add.ret < read.call && !seen.has(element)) {
            result.violations.push({ key, kind: 'stale', element, read });
          }
        }
      }
    }
    if (lacksFinalRead(adds.values(), reads.map((r) => r.op))) {
      result.keysWithoutFinalRead.push(key);
      continue;
    }
    if (final === undefined) continue; // no acknowledged add: nothing can be lost
    const present = new Set(final.elements);
    for (const [element, add] of adds) {
      if (add.status === 'ok') {
        if (present.has(element)) result.stable++;
        else result.violations.push({ key, kind: 'lost', element, read: final.op });
      } else if (add.status === 'info' && present.has(element)) {
        result.unknownPresent++;
      }
    }
  }
  if (result.violations.length > 0) result.verdict = 'illegal';
  else if (result.keysWithoutFinalRead.length > 0) result.verdict = 'unknown';
  return result;
}
