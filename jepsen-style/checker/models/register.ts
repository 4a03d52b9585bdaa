// A read/write/compare-and-set register per key, starting as null.
//   read:  invoke value null, `ok` value = the value read
//   write: value = the value written
//   cas:   value = [expected, new]; `ok` means the swap happened, `fail` that it did not
import { hashString, Model, partitionByKey } from '../model.js';
import { badValue, Primitive, primitiveOrBad, show } from './values.js';

/** The register's state when shrinking from "whatever came before". */
export const ANY_VALUE: unique symbol = Symbol('any value');
export type RegisterState = Primitive | typeof ANY_VALUE;

export type RegisterInput =
  | { f: 'read' }
  | { f: 'write'; value: Primitive }
  | { f: 'cas'; expected: Primitive; value: Primitive };

export const registerModel: Model<RegisterState, RegisterInput, Primitive> = {
  name: 'register',
  prepare(op) {
    switch (op.f) {
      case 'read':
        if (op.status !== 'ok') return null; // an unknown read constrains nothing
        return { input: { f: 'read' }, output: primitiveOrBad(op, op.output, 'the value read') };
      case 'write':
        return { input: { f: 'write', value: primitiveOrBad(op, op.input, 'the value written') }, output: null };
      case 'cas': {
        if (!Array.isArray(op.input) || op.input.length !== 2) badValue(op, 'cas value must be [expected, new]');
        const expected = primitiveOrBad(op, op.input[0], 'cas expected value');
        const value = primitiveOrBad(op, op.input[1], 'cas new value');
        return { input: { f: 'cas', expected, value }, output: null };
      }
      default:
        return badValue(op, `register has no operation ${JSON.stringify(op.f)} (read, write, cas)`);
    }
  },
  partition: partitionByKey,
  // A crashed write or CAS whose new value no read returned and no CAS expected is invisible:
  // wherever it took effect, the next write hid it, so "it never happened" explains the same
  // history. (This is why the workload writes values unique per key.)
  simplify(ops) {
    const observed = new Set<Primitive>();
    for (const op of ops) {
      if (op.input.f === 'read') observed.add(op.output);
      else if (op.input.f === 'cas') observed.add(op.input.expected);
    }
    return ops.filter((op) => !op.unknown || op.input.f === 'read' || observed.has(op.input.value));
  },
  init: () => null,
  initUnknown: () => ANY_VALUE,
  step(state, input, output, unknown) {
    switch (input.f) {
      case 'read':
        if (state === ANY_VALUE) return output;
        return state === output ? state : undefined;
      case 'write':
        return input.value;
      case 'cas':
        if (state === ANY_VALUE) return unknown ? ANY_VALUE : input.value;
        if (state === input.expected) return input.value;
        // An unknown CAS that finds another value takes effect as a no-op; an `ok` one cannot.
        return unknown ? state : undefined;
    }
  },
  equal: (a, b) => a === b,
  hash: (state) => (state === ANY_VALUE ? 0x5bd1e995 : hashString(typeof state + ':' + String(state))),
  describeOperation(input, output, unknown) {
    const suffix = unknown ? ' (unknown)' : '';
    switch (input.f) {
      case 'read': return `read → ${show(output)}`;
      case 'write': return `write ${show(input.value)}${suffix}`;
      case 'cas': return `cas ${show(input.expected)}→${show(input.value)}${suffix}`;
    }
  },
  describeState: (state) => (state === ANY_VALUE ? '?' : show(state)),
};
