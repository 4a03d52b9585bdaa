// A counter per key, starting at 0.
//   add:  value = the delta (INCR is add 1, INCRBY n is add n)
//   read: invoke value null, `ok` value = the count read (a missing key reads as 0)
import { hashString, Model, partitionByKey } from '../model.js';
import { badValue, show } from './values.js';

export const ANY_COUNT: unique symbol = Symbol('any count');
export type CounterState = number | typeof ANY_COUNT;
export type CounterInput = { f: 'read' } | { f: 'add'; delta: number };

function integerOrBad(op: Parameters<Model<CounterState, CounterInput, number>['prepare']>[0], value: unknown, what: string): number {
  if (!Number.isSafeInteger(value)) badValue(op, `${what} must be a safe integer, got ${JSON.stringify(value)}`);
  return value as number;
}

export const counterModel: Model<CounterState, CounterInput, number> = {
  name: 'counter',
  prepare(op) {
    switch (op.f) {
      case 'read':
        if (op.status !== 'ok') return null;
        return { input: { f: 'read' }, output: op.output === null ? 0 : integerOrBad(op, op.output, 'the count read') };
      case 'add':
        return { input: { f: 'add', delta: integerOrBad(op, op.input, 'the delta') }, output: 0 };
      default:
        return badValue(op, `counter has no operation ${JSON.stringify(op.f)} (add, read)`);
    }
  },
  partition: partitionByKey,
  init: () => 0,
  initUnknown: () => ANY_COUNT,
  step(state, input, output) {
    if (input.f === 'add') return state === ANY_COUNT ? ANY_COUNT : state + input.delta;
    if (state === ANY_COUNT) return output;
    return state === output ? state : undefined;
  },
  // Crashed adds of the same delta are interchangeable (addition commutes; unknown adds are
  // accepted in every state), so the search tries them in invocation order only.
  symmetryKey: (input) => (input.f === 'add' ? `add:${input.delta}` : 'read'),
  equal: (a, b) => a === b,
  hash: (state) => (state === ANY_COUNT ? 0x27d4eb2d : hashString(String(state))),
  describeOperation(input, output, unknown) {
    if (input.f === 'read') return `read → ${output}`;
    return `add ${input.delta}${unknown ? ' (unknown)' : ''}`;
  },
  describeState: (state) => (state === ANY_COUNT ? '?' : show(state)),
};
