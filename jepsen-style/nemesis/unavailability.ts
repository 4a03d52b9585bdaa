// The two-log-down scenario's check: while two of the three log nodes are down nothing can
// commit, so no write invoked after the fault started and acknowledged before it ended may
// exist. (That acknowledged writes are not lost is the workload checker's job, as always.)
import type { HistoryEvent } from '../history/event.js';
import { faultIntervals, pairOperations } from '../history/operation.js';
import type { Verdict } from '../checker/linearizable.js';

const writeFunctions = new Set(['write', 'cas', 'add', 'txn']);

export interface UnavailabilityResult {
  verdict: Verdict;
  windows: number;
  /** Acknowledged writes wholly inside a window. */
  acknowledgedInside: { f: string; key: string; call: number; ret: number; fault: string }[];
  /** ok / fail / info counts of writes invoked inside the windows. */
  insideCounts: { ok: number; fail: number; info: number };
}

export function checkUnavailableWhile(events: readonly HistoryEvent[], faultName: (fault: string) => boolean): UnavailabilityResult {
  const windows = faultIntervals(events).filter((w) => faultName(w.fault));
  const result: UnavailabilityResult = { verdict: 'ok', windows: windows.length, acknowledgedInside: [], insideCounts: { ok: 0, fail: 0, info: 0 } };
  for (const op of pairOperations(events)) {
    const isWrite = writeFunctions.has(op.f) && (op.f !== 'txn' || (Array.isArray(op.input) && op.input.some((m) => Array.isArray(m) && m[0] === 'append')));
    if (!isWrite) continue;
    const window = windows.find((w) => op.call >= w.start && op.call <= w.end);
    if (window === undefined) continue;
    result.insideCounts[op.status]++;
    if (op.status === 'ok' && op.ret <= window.end) {
      result.acknowledgedInside.push({ f: op.f, key: op.key, call: op.call, ret: op.ret, fault: window.fault });
    }
  }
  if (result.acknowledgedInside.length > 0) result.verdict = 'illegal';
  else if (windows.length === 0) result.verdict = 'unknown';
  return result;
}
