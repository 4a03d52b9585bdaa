// The list value: a deque of packed segments, like Redis's quicklist. Each segment keeps up to
// 128 elements (and about 8 KiB) back to back in one byte buffer, with a start offset per
// element. A JS string per element would cost ~32 bytes of header and padding; packed, an
// element costs its bytes plus a 4-byte offset, which brings a 1M-element list near Redis.
//
// - Push/pop at both ends are O(1) amortized: the end segments keep free room on their outer
//   side; a full segment is sealed (trimmed to its exact size) and a new one started.
// - LINDEX/LSET/LINSERT find their segment in O(segments) from the nearer end (Redis: O(n));
//   LSET/LINSERT rewrite one segment (≤ 128 elements); LREM rewrites the list in one pass.
// - Segments live in a ring, so adding a segment at either end is O(1) too.
// - A list of up to 32 elements keeps plain JS strings instead (a segment's fixed cost would
//   dominate), and goes back to them when a packed list shrinks to 16.
//
// The list also tracks how many bytes its elements would take in a Redis listpack, so that
// OBJECT ENCODING reports what Redis 7.2 reports for the same history: Redis keeps a list in
// one listpack until it would exceed 8 KiB (list-max-listpack-size -2), and converts it back
// only when it shrinks to half of that (hysteresis). Commands call `noteGrowth` before adding
// and `noteShrink` after removing, at the points where Redis checks.
import type { CollectionValue } from './values.js';
import { parseInt64 } from '../../util/numbers.js';
import { assert } from '../../util/assert.js';

/** Redis list-max-listpack-size -2: a listpack holds at most 8 KiB. */
export const listListpackBytesMax = 8192;
/** Header (total bytes + element count) plus the end marker of a listpack. */
const listpackOverheadBytes = 7;
/** Elements one segment holds at most. */
export const listSegmentElementsMax = 128;
/** Bytes one segment holds at most, unless a single element is larger. */
const segmentBytesMax = 8192;
/**
 * A list of at most this many elements keeps plain strings: a segment's fixed cost (a Buffer
 * and an offset table, ~500 bytes) would dominate. It is packed beyond, and unpacked again
 * when it shrinks to `smallListElementsMin` (hysteresis: no flapping at the boundary).
 */
const smallListElementsMax = 32;
const smallListElementsMin = 16;
/** Below this many elements a small list's array is copied at its exact size on push. */
const tinyListElementsMax = 8;
/** Smallest byte buffer and offset table a growing segment starts with. */
const segmentBytesMin = 16;
const segmentStartsMin = 4;

type Placement = 'front' | 'back' | 'middle';

/** Node's latin1 fast paths: on every Buffer, though missing from @types/node. */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number, length: number): number;
}
assert(typeof (Buffer.prototype as Latin1Buffer).latin1Slice === 'function', 'Buffer.latin1Slice missing');
/** Up to this length a JS loop beats a call into C++ for writing latin1 text (reads: never). */
const latin1WriteLoopBytesMax = 24;

function readLatin1(bytes: Buffer, start: number, end: number): string {
  return (bytes as Latin1Buffer).latin1Slice(start, end);
}

function writeLatin1(bytes: Buffer, text: string, offset: number): void {
  const length = text.length;
  if (length <= latin1WriteLoopBytesMax) {
    for (let i = 0; i < length; i++) bytes[offset + i] = text.charCodeAt(i);
  } else {
    (bytes as Latin1Buffer).latin1Write(text, offset, length);
  }
}

/** Up to listSegmentElementsMax elements packed in bytes[lo, hi); starts[first, last) are their offsets. */
class Segment {
  constructor(
    public bytes: Buffer,
    public lo: number,
    public hi: number,
    public starts: Uint32Array,
    public first: number,
    public last: number,
  ) {}

  static empty(bytesCapacity: number, startsCapacity: number, placement: Placement): Segment {
    const lo = placement === 'back' ? 0 : placement === 'front' ? bytesCapacity : bytesCapacity >> 1;
    const first = placement === 'back' ? 0 : placement === 'front' ? startsCapacity : startsCapacity >> 1;
    return new Segment(Buffer.allocUnsafeSlow(bytesCapacity), lo, lo, new Uint32Array(startsCapacity), first, first);
  }

  get count(): number {
    return this.last - this.first;
  }

  get used(): number {
    return this.hi - this.lo;
  }

  start(k: number): number {
    return this.starts[this.first + k]!;
  }

  end(k: number): number {
    const next = this.first + k + 1;
    return next < this.last ? this.starts[next]! : this.hi;
  }

  get(k: number): string {
    return readLatin1(this.bytes, this.start(k), this.end(k));
  }

  /** Whether element k equals `target` (the element's latin1 bytes), without making a string. */
  equals(k: number, target: Buffer): boolean {
    const start = this.start(k);
    const length = this.end(k) - start;
    if (length !== target.length) return false;
    if (length > 32) return this.bytes.compare(target, 0, length, start, start + length) === 0;
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== target[i]) return false;
    return true;
  }

  toStrings(): string[] {
    const strings = new Array<string>(this.count);
    for (let k = 0; k < strings.length; k++) strings[k] = this.get(k);
    return strings;
  }

  /** Whether one more element of `length` bytes stays within the segment limits. */
  mayTake(length: number): boolean {
    return this.count < listSegmentElementsMax && (this.count === 0 || this.used + length <= segmentBytesMax);
  }

  canPushBack(length: number): boolean {
    return this.hi + length <= this.bytes.length && this.last < this.starts.length && this.mayTake(length);
  }

  canPushFront(length: number): boolean {
    return this.lo >= length && this.first > 0 && this.mayTake(length);
  }

  pushBack(element: string): void {
    this.starts[this.last++] = this.hi;
    writeLatin1(this.bytes, element, this.hi);
    this.hi += element.length;
  }

  pushFront(element: string): void {
    this.lo -= element.length;
    writeLatin1(this.bytes, element, this.lo);
    this.starts[--this.first] = this.lo;
  }

  popFront(): string {
    const end = this.end(0);
    const element = readLatin1(this.bytes, this.starts[this.first]!, end);
    this.first++;
    this.lo = end;
    return element;
  }

  popBack(): string {
    const start = this.starts[this.last - 1]!;
    const element = readLatin1(this.bytes, start, this.hi);
    this.last--;
    this.hi = start;
    return element;
  }

  /** Drops the first n elements (n < count). */
  dropFront(n: number): void {
    this.first += n;
    this.lo = this.starts[this.first]!;
  }

  /** Drops the last n elements (n < count). */
  dropBack(n: number): void {
    this.last -= n;
    this.hi = this.starts[this.last]!;
  }

  /** Moves the contents into new storage of the given capacities, free room placed as asked. */
  relayout(bytesCapacity: number, startsCapacity: number, placement: Placement): void {
    const used = this.used;
    const n = this.count;
    assert(bytesCapacity >= used && startsCapacity >= n, 'segment relayout below its contents');
    const lo = placement === 'back' ? 0 : placement === 'front' ? bytesCapacity - used : (bytesCapacity - used) >> 1;
    const first = placement === 'back' ? 0 : placement === 'front' ? startsCapacity - n : (startsCapacity - n) >> 1;
    const bytes = Buffer.allocUnsafeSlow(bytesCapacity);
    this.bytes.copy(bytes, lo, this.lo, this.hi);
    const starts = new Uint32Array(startsCapacity);
    const shift = lo - this.lo;
    for (let k = 0; k < n; k++) starts[first + k] = this.starts[this.first + k]! + shift;
    this.bytes = bytes;
    this.starts = starts;
    this.lo = lo;
    this.hi = lo + used;
    this.first = first;
    this.last = first + n;
  }

  /** Trims the storage to the exact contents (a segment that will not grow for a while). */
  seal(): void {
    if (this.bytes.length !== this.used || this.starts.length !== this.count) this.relayout(this.used, this.count, 'back');
  }

  clone(): Segment {
    return new Segment(Buffer.from(this.bytes), this.lo, this.hi, this.starts.slice(), this.first, this.last);
  }
}

/** Builds sealed segments from elements given in order (as strings or byte ranges). */
class SegmentBuilder {
  readonly segments: Segment[] = [];
  private pending: { bytes: Buffer; start: number; end: number }[] = [];
  private pendingBytes = 0;

  addBytes(bytes: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.pending.length >= listSegmentElementsMax || (this.pending.length > 0 && this.pendingBytes + length > segmentBytesMax)) {
      this.flush();
    }
    this.pending.push({ bytes, start, end });
    this.pendingBytes += length;
  }

  finish(): Segment[] {
    if (this.pending.length > 0) this.flush();
    return this.segments;
  }

  private flush(): void {
    const bytes = Buffer.allocUnsafeSlow(this.pendingBytes);
    const starts = new Uint32Array(this.pending.length);
    let offset = 0;
    for (let k = 0; k < this.pending.length; k++) {
      const range = this.pending[k]!;
      starts[k] = offset;
      offset += range.bytes.copy(bytes, offset, range.start, range.end);
    }
    this.segments.push(new Segment(bytes, 0, offset, starts, 0, this.pending.length));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** A ring of segments: O(1) at both ends, O(n) insert/remove in the middle. */
class SegmentRing {
  // Storage is allocated with the first segment: small lists never have one.
  private slots: (Segment | undefined)[] = [];
  private mask = -1;
  private head = 0;
  length = 0;

  static from(segments: Segment[]): SegmentRing {
    const ring = new SegmentRing();
    for (const segment of segments) ring.pushBack(segment);
    return ring;
  }

  get(index: number): Segment {
    return this.slots[(this.head + index) & this.mask]!;
  }

  set(index: number, segment: Segment): void {
    this.slots[(this.head + index) & this.mask] = segment;
  }

  pushBack(segment: Segment): void {
    if (this.length === this.mask + 1) this.resize(Math.max(4, (this.mask + 1) * 2));
    this.slots[(this.head + this.length) & this.mask] = segment;
    this.length++;
  }

  pushFront(segment: Segment): void {
    if (this.length === this.mask + 1) this.resize(Math.max(4, (this.mask + 1) * 2));
    this.head = (this.head - 1) & this.mask;
    this.slots[this.head] = segment;
    this.length++;
  }

  popFront(): void {
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    this.shrinkIfSparse();
  }

  popBack(): void {
    this.slots[(this.head + this.length - 1) & this.mask] = undefined;
    this.length--;
    this.shrinkIfSparse();
  }

  /** Inserts so that `segment` ends up at `index`. */
  insertAt(index: number, segment: Segment): void {
    this.pushBack(segment);
    for (let i = this.length - 1; i > index; i--) this.set(i, this.get(i - 1));
    this.set(index, segment);
  }

  private shrinkIfSparse(): void {
    const capacity = this.mask + 1;
    if (capacity > 4 && this.length * 4 < capacity) this.resize(capacity / 2);
  }

  private resize(capacity: number): void {
    const slots: (Segment | undefined)[] = [];
    for (let i = 0; i < this.length; i++) slots.push(this.get(i));
    for (let i = this.length; i < capacity; i++) slots.push(undefined);
    this.slots = slots;
    this.mask = capacity - 1;
    this.head = 0;
  }
}

export class ListValue implements CollectionValue {
  readonly kind = 'list' as const;
  /** The elements while the list is small, else null (then they live in `segments`). */
  private small: string[] | null = [];
  private segments = new SegmentRing();
  private count = 0;
  /** Sum of listpackEntryBytes over all elements. */
  private entryBytes = 0;
  /** True while Redis would keep this list in a single listpack. */
  private packed = true;

  get size(): number {
    return this.count;
  }

  /** Number of segments (tests check that they stay full). */
  get segmentCount(): number {
    return this.small !== null ? 0 : this.segments.length;
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
    if (this.small !== null) {
      assert(index >= 0 && index < this.count, 'list index out of range');
      return this.small[index]!;
    }
    const [segment, k] = this.locate(index);
    return this.segments.get(segment).get(k);
  }

  /** Replaces the element at 0 ≤ index < size (rewrites its segment). */
  set(index: number, element: string): void {
    if (this.small !== null) {
      assert(index >= 0 && index < this.count, 'list index out of range');
      this.entryBytes += listpackEntryBytes(element) - listpackEntryBytes(this.small[index]!);
      this.small[index] = element;
      return;
    }
    const [position, k] = this.locate(index);
    const strings = this.segments.get(position).toStrings();
    this.entryBytes += listpackEntryBytes(element) - listpackEntryBytes(strings[k]!);
    strings[k] = element;
    this.replaceSegment(position, strings);
  }

  pushHead(element: string): void {
    this.count++;
    this.entryBytes += listpackEntryBytes(element);
    if (this.small !== null) {
      if (this.small.length < smallListElementsMax) {
        // Tiny arrays are copied at their exact size: a growing array reserves 17 slots.
        if (this.small.length < tinyListElementsMax) this.small = [element, ...this.small];
        else this.small.unshift(element);
        return;
      }
      this.pack();
    }
    this.segmentPushHead(element);
  }

  pushTail(element: string): void {
    this.count++;
    this.entryBytes += listpackEntryBytes(element);
    if (this.small !== null) {
      if (this.small.length < smallListElementsMax) {
        if (this.small.length < tinyListElementsMax) this.small = [...this.small, element];
        else this.small.push(element);
        return;
      }
      this.pack();
    }
    this.segmentPushTail(element);
  }

  private segmentPushHead(element: string): void {
    const length = element.length;
    let segment = this.segments.length > 0 ? this.segments.get(0) : undefined;
    if (segment === undefined || !segment.canPushFront(length)) {
      if (segment !== undefined && segment.mayTake(length)) {
        this.grow(segment, length, this.segments.length === 1 ? 'middle' : 'front');
      } else {
        segment?.seal();
        segment = Segment.empty(newSegmentBytes(length), segmentStartsMin, 'front');
        this.segments.pushFront(segment);
      }
    }
    segment.pushFront(element);
  }

  private segmentPushTail(element: string): void {
    const length = element.length;
    let segment = this.segments.length > 0 ? this.segments.get(this.segments.length - 1) : undefined;
    if (segment === undefined || !segment.canPushBack(length)) {
      if (segment !== undefined && segment.mayTake(length)) {
        this.grow(segment, length, this.segments.length === 1 ? 'middle' : 'back');
      } else {
        segment?.seal();
        segment = Segment.empty(newSegmentBytes(length), segmentStartsMin, 'back');
        this.segments.pushBack(segment);
      }
    }
    segment.pushBack(element);
  }

  popHead(): string | undefined {
    if (this.count === 0) return undefined;
    let element: string;
    if (this.small !== null) {
      element = this.small.shift()!;
    } else {
      const segment = this.segments.get(0);
      element = segment.popFront();
      if (segment.count === 0) this.segments.popFront();
    }
    this.count--;
    this.entryBytes -= listpackEntryBytes(element);
    this.unpackIfSmall();
    return element;
  }

  popTail(): string | undefined {
    if (this.count === 0) return undefined;
    let element: string;
    if (this.small !== null) {
      element = this.small.pop()!;
    } else {
      const segment = this.segments.get(this.segments.length - 1);
      element = segment.popBack();
      if (segment.count === 0) this.segments.popBack();
    }
    this.count--;
    this.entryBytes -= listpackEntryBytes(element);
    this.unpackIfSmall();
    return element;
  }

  /** Inserts so that the new element ends up at `index` (0 ≤ index ≤ size). */
  insertAt(index: number, element: string): void {
    assert(index >= 0 && index <= this.count, 'list insert index out of range');
    if (index === 0) return this.pushHead(element);
    if (index === this.count) return this.pushTail(element);
    if (this.small !== null) {
      this.small.splice(index, 0, element);
      this.count++;
      this.entryBytes += listpackEntryBytes(element);
      if (this.small.length > smallListElementsMax) this.pack();
      return;
    }
    const [position, k] = this.locate(index);
    const strings = this.segments.get(position).toStrings();
    strings.splice(k, 0, element);
    if (strings.length <= listSegmentElementsMax) {
      this.replaceSegment(position, strings);
    } else {
      const half = strings.length >> 1;
      this.replaceSegment(position, strings.slice(0, half));
      this.segments.insertAt(position + 1, buildSegment(strings.slice(half)));
    }
    this.count++;
    this.entryBytes += listpackEntryBytes(element);
  }

  /**
   * Elements start..end inclusive (0 ≤ start ≤ end < size), head to tail. Each segment is
   * decoded with one call and cut with substring (cheap views, short-lived in a reply).
   */
  range(start: number, end: number): string[] {
    assert(start >= 0 && end < this.count && start <= end, 'list range out of bounds');
    if (this.small !== null) return this.small.slice(start, end + 1);
    const result = new Array<string>(end - start + 1);
    let [position, k] = this.locate(start);
    let j = 0;
    while (j < result.length) {
      const segment = this.segments.get(position++);
      const take = Math.min(segment.count - k, result.length - j);
      if (take === 1) {
        result[j++] = segment.get(k);
      } else {
        const from = segment.start(k);
        const whole = readLatin1(segment.bytes, from, segment.end(k + take - 1));
        for (let i = 0; i < take; i++, j++) result[j] = whole.substring(segment.start(k + i) - from, segment.end(k + i) - from);
      }
      k = 0;
    }
    return result;
  }

  /** Removes `n` elements from the head (LTRIM). */
  removeHead(n: number): void {
    assert(n >= 0 && n <= this.count, 'list removeHead out of range');
    if (this.small !== null) {
      for (const element of this.small.splice(0, n)) this.entryBytes -= listpackEntryBytes(element);
      this.count -= n;
      return;
    }
    let left = n;
    while (left > 0) {
      const segment = this.segments.get(0);
      if (segment.count <= left) {
        left -= segment.count;
        this.subtractBytes(segment, 0, segment.count);
        this.segments.popFront();
      } else {
        this.subtractBytes(segment, 0, left);
        segment.dropFront(left);
        left = 0;
      }
    }
    this.count -= n;
    this.unpackIfSmall();
  }

  /** Removes `n` elements from the tail (LTRIM). */
  removeTail(n: number): void {
    assert(n >= 0 && n <= this.count, 'list removeTail out of range');
    if (this.small !== null) {
      for (const element of this.small.splice(this.small.length - n, n)) this.entryBytes -= listpackEntryBytes(element);
      this.count -= n;
      return;
    }
    let left = n;
    while (left > 0) {
      const segment = this.segments.get(this.segments.length - 1);
      if (segment.count <= left) {
        left -= segment.count;
        this.subtractBytes(segment, 0, segment.count);
        this.segments.popBack();
      } else {
        this.subtractBytes(segment, segment.count - left, segment.count);
        segment.dropBack(left);
        left = 0;
      }
    }
    this.count -= n;
    this.unpackIfSmall();
  }

  /**
   * Removes up to `limit` elements equal to `element` (0 = all): the first ones from the head,
   * or the last ones when `fromTail` (LREM). Rewrites the list in one pass: O(size).
   */
  removeMatching(element: string, limit: number, fromTail: boolean): number {
    if (this.small !== null) return this.removeMatchingSmall(element, limit, fromTail);
    const target = Buffer.from(element, 'latin1');
    let matches = 0;
    for (let s = 0; s < this.segments.length; s++) {
      const segment = this.segments.get(s);
      for (let k = 0; k < segment.count; k++) if (segment.equals(k, target)) matches++;
    }
    if (matches === 0) return 0;
    const removed = limit === 0 ? matches : Math.min(limit, matches);
    // Matches are numbered in head-to-tail order; drop the first or the last `removed`.
    const dropFrom = fromTail ? matches - removed : 0;
    const dropTo = fromTail ? matches : removed;
    const builder = new SegmentBuilder();
    let ordinal = 0;
    for (let s = 0; s < this.segments.length; s++) {
      const segment = this.segments.get(s);
      for (let k = 0; k < segment.count; k++) {
        if (segment.equals(k, target)) {
          const drop = ordinal >= dropFrom && ordinal < dropTo;
          ordinal++;
          if (drop) continue;
        }
        builder.addBytes(segment.bytes, segment.start(k), segment.end(k));
      }
    }
    this.segments = SegmentRing.from(builder.finish());
    this.count -= removed;
    this.entryBytes -= removed * listpackEntryBytes(element);
    this.unpackIfSmall();
    return removed;
  }

  private removeMatchingSmall(element: string, limit: number, fromTail: boolean): number {
    const small = this.small!;
    let matches = 0;
    for (const value of small) if (value === element) matches++;
    if (matches === 0) return 0;
    const removed = limit === 0 ? matches : Math.min(limit, matches);
    const dropFrom = fromTail ? matches - removed : 0;
    const dropTo = fromTail ? matches : removed;
    const kept: string[] = [];
    let ordinal = 0;
    for (const value of small) {
      if (value === element) {
        const drop = ordinal >= dropFrom && ordinal < dropTo;
        ordinal++;
        if (drop) continue;
      }
      kept.push(value);
    }
    this.small = kept;
    this.count -= removed;
    this.entryBytes -= removed * listpackEntryBytes(element);
    return removed;
  }

  /** Index of the first element equal to `element` from the head, or -1 (LINSERT pivot). */
  indexOf(element: string): number {
    let found = -1;
    this.scanFor(element, false, this.count, (index) => {
      found = index;
      return false;
    });
    return found;
  }

  /**
   * Visits the indexes of elements equal to `element`, from the head (or from the tail when
   * `fromTail`), looking at no more than `scanMax` elements; stops when `visit` returns false.
   */
  scanFor(element: string, fromTail: boolean, scanMax: number, visit: (index: number) => boolean): void {
    if (this.small !== null) {
      const small = this.small;
      const scanned = Math.min(scanMax, small.length);
      for (let step = 0; step < scanned; step++) {
        const index = fromTail ? small.length - 1 - step : step;
        if (small[index] === element && !visit(index)) return;
      }
      return;
    }
    const target = Buffer.from(element, 'latin1');
    let scanned = 0;
    if (!fromTail) {
      let index = 0;
      for (let s = 0; s < this.segments.length; s++) {
        const segment = this.segments.get(s);
        for (let k = 0; k < segment.count; k++, index++) {
          if (scanned++ >= scanMax) return;
          if (segment.equals(k, target) && !visit(index)) return;
        }
      }
    } else {
      let index = this.count - 1;
      for (let s = this.segments.length - 1; s >= 0; s--) {
        const segment = this.segments.get(s);
        for (let k = segment.count - 1; k >= 0; k--, index--) {
          if (scanned++ >= scanMax) return;
          if (segment.equals(k, target) && !visit(index)) return;
        }
      }
    }
  }

  toArray(): string[] {
    return this.count === 0 ? [] : this.range(0, this.count - 1);
  }

  clone(): ListValue {
    const copy = new ListValue();
    copy.small = this.small !== null ? this.small.slice() : null;
    for (let s = 0; s < this.segments.length; s++) copy.segments.pushBack(this.segments.get(s).clone());
    copy.count = this.count;
    copy.entryBytes = this.entryBytes;
    copy.packed = this.packed;
    return copy;
  }

  /** Plain form: the elements head to tail. */
  toPlain(): string[] {
    return this.toArray();
  }

  /** Checks the internal invariants (tests). */
  assertValid(): void {
    let total = 0;
    let bytes = 0;
    if (this.small !== null) {
      assert(this.segments.length === 0 && this.small.length <= smallListElementsMax, 'small list out of shape');
      for (const element of this.small) bytes += listpackEntryBytes(element);
      assert(this.small.length === this.count, 'list count mismatch');
      assert(bytes === this.entryBytes, 'listpack byte count mismatch');
      return;
    }
    assert(this.count > smallListElementsMin, 'packed list small enough to unpack');
    for (let s = 0; s < this.segments.length; s++) {
      const segment = this.segments.get(s);
      assert(segment.count > 0 && segment.count <= listSegmentElementsMax, 'segment element count out of range');
      assert(segment.lo >= 0 && segment.lo <= segment.hi && segment.hi <= segment.bytes.length, 'segment bounds');
      let previous = segment.lo;
      for (let k = 0; k < segment.count; k++) {
        assert(segment.start(k) === previous, 'segment elements are not contiguous');
        previous = segment.end(k);
        bytes += listpackEntryBytes(segment.get(k));
      }
      assert(previous === segment.hi, 'segment end mismatch');
      total += segment.count;
    }
    assert(total === this.count, 'list count mismatch');
    assert(bytes === this.entryBytes, 'listpack byte count mismatch');
  }

  /** Moves the small list's strings into segments (it outgrew smallListElementsMax). */
  private pack(): void {
    const strings = this.small!;
    this.small = null;
    for (const element of strings) this.segmentPushTail(element);
  }

  /** Back to plain strings once a packed list shrank to smallListElementsMin. */
  private unpackIfSmall(): void {
    if (this.small !== null || this.count > smallListElementsMin) return;
    const strings: string[] = [];
    for (let s = 0; s < this.segments.length; s++) {
      const segment = this.segments.get(s);
      for (let k = 0; k < segment.count; k++) strings.push(segment.get(k)); // own copies, not views
    }
    this.segments = new SegmentRing();
    this.small = strings;
  }

  /** Segment position and offset in it of element `index`, walking from the nearer end. */
  private locate(index: number): [number, number] {
    assert(index >= 0 && index < this.count, 'list index out of range');
    if (index < this.count / 2) {
      let left = index;
      for (let s = 0; ; s++) {
        const count = this.segments.get(s).count;
        if (left < count) return [s, left];
        left -= count;
      }
    }
    let fromEnd = this.count - 1 - index;
    for (let s = this.segments.length - 1; ; s--) {
      const count = this.segments.get(s).count;
      if (fromEnd < count) return [s, count - 1 - fromEnd];
      fromEnd -= count;
    }
  }

  /** Gives an end segment room for one more element, doubling its storage. */
  private grow(segment: Segment, length: number, placement: Placement): void {
    const bytesCapacity = Math.max(segmentBytesMin, 2 * (segment.used + length));
    const startsCapacity = Math.min(listSegmentElementsMax * (placement === 'middle' ? 2 : 1), Math.max(segmentStartsMin, 2 * (segment.count + 1)));
    segment.relayout(bytesCapacity, startsCapacity, placement);
  }

  /** Rebuilds the segment at `position` from strings, keeping free room if it is an end segment. */
  private replaceSegment(position: number, strings: string[]): void {
    const rebuilt = buildSegment(strings);
    const isEnd = position === 0 || position === this.segments.length - 1;
    if (isEnd && rebuilt.used < segmentBytesMax) this.grow(rebuilt, 0, this.segments.length === 1 ? 'middle' : position === 0 ? 'front' : 'back');
    this.segments.set(position, rebuilt);
  }

  private subtractBytes(segment: Segment, from: number, to: number): void {
    for (let k = from; k < to; k++) this.entryBytes -= listpackEntryBytes(segment.get(k));
  }
}

/** Byte capacity of a new end segment whose first element is `length` bytes long. */
function newSegmentBytes(length: number): number {
  // Room for more small elements; a large element gets a segment of its exact size.
  return length * 2 <= segmentBytesMax ? Math.max(segmentBytesMin, length * 2, 256) : length;
}

/** One sealed segment holding `strings` (at most listSegmentElementsMax). */
function buildSegment(strings: string[]): Segment {
  assert(strings.length > 0 && strings.length <= listSegmentElementsMax, 'segment size out of range');
  let bytes = 0;
  for (const element of strings) bytes += element.length;
  const segment = Segment.empty(bytes, strings.length, 'back');
  for (const element of strings) segment.pushBack(element);
  return segment;
}

/**
 * Rebuilds a list from its plain form. The encoding is chosen as Redis does when it loads a
 * list (one listpack if it fits in 8 KiB).
 */
export function fromPlain(plain: unknown): ListValue {
  assert(Array.isArray(plain) && plain.length > 0, 'list plain form must be a non-empty array');
  const list = new ListValue();
  for (const element of plain) {
    assert(typeof element === 'string', 'list elements must be strings');
    list.pushTail(element);
  }
  list.noteGrowth(0); // a list loaded whole stays one listpack only if it fits
  return list;
}

/** A new, empty list. */
export function newList(): ListValue {
  return new ListValue();
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
