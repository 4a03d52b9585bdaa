// The in-memory data set of one shard (16 databases) and the command executor over it.
// The engine does no I/O: the server feeds it commands and takes away replies and effects.
import { Database } from './keyspace.js';
import type { ExpiryPolicy } from './keyspace.js';
import type { Effect, EffectBatch } from './effects.js';
import { CommandTable } from '../commands/table.js';
import { execute, ExecuteOutcome } from '../commands/dispatch.js';
import type { ClientState } from '../commands/client-state.js';
import { detachedClient } from '../commands/client-state.js';
import type { ServerServices } from '../commands/server-services.js';
import { detachedServer } from '../commands/server-services.js';
import { assert } from '../util/assert.js';

export interface EngineOptions {
  databases: number;
  /** Float in [0, 1). Math.random on a real node; seeded in tests. */
  random: () => number;
  /** Unix time in ms. Date.now on a real node; simulated in tests. */
  clock: () => number;
}

export const defaultEngineOptions: EngineOptions = { databases: 16, random: Math.random, clock: Date.now };

export class Engine {
  readonly commands: CommandTable;
  readonly random: () => number;
  readonly clock: () => number;
  private readonly databases: Database[];
  /** `${db}\0${key}` → clients watching it. */
  private readonly watchers = new Map<string, Set<ClientState>>();
  /** Keys touched since the server last drained them (wakes blocked clients). */
  private readonly touchedKeys = new Map<string, { db: number; key: string }>();
  /** Total changes applied (Redis `dirty`, for INFO persistence). */
  changesTotal = 0;
  /** Set by the server while clients are blocked: only then are touched keys collected. */
  wakeTracking = false;

  constructor(options: Partial<EngineOptions> = {}, commands?: CommandTable) {
    const resolved = { ...defaultEngineOptions, ...options };
    assert(Number.isSafeInteger(resolved.databases) && resolved.databases >= 1, 'databases must be >= 1');
    this.databases = Array.from({ length: resolved.databases }, (_, index) => new Database(index));
    this.random = resolved.random;
    this.clock = resolved.clock;
    this.commands = commands ?? CommandTable.standard();
  }

  get databaseCount(): number {
    return this.databases.length;
  }

  database(index: number): Database {
    const db = this.databases[index];
    assert(db !== undefined, `database index ${index} out of range`);
    return db;
  }

  allDatabases(): readonly Database[] {
    return this.databases;
  }

  /** Runs one command for a client (see commands/dispatch.ts). */
  execute(client: ClientState, argv: string[], policy: ExpiryPolicy, server: ServerServices = detachedServer): ExecuteOutcome {
    return execute(this, client, argv, policy, server, this.clock());
  }

  /**
   * Applies a batch of effects (replica, restart, snapshotter). Same code path as the
   * primary's commands, under the 'apply' policy: no expiry, no randomness, no effects.
   */
  applyEffects(batch: EffectBatch): void {
    const client = detachedClient();
    const nowMs = this.clock();
    for (const effect of batch) {
      client.dbIndex = effect.db;
      const outcome = execute(this, client, effect.argv, 'apply', detachedServer, nowMs);
      assert(!outcome.error, `effect failed to apply: ${effect.argv[0]}: ${outcome.error}`);
    }
  }

  // --- WATCH --------------------------------------------------------------------------------

  watch(client: ClientState, db: number, key: string, existed: boolean): void {
    const id = `${db}\0${key}`;
    if (client.watched.has(id)) return;
    client.watched.set(id, { db, key, existed });
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(client);
  }

  unwatchAll(client: ClientState): void {
    for (const id of client.watched.keys()) {
      const set = this.watchers.get(id);
      set?.delete(client);
      if (set?.size === 0) this.watchers.delete(id);
    }
    client.watched.clear();
    client.watchDirty = false;
  }

  /** A key changed (or was deleted/expired): invalidates watchers, notes it for blocked clients. */
  keyTouched(db: number, key: string): void {
    this.changesTotal++;
    if (this.watchers.size === 0 && !this.wakeTracking) return; // the common case: nobody waits on keys
    const id = `${db}\0${key}`;
    const set = this.watchers.get(id);
    if (set) for (const client of set) client.watchDirty = true;
    if (this.wakeTracking) this.touchedKeys.set(id, { db, key });
  }

  /** Every key of a database changed (FLUSHDB, SWAPDB, …). */
  databaseTouched(db: number): void {
    this.changesTotal++;
    for (const [id, set] of this.watchers) {
      if (!id.startsWith(`${db}\0`)) continue;
      for (const client of set) client.watchDirty = true;
    }
  }

  /** Keys touched since the last call (the server wakes clients blocked on them). */
  drainTouchedKeys(): { db: number; key: string }[] {
    if (this.touchedKeys.size === 0) return [];
    const keys = [...this.touchedKeys.values()];
    this.touchedKeys.clear();
    return keys;
  }

  // --- expiry -------------------------------------------------------------------------------

  /**
   * One active-expiry step over every database (primary only). Returns the `DEL` effects of
   * the keys it deleted, to be committed like any other write.
   */
  activeExpireStep(keysPerDb: number): Effect[] {
    const effects: Effect[] = [];
    const nowMs = this.clock();
    for (const db of this.databases) {
      db.activeExpireStep(nowMs, keysPerDb, (expiredDb, key) => {
        this.keyTouched(expiredDb.index, key);
        effects.push({ db: expiredDb.index, argv: ['DEL', key] });
      });
    }
    return effects;
  }

  /** Total keys in all databases (INFO keyspace, DBSIZE). */
  keyCount(): number {
    let total = 0;
    for (const db of this.databases) total += db.size;
    return total;
  }
}
