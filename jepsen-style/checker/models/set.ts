// A set per key, starting empty.
//   add:  value = the element (unique elements make the check cheap and the report clear)
//   read: invoke value null, `ok` value = an array of every element in the set
import { hashString, Model, partitionByKey } from '../model.js';
import { badValue, primitiveOrBad } from './values.js';

/** Canonical set contents: the sorted JSON texts of the elements, joined. */
export interface SetState {
  readonly members: readonly string[];
  readonly canonical: string;
}
export const ANY_SET: unique symbol = Symbol('any set');
export type SetModelState = SetState | typeof ANY_SET;
export type SetInput = { f: 'read' } | { f: 'add'; element: string };

const separator = '\u001f';

function makeState(members: readonly string[]): SetState {
  return { members, canonical: members.join(separator) };
}

/** Canonical form of a read; duplicates are kept so a read with duplicates never matches a set. */
function canonicalRead(elements: readonly string[]): string {
  return [...elements].sort().join(separator);
}

export const setModel: Model<SetModelState, SetInput, string> = {
  name: 'set',
  prepare(op) {
    switch (op.f) {
      case 'read': {
        if (op.status !== 'ok') return null;
        if (!Array.isArray(op.output)) badValue(op, 'a set read must return an array');
        return {
          input: { f: 'read' },
          output: canonicalRead(op.output.map((e) => JSON.stringify(primitiveOrBad(op, e, 'a set element')))),
        };
      }
      case 'add':
        return { input: { f: 'add', element: JSON.stringify(primitiveOrBad(op, op.input, 'the element added')) }, output: '' };
      default:
        return badValue(op, `set has no operation ${JSON.stringify(op.f)} (add, read)`);
    }
  },
  partition: partitionByKey,
  // A crashed add whose element no read ever listed is invisible: it took effect after every
  // read, or never, and "never" explains the same history.
  simplify(ops) {
    const observed = new Set<string>();
    for (const op of ops) if (op.input.f === 'read' && op.output !== '') for (const e of op.output.split(separator)) observed.add(e);
    return ops.filter((op) => !op.unknown || op.input.f === 'read' || observed.has(op.input.element));
  },
  init: () => makeState([]),
  initUnknown: () => ANY_SET,
  step(state, input, output) {
    if (input.f === 'read') {
      if (state === ANY_SET) return makeState(output === '' ? [] : output.split(separator));
      return state.canonical === output ? state : undefined;
    }
    if (state === ANY_SET) return ANY_SET;
    const members = state.members;
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (members[mid]! < input.element) lo = mid + 1;
      else hi = mid;
    }
    if (members[lo] === input.element) return state;
    return makeState([...members.slice(0, lo), input.element, ...members.slice(lo)]);
  },
  equal: (a, b) => (a === ANY_SET || b === ANY_SET ? a === b : a.canonical === b.canonical),
  hash: (state) => (state === ANY_SET ? 0x165667b1 : hashString(state.canonical)),
  describeOperation(input, output, unknown) {
    if (input.f === 'add') return `add ${input.element}${unknown ? ' (unknown)' : ''}`;
    return `read → {${output.split(separator).join(', ')}}`;
  },
  describeState: (state) => (state === ANY_SET ? '?' : `{${state.members.join(', ')}}`),
};

