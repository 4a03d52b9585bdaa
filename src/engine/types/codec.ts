// Serialization of values (DUMP/RESTORE, snapshots): each type's canonical plain form
// (`toPlain`) and its `fromPlain`, tagged with the kind.
import type { Value, ValueKind } from './values.js';
import { fromPlain as listFromPlain } from './list.js';
import { fromPlain as hashFromPlain } from './hash.js';
import { fromPlain as setFromPlain } from './set.js';
import { fromPlain as zsetFromPlain } from './zset.js';

export type PlainValue = [kind: ValueKind, plain: unknown];

export function valueToPlain(value: Value): PlainValue {
  return typeof value === 'string' ? ['string', value] : [value.kind, value.toPlain()];
}

/** Rebuilds a value; throws on a malformed plain form (callers turn that into an error reply). */
export function valueFromPlain([kind, plain]: PlainValue): Value {
  switch (kind) {
    case 'string':
      if (typeof plain !== 'string') throw new Error('string value expected');
      return plain;
    case 'list':
      return listFromPlain(plain as never);
    case 'hash':
      return hashFromPlain(plain as never);
    case 'set':
      return setFromPlain(plain as never);
    case 'zset':
      return zsetFromPlain(plain as never);
    default:
      throw new Error(`unknown value kind ${String(kind)}`);
  }
}
