// A first check of list-append histories, before Elle (which is run externally on the EDN
// export): per key, every read must be a prefix of the longest read (else the order of
// appends was seen two ways: split brain or a lost write), no read may list an element twice,
// every element read must come from an append that did not fail, and the final read must hold
// every acknowledged append (a key with no successful read after its last acknowledged
// append is `unknown`, never ok). Elle adds the cycle analysis (G0, G1c, G-single, G2).
import type { Operation } from '../history/operation.js';
import { CodedError } from '../util/assert.js';
import type { Verdict } from './linearizable.js';
import { lacksFinalRead } from './model.js';

export type ListViolationKind = 'incompatible-order' | 'duplicate' | 'aborted-read' | 'garbage' | 'lost';

export interface ListViolation {
  key: string;
  kind: ListViolationKind;
  detail: string;
}

export interface ListAppendResult {
  verdict: Verdict;
  keys: number;
  acknowledgedAppends: number;
  /** Keys with an acknowledged append and no successful read invoked after it: undecided. */
  keysWithoutFinalRead: string[];
  violations: ListViolation[];
}

type Micro = [string, string, unknown];

function micros(op: Operation, value: unknown): Micro[] {
  if (!Array.isArray(value)) throw new CodedError('HISTORY_INVALID', `txn at ${op.call} has no micro-op list`);
  return value as Micro[];
}

export function checkListAppend(ops: readonly Operation[]): ListAppendResult {
  const appends = new Map<string, Map<string, Operation>>(); // key -> element -> op
  const reads = new Map<string, { op: Operation; list: unknown[] }[]>();
  let acknowledgedAppends = 0;
  for (const op of ops) {
    if (op.f !== 'txn') throw new CodedError('HISTORY_INVALID', `list-append has only txn operations, got ${op.f}`);
    for (const [f, key, value] of micros(op, op.input)) {
      if (f !== 'append') continue;
      let byElement = appends.get(key);
      if (byElement === undefined) appends.set(key, (byElement = new Map()));
      byElement.set(JSON.stringify(value), op);
      if (op.status === 'ok') acknowledgedAppends++;
    }
    if (op.status !== 'ok') continue;
    for (const [f, key, value] of micros(op, op.output)) {
      if (f !== 'r') continue;
      if (!Array.isArray(value)) throw new CodedError('HISTORY_INVALID', `read of ${key} at ${op.call} returned no list`);
      let list = reads.get(key);
      if (list === undefined) reads.set(key, (list = []));
      list.push({ op, list: value });
    }
  }
  const violations: ListViolation[] = [];
  const keysWithoutFinalRead: string[] = [];
  const keys = new Set([...appends.keys(), ...reads.keys()]);
  for (const key of keys) {
    const keyReads = reads.get(key) ?? [];
    const keyAppends = appends.get(key) ?? new Map<string, Operation>();
    const longest = keyReads.reduce<unknown[]>((a, r) => (r.list.length > a.length ? r.list : a), []);
    const longestText = longest.map((e) => JSON.stringify(e));
    for (const { op, list } of keyReads) {
      const text = list.map((e) => JSON.stringify(e));
      if (text.some((e, i) => e !== longestText[i])) {
        violations.push({ key, kind: 'incompatible-order', detail: `read [${text}] at ${op.call} is not a prefix of [${longestText}]` });
      }
      const seen = new Set<string>();
      for (const e of text) {
        if (seen.has(e)) violations.push({ key, kind: 'duplicate', detail: `element ${e} twice in the read at ${op.call}` });
        seen.add(e);
        const appender = keyAppends.get(e);
        if (appender === undefined) violations.push({ key, kind: 'garbage', detail: `element ${e} read at ${op.call} was never appended` });
        else if (appender.status === 'fail') violations.push({ key, kind: 'aborted-read', detail: `element ${e} read at ${op.call} comes from a failed append` });
      }
    }
    const final = keyReads.reduce<(typeof keyReads)[number] | undefined>((a, r) => (a === undefined || r.op.call > a.op.call ? r : a), undefined);
    if (lacksFinalRead(keyAppends.values(), keyReads.map((r) => r.op))) keysWithoutFinalRead.push(key);
    if (final !== undefined) {
      const present = new Set(final.list.map((e) => JSON.stringify(e)));
      for (const [element, op] of keyAppends) {
        if (op.status === 'ok' && op.ret < final.op.call && !present.has(element)) {
          violations.push({ key, kind: 'lost', detail: `acknowledged append of ${element} (returned at ${op.ret}) missing from the final read at ${final.op.call}` });
        }
      }
    }
  }
  const verdict: Verdict = violations.length > 0 ? 'illegal' : keysWithoutFinalRead.length > 0 ? 'unknown' : 'ok';
  return { verdict, keys: keys.size, acknowledgedAppends, keysWithoutFinalRead, violations };
}
