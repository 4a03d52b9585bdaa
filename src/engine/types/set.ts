// The set type: members in a DenseMap (O(1) add/remove/has, O(1) uniform random member for
// SPOP/SRANDMEMBER, and a scan cursor that never misses a member present for the whole scan).
//
// Redis 7.2 keeps small sets compact (intset: ≤ 512 canonical integers, kept sorted; listpack:
// ≤ 128 members of ≤ 64 bytes, in insertion order) and converts them to a hashtable for good
// once a threshold is crossed. We track that state to (a) report OBJECT ENCODING as Redis
// would, (b) reply in Redis's order where it is deterministic (an intset replies sorted; a
// listpack in insertion order with removals closing the gap, starting from the sorted intset
// it may have been; only a hashtable replies in our own storage order), and (c) answer SSCAN
// on a small set in one call with cursor 0, as Redis does.
import { DenseMap } from '../dense-map.js';
import type { CollectionValue } from './values.js';
import { parseInt64 } from '../../util/numbers.js';
import { assert } from '../../util/assert.js';

/** Redis defaults: set-max-intset-entries, set-max-listpack-entries, set-max-listpack-value. */
export const setEncodingLimits = {
  intsetEntriesMax: 512,
  listpackEntriesMax: 128,
  listpackValueBytesMax: 64,
} as const;

export type SetEncoding = 'intset' | 'listpack' | 'hashtable';

/** A member Redis would store in an intset: a canonical int64 decimal. */
export function isIntsetMember(member: string): boolean {
  return member.length <= 20 && parseInt64(member) !== null;
}

function compareIntegers(a: string, b: string): number {
  const x = parseInt64(a)!;
  const y = parseInt64(b)!;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const bx = BigInt(x);
  const by = BigInt(y);
  return bx < by ? -1 : bx > by ? 1 : 0;
}

export class SetValue implements CollectionValue {
  readonly kind = 'set' as const;
  readonly members = new DenseMap<true>();
  private form: SetEncoding;
  /**
   * intset: the sorted members, rebuilt lazily after a change (null = stale);
   * listpack: the members in listpack order (insertion order, removals close the gap);
   * hashtable: null (storage order).
   */
  private order: string[] | null;

  constructor(form: SetEncoding = 'intset') {
    this.form = form;
    this.order = form === 'listpack' ? [] : null;
  }

  /** A new set for a first member and a size hint, as Redis 7.2's setTypeCreate. */
  static create(firstMember: string, sizeHint: number): SetValue {
    if (isIntsetMember(firstMember) && sizeHint <= setEncodingLimits.intsetEntriesMax) return new SetValue('intset');
    if (sizeHint <= setEncodingLimits.listpackEntriesMax) return new SetValue('listpack');
    return new SetValue('hashtable');
  }

  static fromMembers(members: Iterable<string>): SetValue {
    const set = new SetValue('intset');
    for (const member of members) set.add(member);
    return set;
  }

  get size(): number {
    return this.members.size;
  }

  /** Redis 7.2's setTypeMaybeConvert: a SADD of more arguments than a compact form holds converts first. */
  prepareForAdds(sizeHint: number): void {
    if ((this.form === 'listpack' && sizeHint > setEncodingLimits.listpackEntriesMax) ||
      (this.form === 'intset' && sizeHint > setEncodingLimits.intsetEntriesMax)) {
      if (this.form === 'intset') this.leaveIntset('hashtable');
      this.form = 'hashtable';
      this.order = null;
    }
  }

  has(member: string): boolean {
    return this.members.has(member);
  }

  /** Adds a member; returns true when it was new. */
  add(member: string): boolean {
    if (this.members.has(member)) return false;
    const sizeAfter = this.members.size + 1;
    if (this.form === 'intset') {
      if (!isIntsetMember(member)) {
        const fitsListpack = sizeAfter <= setEncodingLimits.listpackEntriesMax && member.length <= setEncodingLimits.listpackValueBytesMax;
        this.leaveIntset(fitsListpack ? 'listpack' : 'hashtable');
      } else if (sizeAfter > setEncodingLimits.intsetEntriesMax) {
        this.leaveIntset('hashtable');
      }
    } else if (this.form === 'listpack') {
      if (sizeAfter > setEncodingLimits.listpackEntriesMax || member.length > setEncodingLimits.listpackValueBytesMax) {
        this.form = 'hashtable';
        this.order = null;
      }
    }
    this.members.set(member, true);
    if (this.form === 'listpack') this.order!.push(member);
    else this.order = null;
    return true;
  }

  remove(member: string): boolean {
    if (!this.members.delete(member)) return false;
    // A listpack closes the gap (≤ 128 members, so the splice is cheap).
    if (this.form === 'listpack') this.order!.splice(this.order!.indexOf(member), 1);
    else this.order = null;
    return true;
  }

  /** A uniformly random member (the set must not be empty). */
  randomMember(random: () => number): string {
    const member = this.members.randomKey(random);
    assert(member !== undefined, 'randomMember of an empty set');
    return member;
  }

  /** Members in reply order: ascending while an intset, listpack order, else storage order. */
  ordered(): string[] {
    if (this.form === 'hashtable') return [...this.members.keys()];
    if (this.form === 'intset') this.order ??= [...this.members.keys()].sort(compareIntegers);
    return this.order!.slice();
  }

  /** True while Redis would hold the set in a compact encoding (SSCAN answers in one call). */
  isCompact(): boolean {
    return this.form !== 'hashtable';
  }

  encoding(): string {
    return this.form;
  }

  clone(): SetValue {
    const copy = new SetValue(this.form);
    for (const member of this.members.keys()) copy.members.set(member, true);
    if (this.form === 'listpack') copy.order = this.order!.slice();
    return copy;
  }

  /** Plain form: { encoding, members in reply order } (order matters for listpack replies). */
  toPlain(): unknown {
    return { encoding: this.form, members: this.ordered() };
  }

  private leaveIntset(form: SetEncoding): void {
    // Redis converts an intset by walking it in order, so the sorted order carries over.
    const sorted = this.ordered();
    this.members.clear();
    for (const member of sorted) this.members.set(member, true);
    this.form = form;
    this.order = form === 'listpack' ? sorted : null;
  }
}

/** Rebuilds a set from `toPlain()`'s form; throws on a malformed one (RESTORE of bad bytes). */
export function fromPlain(plain: unknown): SetValue {
  const record = plain as { encoding?: unknown; members?: unknown } | null;
  if (record === null || typeof record !== 'object' || !Array.isArray(record.members)) throw new Error('set: members expected');
  const encoding = record.encoding;
  if (encoding !== 'intset' && encoding !== 'listpack' && encoding !== 'hashtable') throw new Error('set: bad encoding');
  if (record.members.length === 0) throw new Error('set: empty');
  const set = new SetValue(encoding);
  for (const member of record.members) {
    if (typeof member !== 'string') throw new Error('set: members must be strings');
    if (encoding === 'intset' && !isIntsetMember(member)) throw new Error('set: intset holds a non-integer');
    if (!set.add(member)) throw new Error('set: duplicate member');
  }
  return set;
}
