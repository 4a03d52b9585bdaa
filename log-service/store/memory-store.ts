// In-memory LogStore: the simulated twin of LevelDB for tests. Keys are kept as lowercase
// hex strings in a sorted array, whose string order equals the unsigned byte order.

import type { LogStore, StoreOp, StoreRange, StoreSnapshot } from './log-store.js';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export class MemoryLogStore implements LogStore {
  private readonly values = new Map<string, Uint8Array>();
  private readonly sortedKeys: string[] = [];
  private isOpen = false;

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.assertOpen();
    const value = this.values.get(hex(key));
    return value === undefined ? undefined : Uint8Array.from(value);
  }

  async batch(ops: readonly StoreOp[], _options: { sync: boolean }): Promise<void> {
    this.assertOpen();
    for (const op of ops) {
      if (op.type === 'put') this.put(hex(op.key), Uint8Array.from(op.value));
      else if (op.type === 'del') this.delete(hex(op.key));
      else this.deleteRange(hex(op.gte), hex(op.lt));
    }
  }

  async range(range: StoreRange): Promise<Array<[Uint8Array, Uint8Array]>> {
    return this.hexKeys(range).map((key) => [Uint8Array.from(Buffer.from(key, 'hex')), Uint8Array.from(this.values.get(key)!)]);
  }

  /** Like a LevelDB iterator, it sees the store as it was when called (later batches do not show). */
  iterate(range: StoreRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    const rows = this.hexKeys(range).map((key): [string, Uint8Array] => [key, this.values.get(key)!]);
    return (async function* () {
      for (const [key, value] of rows) yield [Uint8Array.from(Buffer.from(key, 'hex')), Uint8Array.from(value)] as [Uint8Array, Uint8Array];
    })();
  }

  async keys(range: StoreRange): Promise<Uint8Array[]> {
    return this.hexKeys(range).map((key) => Uint8Array.from(Buffer.from(key, 'hex')));
  }

  private hexKeys(range: StoreRange): string[] {
    this.assertOpen();
    const from = this.lowerBound(hex(range.gte));
    const to = this.lowerBound(hex(range.lt));
    const keys = this.sortedKeys.slice(from, Math.max(from, to));
    if (range.reverse) keys.reverse();
    return range.limit === undefined || range.limit < 0 ? keys : keys.slice(0, range.limit);
  }

  snapshot(): StoreSnapshot {
    this.assertOpen();
    const copy = new MemoryLogStore();
    copy.isOpen = true;
    for (const key of this.sortedKeys) {
      copy.sortedKeys.push(key);
      copy.values.set(key, this.values.get(key)!);
    }
    return { range: (range) => copy.range(range), close: async () => undefined };
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new Error('MemoryLogStore is not open');
  }

  private lowerBound(key: string): number {
    let low = 0;
    let high = this.sortedKeys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sortedKeys[middle]! < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private put(key: string, value: Uint8Array): void {
    if (!this.values.has(key)) {
      const at = this.lowerBound(key);
      this.sortedKeys.splice(at, 0, key);
    }
    this.values.set(key, value);
  }

  private delete(key: string): void {
    if (!this.values.delete(key)) return;
    this.sortedKeys.splice(this.lowerBound(key), 1);
  }

  private deleteRange(gte: string, lt: string): void {
    const from = this.lowerBound(gte);
    const to = this.lowerBound(lt);
    if (to <= from) return;
    for (const key of this.sortedKeys.slice(from, to)) this.values.delete(key);
    this.sortedKeys.splice(from, to - from);
  }
}
