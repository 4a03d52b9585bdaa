// The hash value. Two representations, mirroring Redis 7.2's two encodings:
// - 'listpack' (≤ 128 fields, every field and value ≤ 64 bytes): a JS Map, which keeps
//   insertion order and keeps it across deletions, as a listpack does (HGETALL order matches
//   Redis for small hashes). Random field and HSCAN are O(n) on at most 128 entries.
// - 'hashtable': a DenseMap, for O(1) random fields (HRANDFIELD) and a cursor scan that never
//   misses a field present for the whole scan (HSCAN).
// As in Redis the conversion is one way: a hash never goes back to 'listpack' (until reload).
import type { CollectionValue } from './values.js';
import { DenseMap } from '../dense-map.js';
import { assert } from '../../util/assert.js';

/** Redis hash-max-listpack-entries. */
export const hashListpackEntriesMax = 128;
/** Redis hash-max-listpack-value (bytes of one field or value). */
export const hashListpackValueBytesMax = 64;

export class HashValue implements CollectionValue {
  readonly kind = 'hash' as const;
  private small: Map<string, string> | null = new Map();
  private large: DenseMap<string> | null = null;

  get size(): number {
    return this.small !== null ? this.small.size : this.large!.size;
  }

  encoding(): string {
    return this.small !== null ? 'listpack' : 'hashtable';
  }

  get isListpack(): boolean {
    return this.small !== null;
  }

  get(field: string): string | undefined {
    return this.small !== null ? this.small.get(field) : this.large!.get(field);
  }

  has(field: string): boolean {
    return this.small !== null ? this.small.has(field) : this.large!.has(field);
  }

  /** Sets a field (converting first if it is too long for a listpack). Returns true when new. */
  set(field: string, value: string): boolean {
    if (this.small !== null && (field.length > hashListpackValueBytesMax || value.length > hashListpackValueBytesMax)) {
      this.convert();
    }
    if (this.small !== null) {
      const isNew = !this.small.has(field);
      this.small.set(field, value);
      if (this.small.size > hashListpackEntriesMax) this.convert();
      return isNew;
    }
    return this.large!.set(field, value);
  }

  delete(field: string): boolean {
    return this.small !== null ? this.small.delete(field) : this.large!.delete(field);
  }

  /** Fields and values in iteration order (listpack: insertion order). */
  *entries(): IterableIterator<[string, string]> {
    if (this.small !== null) yield* this.small.entries();
    else yield* this.large!.entries();
  }

  /** The field at iteration position 0 ≤ index < size, with its value. */
  entryAt(index: number): [string, string] {
    assert(index >= 0 && index < this.size, 'hash entry index out of range');
    if (this.large !== null) return [this.large.keyAt(index), this.large.valueAt(index)];
    let i = 0;
    for (const entry of this.small!) if (i++ === index) return entry;
    throw new Error('unreachable');
  }

  /** A uniformly random field with its value; the hash must not be empty. */
  randomEntry(random: () => number): [string, string] {
    assert(this.size > 0, 'random field of an empty hash');
    return this.entryAt(Math.floor(random() * this.size));
  }

  /**
   * One HSCAN step. A listpack-encoded hash returns everything at once with cursor 0, as Redis
   * does; a hashtable walks the DenseMap (see dense-map.ts for the guarantee).
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    if (this.small !== null) {
      for (const [field, value] of this.small) visit(field, value);
      return 0;
    }
    return this.large!.scan(cursor, count, visit);
  }

  clone(): HashValue {
    const copy = new HashValue();
    if (this.small !== null) {
      copy.small = new Map(this.small);
    } else {
      copy.small = null;
      copy.large = new DenseMap<string>();
      for (const [field, value] of this.large!.entries()) copy.large.set(field, value);
    }
    return copy;
  }

  /** Plain form: [field, value, field, value, …] sorted by field (independent of history). */
  toPlain(): string[] {
    const pairs = [...this.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const flat: string[] = [];
    for (const [field, value] of pairs) flat.push(field, value);
    return flat;
  }

  private convert(): void {
    const large = new DenseMap<string>();
    for (const [field, value] of this.small!) large.set(field, value);
    this.large = large;
    this.small = null;
  }
}

/** Rebuilds a hash from its plain form, with the encoding Redis picks when it loads one. */
export function fromPlain(plain: unknown): HashValue {
  assert(Array.isArray(plain) && plain.length > 0 && plain.length % 2 === 0, 'hash plain form must be field/value pairs');
  const hash = new HashValue();
  for (let i = 0; i < plain.length; i += 2) {
    const field: unknown = plain[i];
    const value: unknown = plain[i + 1];
    assert(typeof field === 'string' && typeof value === 'string', 'hash fields and values must be strings');
    hash.set(field, value);
  }
  return hash;
}
