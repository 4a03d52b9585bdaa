// The value types a key may hold. A string value is stored as a plain JS string (latin1, one
// char per byte) — the common case costs no wrapper object. Every other type is a class with
// a `kind` tag. Each type's class lives in its own file under engine/types/.

export type ValueKind = 'string' | 'list' | 'hash' | 'set' | 'zset';

export interface CollectionValue {
  readonly kind: Exclude<ValueKind, 'string'>;
  /** Number of elements; a collection with 0 elements must not stay in the keyspace. */
  readonly size: number;
  /** A deep copy (COPY, snapshots of state in tests). */
  clone(): CollectionValue;
  /**
   * Canonical plain form (arrays/strings/numbers only) for comparisons in tests, DUMP and
   * snapshots. Each type's file also exports `fromPlain(plain)` that rebuilds the value.
   */
  toPlain(): unknown;
  /** What OBJECT ENCODING reports, mimicking Redis's choice for the same contents. */
  encoding(): string;
}

export type Value = string | CollectionValue;

export function kindOf(value: Value): ValueKind {
  return typeof value === 'string' ? 'string' : value.kind;
}
