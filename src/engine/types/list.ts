// The list value: a ring-buffer deque. Capacity is a power of two, so a logical index maps to
// a slot with one add and one mask: push/pop at both ends are O(1) amortized, LINDEX/LSET and
// the start of an LRANGE are O(1), inserting or removing in the middle moves the shorter side.
//
// The list also tracks how many bytes its elements would take in a Redis listpack, so that
// OBJECT ENCODING reports what Redis 7.2 reports for the same history: Redis keeps a list in
// one listpack until it would exceed 8 KiB (list-max-listpack-size -2), and converts it back
// only when it shrinks to half of that (hysteresis). Commands call `noteGrowth` before adding
// and `noteShrink` after removing, at the points where Redis checks.
import type { CollectionValue } from './values.js';
import { parseInt64 } from '../../util/numbers.js';
import { assert } from '../../util/assert.js';

/** Smallest ring capacity (a power of two). */
const ringCapacityMin = 4;
/** Redis list-max-listpack-size -2: a listpack holds at most 8 KiB. */
export const listListpackBytesMax = 8192;
/** Header (total bytes + element count) plus the end marker of a listpack. */
const listpackOverheadBytes = 7;

export class ListValue implements CollectionValue {
  readonly kind = 'list' as const;
  private slots: (string | undefined)[];
  private mask: number;
  private head = 0;
  private count = 0;
  /** Sum of listpackEntryBytes over all elements. */
  private entryBytes = 0;
  /** True while Redis would keep this list in a single listpack. */
  private packed = true;

  constructor(capacity = ringCapacityMin) {
    assert(capacity >= ringCapacityMin && (capacity & (capacity - 1)) === 0, 'list capacity must be a power of two');
    this.slots = emptySlots(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Ring capacity (tests check that it grows and shrinks). */
  get capacity(): number {
    return this.mask + 1;
  }

  encoding(): string {
    return this.packed ? 'listpack' : 'quicklist';
  }

  /** Before adding elements whose raw lengths sum to `addedBytes` (Redis listTypeTryConversionAppend). */
  noteGrowth(addedBytes: number): void {
    if (this.packed && listpackOverheadBytes + this.entryBytes + addedBytes > listListpackBytesMax) this.packed = false;
  }

  /** After removing elements from a list that is still non-empty (Redis LIST_CONV_SHRINKING). */
  noteShrink(): void {
    if (!this.packed && listpackOverheadBytes + this.entryBytes <= listListpackBytesMax / 2) this.packed = true;
  }

  /** Bytes the whole list would take as one listpack. */
  listpackBytes(): number {
    return listpackOverheadBytes + this.entryBytes;
  }

  /** The element at logical index 0 ≤ index < size. */
  at(index: number): string {
    assert(index >= 0 && index < this.count, 'list index out of range');
    return this.slots[(this.head + index) & this.mask]!;
  }

  /** Replaces the element at 0 ≤ index < size. */
  set(index: number, element: string): void {
    assert(index >= 0 && index < this.count, 'list index out of range');
    const slot = (this.head + index) & this.mask;
    this.entryBytes += listpackEntryBytes(element) - listpackEntryBytes(this.slots[slot]!);
    this.slots[slot] = element;
  }

  pushHead(element: string): void {
    if (this.count === this.mask + 1) this.resize((this.mask + 1) * 2);
    this.head = (this.head - 1) & this.mask;
    this.slots[this.head] = element;
    this.count++;
    this.entryBytes += listpackEntryBytes(element);
  }

  pushTail(element: string): void {
    if (this.count === this.mask + 1) this.resize((this.mask + 1) * 2);
    this.slots[(this.head + this.count) & this.mask] = element;
    this.count++;
    this.entryBytes += listpackEntryBytes(element);
  }

  popHead(): string | undefined {
    if (this.count === 0) return undefined;
    const element = this.slots[this.head]!;
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    this.entryBytes -= listpackEntryBytes(element);
    this.shrinkIfSparse();
    return element;
  }

  popTail(): string | undefined {
    if (this.count === 0) return undefined;
    const slot = (this.head + this.count - 1) & this.mask;
    const element = this.slots[slot]!;
    this.slots[slot] = undefined;
    this.count--;
    this.entryBytes -= listpackEntryBytes(element);
    this.shrinkIfSparse();
    return element;
  }

  /** Inserts so that the new element ends up at `index` (0 ≤ index ≤ size), moving the shorter side. */
  insertAt(index: number, element: string): void {
    assert(index >= 0 && index <= this.count, 'list insert index out of range');
    if (index === 0) return this.pushHead(element);
    if (index === this.count) return this.pushTail(element);
    if (this.count === this.mask + 1) this.resize((this.mask + 1) * 2);
    const mask = this.mask;
    if (index < this.count / 2) {
      // Move elements [0, index) one slot towards the head.
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < index; i++) {
        this.slots[(this.head + i) & mask] = this.slots[(this.head + i + 1) & mask];
      }
    } else {
      // Move elements [index, count) one slot towards the tail.
      for (let i = this.count; i > index; i--) {
        this.slots[(this.head + i) & mask] = this.slots[(this.head + i - 1) & mask];
      }
    }
    this.slots[(this.head + index) & mask] = element;
    this.count++;
    this.entryBytes += listpackEntryBytes(element);
  }

  /** Elements start..end inclusive (0 ≤ start ≤ end < size), head to tail. */
  range(start: number, end: number): string[] {
    assert(start >= 0 && end < this.count && start <= end, 'list range out of bounds');
    const result: string[] = new Array<string>(end - start + 1);
    for (let i = start, j = 0; i <= end; i++, j++) result[j] = this.slots[(this.head + i) & this.mask]!;
    return result;
  }

  /** Removes `n` elements from the head (LTRIM). */
  removeHead(n: number): void {
    assert(n >= 0 && n <= this.count, 'list removeHead out of range');
    for (let i = 0; i < n; i++) {
      const slot = (this.head + i) & this.mask;
      this.entryBytes -= listpackEntryBytes(this.slots[slot]!);
      this.slots[slot] = undefined;
    }
    this.head = (this.head + n) & this.mask;
    this.count -= n;
    this.shrinkIfSparse();
  }

  /** Removes `n` elements from the tail (LTRIM). */
  removeTail(n: number): void {
    assert(n >= 0 && n <= this.count, 'list removeTail out of range');
    for (let i = this.count - n; i < this.count; i++) {
      const slot = (this.head + i) & this.mask;
      this.entryBytes -= listpackEntryBytes(this.slots[slot]!);
      this.slots[slot] = undefined;
    }
    this.count -= n;
    this.shrinkIfSparse();
  }

  /**
   * Removes up to `limit` elements equal to `element` (0 = all), scanning from the head, or
   * from the tail when `fromTail` (LREM). One compacting pass: O(size). Returns how many.
   */
  removeMatching(element: string, limit: number, fromTail: boolean): number {
    const mask = this.mask;
    const n = this.count;
    let removed = 0;
    if (!fromTail) {
      let write = 0;
      for (let read = 0; read < n; read++) {
        const value = this.slots[(this.head + read) & mask]!;
        if (value === element && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (write !== read) this.slots[(this.head + write) & mask] = value;
        write++;
      }
      for (let i = write; i < n; i++) this.slots[(this.head + i) & mask] = undefined;
    } else {
      let write = n - 1;
      for (let read = n - 1; read >= 0; read--) {
        const value = this.slots[(this.head + read) & mask]!;
        if (value === element && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (write !== read) this.slots[(this.head + write) & mask] = value;
        write--;
      }
      for (let i = 0; i < removed; i++) this.slots[(this.head + i) & mask] = undefined;
      this.head = (this.head + removed) & mask;
    }
    this.count -= removed;
    this.entryBytes -= removed * listpackEntryBytes(element);
    this.shrinkIfSparse();
    return removed;
  }

  /** Index of the first element equal to `element` from the head, or -1 (LINSERT pivot). */
  indexOf(element: string): number {
    for (let i = 0; i < this.count; i++) {
      if (this.slots[(this.head + i) & this.mask] === element) return i;
    }
    return -1;
  }

  toArray(): string[] {
    return this.count === 0 ? [] : this.range(0, this.count - 1);
  }

  clone(): ListValue {
    const copy = new ListValue(this.mask + 1);
    for (let i = 0; i < this.count; i++) copy.slots[i] = this.slots[(this.head + i) & this.mask];
    copy.count = this.count;
    copy.entryBytes = this.entryBytes;
    copy.packed = this.packed;
    return copy;
  }

  /** Plain form: the elements head to tail. */
  toPlain(): string[] {
    return this.toArray();
  }

  private shrinkIfSparse(): void {
    const capacity = this.mask + 1;
    if (capacity <= ringCapacityMin || this.count * 4 >= capacity) return;
    let target = capacity;
    while (target > ringCapacityMin && this.count * 4 < target) target /= 2;
    this.resize(target);
  }

  private resize(capacity: number): void {
    assert(capacity >= this.count && capacity >= ringCapacityMin, 'list resize below size');
    const slots: (string | undefined)[] = [];
    for (let i = 0; i < this.count; i++) slots.push(this.slots[(this.head + i) & this.mask]);
    for (let i = this.count; i < capacity; i++) slots.push(undefined);
    this.slots = slots;
    this.mask = capacity - 1;
    this.head = 0;
  }
}

/**
 * Rebuilds a list from its plain form. The encoding is chosen as Redis does when it loads a
 * list (one listpack if it fits in 8 KiB).
 */
export function fromPlain(plain: unknown): ListValue {
  assert(Array.isArray(plain) && plain.length > 0, 'list plain form must be a non-empty array');
  let capacity = ringCapacityMin;
  while (capacity < plain.length) capacity *= 2;
  const list = new ListValue(capacity);
  for (const element of plain) {
    assert(typeof element === 'string', 'list elements must be strings');
    list.pushTail(element);
  }
  list.noteGrowth(0); // a list loaded whole stays one listpack only if it fits
  return list;
}

/** A new, empty list sized for `expected` elements. */
export function newList(expected = 0): ListValue {
  let capacity = ringCapacityMin;
  while (capacity < expected) capacity *= 2;
  return new ListValue(capacity);
}

/**
 * Bytes one element takes in a listpack: encoding + data + back-length. Strings that
 * lpStringToInt64 accepts (string2ll rules, at most 20 chars) are stored as integers.
 */
export function listpackEntryBytes(element: string): number {
  const length = element.length;
  const integer = length > 0 && length <= 20 ? listpackInteger(element) : null;
  let encoded: number;
  if (integer !== null) {
    if (integer >= 0 && integer <= 127) encoded = 1;
    else if (integer >= -4096 && integer <= 4095) encoded = 2;
    else if (integer >= -32768 && integer <= 32767) encoded = 3;
    else if (integer >= -8388608 && integer <= 8388607) encoded = 4;
    else if (integer >= -2147483648 && integer <= 2147483647) encoded = 5;
    else encoded = 9;
  } else if (length < 64) {
    encoded = 1 + length;
  } else if (length < 4096) {
    encoded = 2 + length;
  } else {
    encoded = 5 + length;
  }
  return encoded + listpackBacklenBytes(encoded);
}

/**
 * The integer a listpack would store `text` as (lpStringToInt64: string2ll rules), or null.
 * A hand-written scan: this runs on every push and pop. Beyond 15 digits the exact int64
 * check of parseInt64 decides (only the magnitude matters then: 9-byte encoding).
 */
function listpackInteger(text: string): number | null {
  const length = text.length;
  let i = 0;
  if (text.charCodeAt(0) === 45 /* - */) {
    if (length === 1) return null;
    i = 1;
  }
  const first = text.charCodeAt(i) - 48;
  if (first < 0 || first > 9 || (first === 0 && length !== 1)) return null;
  if (length - i > 15) {
    const parsed = parseInt64(text);
    return parsed === null ? null : Number(parsed);
  }
  let value = 0;
  for (; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return text.charCodeAt(0) === 45 ? -value : value;
}

function listpackBacklenBytes(entryBytes: number): number {
  if (entryBytes <= 127) return 1;
  if (entryBytes < 16383) return 2;
  if (entryBytes < 2097151) return 3;
  if (entryBytes < 268435455) return 4;
  return 5;
}

function emptySlots(capacity: number): (string | undefined)[] {
  const slots: (string | undefined)[] = [];
  for (let i = 0; i < capacity; i++) slots.push(undefined);
  return slots;
}
