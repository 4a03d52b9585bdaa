// The execution context a command handler receives: the database it works on, the time,
// the expiry policy, and the effects it produces (see engine/effects.ts).
import type { Database, ExpiryPolicy, KeyEntry } from '../engine/keyspace.js';
import type { Engine } from '../engine/engine.js';
import type { Effect } from '../engine/effects.js';
import type { Value } from '../engine/types/values.js';
import type { ClientState } from './client-state.js';
import type { ServerServices } from './server-services.js';
import { Errors, ErrorReply } from '../resp/reply.js';

export class WrongTypeError extends Error {}

export class ExecContext {
  /** Number of changes made to the data set; > 0 means the command's argv is propagated. */
  dirty = 0;
  /** Effects in propagation order (see engine/effects.ts). */
  readonly effects: Effect[] = [];
  private rewrittenArgv: string[] | null = null;
  private propagationPrevented = false;
  /** False inside MULTI/EXEC and while applying effects: blocking commands must not block. */
  canBlock = true;

  constructor(
    readonly engine: Engine,
    readonly client: ClientState,
    readonly server: ServerServices,
    readonly policy: ExpiryPolicy,
    /** Time of this command, fixed for its whole execution (and for a whole EXEC). */
    readonly nowMs: number,
  ) {}

  get db(): Database {
    return this.engine.database(this.client.dbIndex);
  }

  get dbIndex(): number {
    return this.client.dbIndex;
  }

  /** True when the data set may change: effects are being applied or we are the primary. */
  get isApplying(): boolean {
    return this.policy === 'apply';
  }

  random(): number {
    return this.engine.random();
  }

  // --- key access -------------------------------------------------------------------------

  /** The live entry of `key` in the current database (see Database.lookup for expiry). */
  lookup(key: string, db: Database = this.db): KeyEntry | undefined {
    return db.lookup(key, this.policy, this.nowMs, this.onExpired);
  }

  /** The live value of `key`, or undefined. */
  get(key: string, db: Database = this.db): Value | undefined {
    return this.lookup(key, db)?.value;
  }

  /** The live string at `key`; undefined when missing; throws WrongTypeError for another type. */
  getString(key: string, db: Database = this.db): string | undefined {
    const value = this.get(key, db);
    if (value === undefined || typeof value === 'string') return value;
    throw new WrongTypeError();
  }

  /**
   * The live collection of `kind` at `key`; undefined when missing; throws WrongTypeError for
   * another type. Handlers let WrongTypeError propagate: the dispatcher turns it into -WRONGTYPE.
   */
  getCollection<T extends Value>(key: string, kind: string, db: Database = this.db): T | undefined {
    const value = this.get(key, db);
    if (value === undefined) return undefined;
    if (typeof value === 'string' || value.kind !== kind) throw new WrongTypeError();
    return value as T;
  }

  /** Stores a value (clearing its TTL unless keepTtl), and tells WATCH and blocked clients. */
  setValue(key: string, value: Value, keepTtl = false, db: Database = this.db): KeyEntry {
    const entry = db.set(key, value, this.nowMs, keepTtl);
    this.touched(key, db);
    return entry;
  }

  /** Deletes a key; returns whether it existed (live or not). */
  deleteKey(key: string, db: Database = this.db): boolean {
    const existed = db.delete(key);
    if (existed) this.touched(key, db);
    return existed;
  }

  /** Deletes the key if its collection became empty (Redis never keeps empty collections). */
  deleteIfEmpty(key: string, value: Value, db: Database = this.db): boolean {
    if (typeof value !== 'string' && value.size === 0) return this.deleteKey(key, db);
    return false;
  }

  /** A key's value changed in place: tells WATCH (and wakes blocked clients on that key). */
  touched(key: string, db: Database = this.db): void {
    this.engine.keyTouched(db.index, key);
  }

  // --- effects ------------------------------------------------------------------------------

  /** Propagates an extra effect now (it precedes the command's own). */
  propagate(argv: string[], db: number = this.dbIndex): void {
    if (this.policy === 'apply') return;
    this.effects.push({ db, argv });
  }

  /** The command's own effect will be `argv` instead of the argv it was called with. */
  rewrite(argv: string[]): void {
    this.rewrittenArgv = argv;
  }

  /** The command's own argv is not propagated (it propagated what it needed itself). */
  preventPropagation(): void {
    this.propagationPrevented = true;
  }

  /** Called by the dispatcher after the handler: adds the command's own effect. */
  finishEffects(argv: string[]): void {
    if (this.policy === 'apply') return;
    if (this.dirty > 0 && !this.propagationPrevented) {
      this.effects.push({ db: this.dbIndex, argv: this.rewrittenArgv ?? argv });
    }
    this.dirty = 0;
    this.rewrittenArgv = null;
    this.propagationPrevented = false;
  }

  private readonly onExpired = (db: Database, key: string): void => {
    this.engine.keyTouched(db.index, key);
    if (this.policy === 'primary') this.effects.push({ db: db.index, argv: ['DEL', key] });
  };
}

/** WRONGTYPE, as an error reply (for handlers that catch WrongTypeError themselves). */
export const wrongType: ErrorReply = Errors.wrongType;
