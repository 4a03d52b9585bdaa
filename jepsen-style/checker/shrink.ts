// Finds a small failing sub-history of one illegal key, to show a person why it is illegal.
// Every reduction is a *weakening*: the reduced history admits every linearization the full
// one does (restricted to its operations), so "the reduced history is illegal" implies "the
// full one is" and the witness can never show a contradiction that is not really there.
// (Plainly deleting a write is NOT such a reduction: a read of its value would then look like
// a read of garbage.) The weakenings used:
//  - drop a completed read (it only constrains);
//  - turn a completed write into an unknown one (it may then happen at any later time, or never);
//  - cut the history at a time T: drop operations invoked after T, weaken those still running at T;
//  - start at a time S from an unknown state: drop operations that returned before S, weaken
//    those still running at S (the model's unknown state accepts whatever was there).
// Steps: the earliest T, then the latest S (both monotone, so binary search is exact), then
// greedy weakening of chunks and single operations until each remaining one is needed.
import type { Model, SearchOp } from './model.js';
import { searchLinearization } from './wgl.js';

export interface ShrinkResult<I, O> {
  ops: SearchOp<I, O>[];
  /** True if weakening any remaining operation makes the rest linearizable. */
  minimal: boolean;
  /** True if the operations are illegal from an unknown prior state (not only from the initial one). */
  fromAnyState: boolean;
  steps: number;
}

/** The weakest version of an operation: reads dropped (null), others made unknown. */
export function weakenOp<S, I, O>(model: Model<S, I, O>, op: SearchOp<I, O>): SearchOp<I, O> | null {
  if (op.unknown) return op;
  const io = model.prepare({ ...op.source, status: 'info', output: undefined, ret: Infinity });
  if (io === null) return null;
  return { ...op, input: io.input, output: io.output, unknown: true, ret: Infinity };
}

export function shrinkFailure<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  stepsMax: number,
): ShrinkResult<I, O> {
  let steps = 0;
  const isIllegal = (candidate: readonly SearchOp<I, O>[], initial: S): boolean => {
    const budget = stepsMax - steps;
    if (budget <= 0) return false;
    const simplified = model.simplify === undefined ? [...candidate] : model.simplify([...candidate]);
    const result = searchLinearization(model, simplified, initial, budget);
    steps += result.steps;
    return result.verdict === 'illegal';
  };
  const byCall = [...ops].sort((a, b) => a.call - b.call || a.source.id - b.source.id);
  const window = (from: number, until: number): SearchOp<I, O>[] => {
    const out: SearchOp<I, O>[] = [];
    for (const op of byCall) {
      if (op.call > until) break;
      if (op.ret < from) continue;
      if (op.call < from || op.ret > until) {
        const weak = weakenOp(model, op);
        if (weak !== null) out.push(weak);
      } else {
        out.push(op);
      }
    }
    return out;
  };

  // 1. The earliest cut T = byCall[k].call at which the history is already illegal
  //    (k = n stands for no cut at all, which is illegal by assumption).
  const cutAt = (k: number): number => (k < byCall.length ? byCall[k]!.call : Infinity);
  let lo = -1;
  let hi = byCall.length;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (isIllegal(window(-Infinity, cutAt(mid)), model.init())) hi = mid;
    else lo = mid;
  }
  const until = cutAt(hi);
  let current = window(-Infinity, until);
  let initial = model.init();
  let fromAnyState = false;

  // 2. The latest start S from an unknown state that keeps it illegal.
  if (model.initUnknown !== undefined && isIllegal(current, model.initUnknown())) {
    fromAnyState = true;
    initial = model.initUnknown();
    let good = 0; // index into byCall of a start known to stay illegal
    let badStart = Math.min(hi + 1, byCall.length);
    while (good + 1 < badStart) {
      const mid = (good + badStart) >>> 1;
      if (isIllegal(window(byCall[mid]!.call, until), initial)) good = mid;
      else badStart = mid;
    }
    current = window(byCall[good]!.call, until);
  }

  // 3. Greedy weakening, chunks first, then one operation at a time.
  const weakenAt = (list: SearchOp<I, O>[], start: number, end: number): SearchOp<I, O>[] | undefined => {
    let changed = false;
    const out: SearchOp<I, O>[] = [];
    list.forEach((op, i) => {
      if (i < start || i >= end || op.unknown) { out.push(op); return; }
      changed = true;
      const weak = weakenOp(model, op);
      if (weak !== null) out.push(weak);
    });
    return changed ? out : undefined;
  };
  let exhausted = false;
  for (let chunk = Math.max(1, Math.floor(current.length / 2)); ; chunk = Math.max(1, Math.floor(chunk / 2))) {
    for (let start = 0; start < current.length; start += chunk) {
      const candidate = weakenAt(current, start, start + chunk);
      if (candidate !== undefined && isIllegal(candidate, initial)) {
        current = candidate;
        start -= chunk; // the list may have shrunk; retry from the same place
        if (start < -chunk) start = -chunk;
      }
      if (steps >= stepsMax) { exhausted = true; break; }
    }
    if (exhausted || chunk === 1) break;
  }
  // Unknown operations nobody can observe do not belong in a witness.
  if (model.simplify !== undefined) current = model.simplify(current);
  return { ops: current, minimal: !exhausted, fromAnyState, steps };
}
