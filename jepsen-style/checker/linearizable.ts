// Linearizability of a whole history: drop `fail` operations (they certainly did not happen),
// split the rest into independent partitions (per key), search each with its own step budget,
// and shrink every illegal partition to a small failing sub-history.
import { CheckerLimits, defaultCheckerLimits } from '../limits.js';
import type { Operation } from '../history/operation.js';
import { CodedError } from '../util/assert.js';
import type { Model, SearchOp } from './model.js';
import { shrinkFailure } from './shrink.js';
import { searchLinearization } from './wgl.js';

export type Verdict = 'ok' | 'illegal' | 'unknown';

export interface FailingSubHistory {
  ops: Operation[];
  /** Per operation, as the witness uses it ("write 3 (unknown)" when it was weakened). */
  descriptions: string[];
  /** Per operation: the witness treats it as unknown although the history says `ok`. */
  weakened: boolean[];
  minimal: boolean;
  fromAnyState: boolean;
}

export interface KeyResult {
  key: string;
  verdict: Verdict;
  /** Operations searched (after dropping `fail` and irrelevant ones). */
  opsCount: number;
  steps: number;
  /** Why an `unknown` key is undecided: its own step budget, or the history's time budget ran out first. */
  undecided?: 'steps' | 'time';
  /** The history operations of this key that were searched, for timelines. */
  ops: Operation[];
  failing?: FailingSubHistory;
}

export interface LinearizabilityResult {
  model: string;
  verdict: Verdict;
  keys: KeyResult[];
  opsCount: number;
  steps: number;
  elapsedMs: number;
}

/** Any illegal key makes the history illegal; otherwise any unknown key makes it unknown. */
export function combineVerdicts(verdicts: Iterable<Verdict>): Verdict {
  let combined: Verdict = 'ok';
  for (const v of verdicts) {
    if (v === 'illegal') return 'illegal';
    if (v === 'unknown') combined = 'unknown';
  }
  return combined;
}

export function prepareOps<S, I, O>(model: Model<S, I, O>, ops: readonly Operation[]): SearchOp<I, O>[] {
  const prepared: SearchOp<I, O>[] = [];
  for (const op of ops) {
    if (op.status === 'fail') continue;
    const io = model.prepare(op);
    if (io === null) continue;
    prepared.push({ input: io.input, output: io.output, unknown: op.status === 'info', call: op.call, ret: op.ret, source: op });
  }
  return model.simplify === undefined ? prepared : model.simplify(prepared);
}

export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation[],
  limits: CheckerLimits = defaultCheckerLimits,
): LinearizabilityResult {
  const started = performance.now();
  const keys: KeyResult[] = [];
  let steps = 0;
  let opsCount = 0;
  const partitions = [...model.partition(ops).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let shrinkBudget = limits.shrinkStepsMax;
  for (const [key, keyOps] of partitions) {
    const prepared = prepareOps(model, keyOps);
    if (prepared.length > limits.opsPerKeyMax) {
      throw new CodedError('HISTORY_TOO_LARGE', `key ${JSON.stringify(key)} has ${prepared.length} operations (opsPerKeyMax ${limits.opsPerKeyMax}); rotate keys more often`);
    }
    opsCount += prepared.length;
    if (performance.now() - started > limits.searchMsTotalMax) {
      keys.push({ key, verdict: 'unknown', undecided: 'time', opsCount: prepared.length, steps: 0, ops: prepared.map((p) => p.source) });
      continue;
    }
    const result = searchLinearization(model, prepared, model.init(), limits.searchStepsPerKeyMax);
    steps += result.steps;
    const keyResult: KeyResult = { key, verdict: result.verdict, opsCount: prepared.length, steps: result.steps, ops: prepared.map((p) => p.source) };
    if (result.verdict === 'unknown') keyResult.undecided = 'steps';
    if (result.verdict === 'illegal') {
      const shrunk = shrinkFailure(model, prepared, shrinkBudget);
      shrinkBudget = Math.max(0, shrinkBudget - shrunk.steps);
      keyResult.failing = {
        ops: shrunk.ops.map((p) => p.source),
        descriptions: shrunk.ops.map((p) => model.describeOperation(p.input, p.output, p.unknown)),
        weakened: shrunk.ops.map((p) => p.unknown && p.source.status === 'ok'),
        minimal: shrunk.minimal,
        fromAnyState: shrunk.fromAnyState,
      };
    }
    keys.push(keyResult);
  }
  return {
    model: model.name,
    verdict: combineVerdicts(keys.map((k) => k.verdict)),
    keys,
    opsCount,
    steps,
    elapsedMs: performance.now() - started,
  };
}
