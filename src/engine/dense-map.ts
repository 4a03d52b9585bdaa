// A Map that also keeps its keys in a dense array, so that a uniformly random key costs O(1)
// (RANDOMKEY, SPOP, SRANDMEMBER, HRANDFIELD) and a cursor scan never misses a key that is
// present for the whole scan (SCAN, HSCAN, SSCAN):
// - deletion swaps the last key into the hole (swap-remove);
// - scans walk the array from the end towards index 0, so a swap only ever moves a key from
//   the already-visited end into a slot — never an unvisited key out of the unvisited range.
// Keys added during a scan land at the end (visited range) and may or may not be returned,
// as Redis allows; a key moved by a swap may be returned twice, as Redis allows.

export class DenseMap<V> {
  private readonly slots = new Map<string, number>();
  private readonly keyList: string[] = [];
  private readonly valueList: V[] = [];

  get size(): number {
    return this.keyList.length;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.valueList[slot];
  }

  /** Returns true when the key is new. */
  set(key: string, value: V): boolean {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.valueList[slot] = value;
      return false;
    }
    this.slots.set(key, this.keyList.length);
    this.keyList.push(key);
    this.valueList.push(value);
    return true;
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    const lastSlot = this.keyList.length - 1;
    if (slot !== lastSlot) {
      const lastKey = this.keyList[lastSlot]!;
      this.keyList[slot] = lastKey;
      this.valueList[slot] = this.valueList[lastSlot]!;
      this.slots.set(lastKey, slot);
    }
    this.keyList.pop();
    this.valueList.pop();
    this.slots.delete(key);
    return true;
  }

  clear(): void {
    this.slots.clear();
    this.keyList.length = 0;
    this.valueList.length = 0;
  }

  keyAt(slot: number): string {
    return this.keyList[slot]!;
  }

  valueAt(slot: number): V {
    return this.valueList[slot]!;
  }

  /** A uniformly random key, or undefined when empty. `random` returns a float in [0, 1). */
  randomKey(random: () => number): string | undefined {
    if (this.keyList.length === 0) return undefined;
    return this.keyList[Math.floor(random() * this.keyList.length)];
  }

  keys(): IterableIterator<string> {
    return this.keyList.values();
  }

  *entries(): IterableIterator<[string, V]> {
    for (let i = 0; i < this.keyList.length; i++) yield [this.keyList[i]!, this.valueList[i]!];
  }

  /**
   * Visits up to `count` slots starting at the cursor and returns the next cursor (0 = done).
   * Cursor 0 starts a scan; cursor c > 0 resumes at slot c - 1.
   */
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    let slot = cursor === 0 ? this.keyList.length - 1 : Math.min(cursor - 1, this.keyList.length - 1);
    for (let visited = 0; visited < count && slot >= 0; visited++, slot--) {
      visit(this.keyList[slot]!, this.valueList[slot]!);
    }
    return slot < 0 ? 0 : slot + 1;
  }
}
