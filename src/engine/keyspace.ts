// One logical database (Redis has 16): keys → values, with expiry times.
//
// Expiry depends on who looks (`ExpiryPolicy`):
// - 'primary': a logically expired key is deleted on access, and the deletion becomes a
//   `DEL` effect so replicas and restarts see it in log order (Redis's expireIfNeeded).
// - 'replica': a logically expired key is hidden from reads but kept; the primary's `DEL`
//   deletes it. A replica never deletes on its own clock.
// - 'apply': effects are being applied (replica, restart, snapshotter). Expiry is ignored
//   entirely: the primary already decided which keys were live when it wrote each effect.
import { DenseMap } from './dense-map.js';
import { Value } from './types/values.js';

export type ExpiryPolicy = 'primary' | 'replica' | 'apply';

export interface KeyEntry {
  value: Value;
  /** Absolute Unix time in ms; 0 = no expiry. */
  expireAtMs: number;
  /** Last access (ms), for OBJECT IDLETIME. */
  accessedAtMs: number;
}

/** Called when a key is deleted because it expired (to emit `DEL`). */
export type ExpiredKeyListener = (db: Database, key: string) => void;

export class Database {
  readonly entries = new DenseMap<KeyEntry>();
  /** Keys that have an expiry time, for the active expiry cycle. */
  readonly volatile = new Map<string, KeyEntry>();
  private volatileCursor: IterableIterator<[string, KeyEntry]> | null = null;

  constructor(readonly index: number) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The live entry of `key` under `policy` at time `nowMs`, or undefined. Under 'primary' an
   * expired key is deleted and `onExpired` is told.
   */
  lookup(key: string, policy: ExpiryPolicy, nowMs: number, onExpired: ExpiredKeyListener): KeyEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expireAtMs !== 0 && entry.expireAtMs <= nowMs && policy !== 'apply') {
      if (policy === 'primary') {
        this.delete(key);
        onExpired(this, key);
      }
      return undefined;
    }
    entry.accessedAtMs = nowMs;
    return entry;
  }

  /** The entry regardless of expiry (internal use: DEBUG, snapshots, WATCH checks). */
  peek(key: string): KeyEntry | undefined {
    return this.entries.get(key);
  }

  isLogicallyExpired(entry: KeyEntry, nowMs: number): boolean {
    return entry.expireAtMs !== 0 && entry.expireAtMs <= nowMs;
  }

  /**
   * Stores `value` at `key`. The expiry is cleared unless `keepTtl` (Redis's setKey without
   * SETKEY_KEEPTTL). Returns the entry.
   */
  set(key: string, value: Value, nowMs: number, keepTtl = false): KeyEntry {
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      existing.value = value;
      existing.accessedAtMs = nowMs;
      if (!keepTtl && existing.expireAtMs !== 0) {
        existing.expireAtMs = 0;
        this.volatile.delete(key);
      }
      return existing;
    }
    const entry: KeyEntry = { value, expireAtMs: 0, accessedAtMs: nowMs };
    this.entries.set(key, entry);
    return entry;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    if (entry.expireAtMs !== 0) this.volatile.delete(key);
    return this.entries.delete(key);
  }

  setExpire(key: string, expireAtMs: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined) throw new Error(`setExpire on missing key`);
    entry.expireAtMs = expireAtMs;
    if (expireAtMs === 0) this.volatile.delete(key);
    else this.volatile.set(key, entry);
  }

  clear(): void {
    this.entries.clear();
    this.volatile.clear();
    this.volatileCursor = null;
  }

  /** Moves all contents to `other` and takes its contents (SWAPDB). */
  swapWith(other: Database): void {
    const mine = [...this.entries.entries()];
    const theirs = [...other.entries.entries()];
    this.clear();
    other.clear();
    for (const [key, entry] of theirs) this.restoreEntry(key, entry);
    for (const [key, entry] of mine) other.restoreEntry(key, entry);
  }

  /** Inserts an entry as is (SWAPDB, MOVE, snapshot load). */
  restoreEntry(key: string, entry: KeyEntry): void {
    this.entries.set(key, entry);
    if (entry.expireAtMs !== 0) this.volatile.set(key, entry);
  }

  /**
   * One step of the active expiry cycle: examines up to `keysMax` keys with a TTL, resuming
   * where the previous step stopped, and deletes the expired ones (telling `onExpired`).
   * Returns the number of keys examined.
   */
  activeExpireStep(nowMs: number, keysMax: number, onExpired: ExpiredKeyListener): number {
    if (this.volatile.size === 0) return 0;
    let examined = 0;
    this.volatileCursor ??= this.volatile.entries();
    while (examined < keysMax) {
      const next = this.volatileCursor.next();
      if (next.done) {
        this.volatileCursor = null;
        break;
      }
      examined++;
      const [key, entry] = next.value;
      if (entry.expireAtMs !== 0 && entry.expireAtMs <= nowMs && this.entries.get(key) === entry) {
        this.delete(key);
        onExpired(this, key);
      }
    }
    return examined;
  }
}
