// The model a history is checked against, in the spirit of Porcupine's `Model`: a pure,
// sequential specification. `step` must never mutate a state, states must never be
// `undefined` (it means "illegal"), and equal states must hash equal.
import type { Operation } from '../history/operation.js';

/** One operation as the search sees it: the model's own input and output, plus its interval. */
export interface SearchOp<I, O> {
  input: I;
  /** Meaningless when `unknown` is set. */
  output: O;
  /** The outcome is unknown (`info`): the operation may take effect at any point after `call`, or never. */
  unknown: boolean;
  call: number;
  /** +Infinity for unknown operations. */
  ret: number;
  /** The history operation this came from (for reports). */
  source: Operation;
}

export interface Model<S, I, O> {
  readonly name: string;
  /**
   * Turns a history operation (`ok` or `info`; `fail` ones are dropped before) into the
   * model's input and output. Returns null for operations that cannot affect the check
   * (e.g. a read whose outcome is unknown). Throws `HISTORY_INVALID` for malformed values.
   */
  prepare(op: Operation): { input: I; output: O } | null;
  /** Independent sub-histories (the history is linearizable iff each of them is). */
  partition(ops: readonly Operation[]): Map<string, Operation[]>;
  init(): S;
  /**
   * Optional, sound simplification of one partition before the search: drop operations whose
   * presence can be shown not to matter (e.g. a crashed write whose value nobody ever read).
   * Crashed operations are what make a failing search expensive.
   */
  simplify?(ops: SearchOp<I, O>[]): SearchOp<I, O>[];
  /**
   * A state standing for "whatever came before", from which `step` over-approximates (it may
   * accept more than any concrete state would, never less). Used only to shrink a failing
   * history: a sub-history that is illegal even from this state is a self-contained witness.
   */
  initUnknown?(): S;
  /**
   * The state after `input` with `output`, or undefined if that output is impossible. An
   * unknown operation must be accepted in every state: "it never happened" is represented by
   * linearizing it after everything else, which only works if that step is always allowed.
   */
  step(state: S, input: I, output: O, unknown: boolean): S | undefined;
  /**
   * Optional: unknown operations with the same key are interchangeable (equal inputs, so the
   * same effect in every state, and each accepted anywhere). The search then linearizes them
   * only in invocation order, which is sound: in any linearization, an earlier-invoked one can
   * take the place of a later-invoked one (it was pending at least as long and never returns).
   * This turns 2^k subsets of k crashed `INCRBY 1` into k + 1 prefixes.
   */
  symmetryKey?(input: I): string;
  equal(a: S, b: S): boolean;
  hash(state: S): number;
  describeOperation(input: I, output: O, unknown: boolean): string;
  describeState(state: S): string;
}

/** FNV-1a over a string's UTF-16 code units, 32 bits. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Partitions by the operation's key (Herlihy & Wing locality: keys are independent objects). */
export function partitionByKey(ops: readonly Operation[]): Map<string, Operation[]> {
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(op);
  }
  return byKey;
}

/**
 * Whether a key whose writes were acknowledged has no successful read invoked after the last
 * of them returned. Such a key is undecided (`unknown`): nothing shows its acknowledged writes
 * survived, and it is never passed. A key without acknowledged writes needs no final read.
 */
export function lacksFinalRead(writes: Iterable<Operation>, okReads: Iterable<Operation>): boolean {
  let lastAcknowledgedRet = -Infinity;
  for (const write of writes) if (write.status === 'ok' && write.ret > lastAcknowledgedRet) lastAcknowledgedRet = write.ret;
  if (lastAcknowledgedRet === -Infinity) return false;
  for (const read of okReads) if (read.call > lastAcknowledgedRet) return false;
  return true;
}
