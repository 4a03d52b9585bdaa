// Value checks shared by the models: register values and set elements are JSON primitives,
// compared with ===, so two histories that differ only in formatting compare the same.
import { CodedError } from '../../util/assert.js';
import type { Operation } from '../../history/operation.js';

export type Primitive = string | number | boolean | null;

export function isPrimitive(value: unknown): value is Primitive {
  return value === null || typeof value === 'string' || typeof value === 'boolean'
    || (typeof value === 'number' && Number.isFinite(value));
}

export function badValue(op: Operation, what: string): never {
  throw new CodedError('HISTORY_INVALID', `operation ${op.f} on key ${JSON.stringify(op.key)} by process ${op.process} at ${op.call}: ${what}`);
}

export function primitiveOrBad(op: Operation, value: unknown, what: string): Primitive {
  if (!isPrimitive(value)) badValue(op, `${what} must be a string, number, boolean or null, got ${JSON.stringify(value)}`);
  return value;
}

export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
