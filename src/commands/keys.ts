// Generic key commands: existence, type, expiry, renaming, copying, moving between
// databases, keyspace iteration, flushing, OBJECT and DUMP/RESTORE.
import { createHash } from 'node:crypto';
import { pack, unpack } from 'msgpackr';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { ALL_KEYS, FIRST_KEY, type CommandSpec, type KeyRange } from './spec.js';
import { err, ErrorReply, Errors, OK, SimpleString, type Reply } from '../resp/reply.js';
import { cursorArg, globMatch, intArg, is, scanOptions } from './args.js';
import { kindOf, type Value } from '../engine/types/values.js';
import { valueFromPlain, valueToPlain, type PlainValue } from '../engine/types/codec.js';
import { parseInt64 } from '../util/numbers.js';
import type { Database } from '../engine/keyspace.js';

const group = 'generic';
const acl = ['keyspace'];
const TWO_KEYS: KeyRange = { first: 1, last: 2, step: 1 };

// --- existence and type -----------------------------------------------------------------------

function cmdDel(ctx: ExecContext, argv: string[]): Reply {
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.lookup(argv[i]!) !== undefined && ctx.deleteKey(argv[i]!)) deleted++;
  }
  ctx.dirty += deleted;
  return deleted;
}

function cmdExists(ctx: ExecContext, argv: string[]): Reply {
  let count = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.lookup(argv[i]!) !== undefined) count++;
  return count;
}

function cmdType(ctx: ExecContext, argv: string[]): Reply {
  const value = ctx.get(argv[1]!);
  return new SimpleString(value === undefined ? 'none' : kindOf(value));
}

function cmdTouch(ctx: ExecContext, argv: string[]): Reply {
  return cmdExists(ctx, argv);
}

// --- expiry -----------------------------------------------------------------------------------

const EXPIRE_MS_MAX = 2 ** 62;

/** EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT with NX | XX | GT | LT. Effect: PEXPIREAT or DEL. */
function expireCommand(unitMs: 1 | 1000, absolute: boolean) {
  return (ctx: ExecContext, argv: string[]): Reply => {
    const command = argv[0]!.toLowerCase();
    const [, key, amountText] = argv as [string, string, string];
    let nx = false, xx = false, gt = false, lt = false;
    for (let i = 3; i < argv.length; i++) {
      const option = argv[i]!.toUpperCase();
      if (option === 'NX') nx = true;
      else if (option === 'XX') xx = true;
      else if (option === 'GT') gt = true;
      else if (option === 'LT') lt = true;
      else return err(`ERR Unsupported option ${argv[i]}`);
    }
    if (nx && (xx || gt || lt)) return err('ERR NX and XX, GT or LT options at the same time are not compatible');
    if (gt && lt) return err('ERR GT and LT options at the same time are not compatible');
    const amount = parseInt64(amountText);
    if (amount === null) return Errors.notInteger;
    const amountNumber = Number(amount);
    if (Math.abs(amountNumber) > EXPIRE_MS_MAX / unitMs) return Errors.invalidExpire(command);
    let atMs = amountNumber * unitMs;
    if (!absolute) atMs += ctx.nowMs;
    if (Math.abs(atMs) > EXPIRE_MS_MAX) return Errors.invalidExpire(command);
    const entry = ctx.lookup(key);
    if (entry === undefined) return 0;
    const current = entry.expireAtMs; // 0 = none (infinite)
    if (nx && current !== 0) return 0;
    if (xx && current === 0) return 0;
    if (gt && (current === 0 || atMs <= current)) return 0;
    if (lt && current !== 0 && atMs >= current) return 0;
    if (atMs <= ctx.nowMs && !ctx.isApplying) {
      ctx.deleteKey(key);
      ctx.dirty++;
      ctx.rewrite(['DEL', key]);
      return 1;
    }
    ctx.db.setExpire(key, atMs);
    ctx.touched(key);
    ctx.dirty++;
    ctx.rewrite(['PEXPIREAT', key, String(atMs)]);
    return 1;
  };
}

function ttlCommand(outputMs: boolean, outputAbsolute: boolean) {
  return (ctx: ExecContext, argv: string[]): Reply => {
    const entry = ctx.lookup(argv[1]!);
    if (entry === undefined) return -2;
    if (entry.expireAtMs === 0) return -1;
    const ttl = Math.max(0, outputAbsolute ? entry.expireAtMs : entry.expireAtMs - ctx.nowMs);
    return outputMs ? ttl : Math.floor((ttl + 500) / 1000);
  };
}

function cmdPersist(ctx: ExecContext, argv: string[]): Reply {
  const entry = ctx.lookup(argv[1]!);
  if (entry === undefined || entry.expireAtMs === 0) return 0;
  ctx.db.setExpire(argv[1]!, 0);
  ctx.touched(argv[1]!);
  ctx.dirty++;
  return 1;
}

// --- renaming, copying, moving -------------------------------------------------------------------

function cloneValue(value: Value): Value {
  return typeof value === 'string' ? value : value.clone();
}

function rename(ctx: ExecContext, argv: string[], onlyIfNew: boolean): Reply {
  const [, source, destination] = argv as [string, string, string];
  const entry = ctx.lookup(source);
  if (entry === undefined) return Errors.noSuchKey;
  if (source === destination) return onlyIfNew ? 0 : OK;
  if (ctx.lookup(destination) !== undefined) {
    if (onlyIfNew) return 0;
    ctx.deleteKey(destination);
  }
  const { value, expireAtMs } = entry;
  ctx.deleteKey(source);
  ctx.setValue(destination, value);
  if (expireAtMs !== 0) ctx.db.setExpire(destination, expireAtMs);
  ctx.dirty++;
  return onlyIfNew ? 1 : OK;
}

function databaseArg(ctx: ExecContext, text: string): Database | ErrorReply {
  const index = intArg(text);
  if (index instanceof ErrorReply) return index;
  if (index < 0 || index >= ctx.engine.databaseCount) return Errors.outOfRange('DB index');
  return ctx.engine.database(index);
}

function cmdCopy(ctx: ExecContext, argv: string[]): Reply {
  const [, source, destination] = argv as [string, string, string];
  let target = ctx.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], 'REPLACE')) replace = true;
    else if (is(argv[i], 'DB') && i + 1 < argv.length) {
      const db = databaseArg(ctx, argv[++i]!);
      if (db instanceof ErrorReply) return db;
      target = db;
    } else return Errors.syntax;
  }
  if (target === ctx.db && source === destination) return err('ERR source and destination objects are the same');
  const entry = ctx.lookup(source);
  if (entry === undefined) return 0;
  if (ctx.lookup(destination, target) !== undefined) {
    if (!replace) return 0;
    ctx.deleteKey(destination, target);
  }
  ctx.setValue(destination, cloneValue(entry.value), false, target);
  if (entry.expireAtMs !== 0) target.setExpire(destination, entry.expireAtMs);
  ctx.dirty++;
  return 1;
}

function cmdMove(ctx: ExecContext, argv: string[]): Reply {
  const [, key, dbText] = argv as [string, string, string];
  const target = databaseArg(ctx, dbText);
  if (target instanceof ErrorReply) return target;
  if (target === ctx.db) return err('ERR source and destination objects are the same');
  const entry = ctx.lookup(key);
  if (entry === undefined || ctx.lookup(key, target) !== undefined) return 0;
  const { value, expireAtMs } = entry;
  ctx.deleteKey(key);
  ctx.setValue(key, value, false, target);
  if (expireAtMs !== 0) target.setExpire(key, expireAtMs);
  ctx.dirty++;
  return 1;
}

function cmdSwapdb(ctx: ExecContext, argv: string[]): Reply {
  const first = intArg(argv[1]!, err('ERR invalid first DB index'));
  if (first instanceof ErrorReply) return first;
  const second = intArg(argv[2]!, err('ERR invalid second DB index'));
  if (second instanceof ErrorReply) return second;
  const count = ctx.engine.databaseCount;
  if (first < 0 || first >= count || second < 0 || second >= count) return Errors.outOfRange('DB index');
  if (first !== second) {
    ctx.engine.database(first).swapWith(ctx.engine.database(second));
    ctx.engine.databaseTouched(first);
    ctx.engine.databaseTouched(second);
  }
  ctx.dirty++;
  return OK;
}

// --- iteration ----------------------------------------------------------------------------------

function isLive(ctx: ExecContext, expireAtMs: number): boolean {
  return ctx.isApplying || expireAtMs === 0 || expireAtMs > ctx.nowMs;
}

function cmdKeys(ctx: ExecContext, argv: string[]): Reply {
  const pattern = argv[1]!;
  const keys: string[] = [];
  for (const [key, entry] of ctx.db.entries.entries()) {
    if (isLive(ctx, entry.expireAtMs) && globMatch(pattern, key)) keys.push(key);
  }
  return keys;
}

function cmdScan(ctx: ExecContext, argv: string[]): Reply {
  const cursor = cursorArg(argv[1]!);
  if (cursor instanceof ErrorReply) return cursor;
  const options = scanOptions(argv, 2, true);
  if (options instanceof ErrorReply) return options;
  const keys: string[] = [];
  const next = ctx.db.entries.scan(cursor, options.count, (key, entry) => {
    if (!isLive(ctx, entry.expireAtMs)) return;
    if (options.match !== null && !globMatch(options.match, key)) return;
    if (options.type !== null && kindOf(entry.value) !== options.type) return;
    keys.push(key);
  });
  return [String(next), keys];
}

const RANDOMKEY_TRIES_MAX = 100;

function cmdRandomkey(ctx: ExecContext): Reply {
  for (let tries = 0; tries < RANDOMKEY_TRIES_MAX; tries++) {
    const key = ctx.db.entries.randomKey(() => ctx.random());
    if (key === undefined) return null;
    if (ctx.lookup(key) !== undefined) return key;
  }
  return null;
}

function flushMode(argv: string[], from: number): ErrorReply | null {
  if (argv.length > from + 1) return Errors.syntax;
  if (argv.length === from + 1 && !is(argv[from], 'ASYNC') && !is(argv[from], 'SYNC')) return Errors.syntax;
  return null;
}

function cmdFlushdb(ctx: ExecContext, argv: string[]): Reply {
  const error = flushMode(argv, 1);
  if (error) return error;
  ctx.db.clear();
  ctx.engine.databaseTouched(ctx.dbIndex);
  ctx.dirty++;
  ctx.rewrite(['FLUSHDB']);
  return OK;
}

function cmdFlushall(ctx: ExecContext, argv: string[]): Reply {
  const error = flushMode(argv, 1);
  if (error) return error;
  for (const db of ctx.engine.allDatabases()) {
    db.clear();
    ctx.engine.databaseTouched(db.index);
  }
  ctx.dirty++;
  ctx.rewrite(['FLUSHALL']);
  return OK;
}

// --- OBJECT ----------------------------------------------------------------------------------------

/** Redis's encoding choice for a string: int, embstr (≤ 44 bytes) or raw. */
export function stringEncoding(value: string): string {
  if (value.length <= 20 && parseInt64(value) !== null) return 'int';
  return value.length <= 44 ? 'embstr' : 'raw';
}

function objectEntry(ctx: ExecContext, key: string) {
  const entry = ctx.db.peek(key);
  return entry !== undefined && isLive(ctx, entry.expireAtMs) ? entry : undefined;
}

const objectSubcommands: CommandSpec[] = [
  defineCommand({ name: 'encoding', arity: 3, flags: ['readonly'], keys: { first: 2, last: 2, step: 1 }, acl, group, since: '2.2.3', summary: 'Returns the internal encoding of a Redis object.',
    handler: (ctx, argv) => {
      const entry = objectEntry(ctx, argv[2]!);
      if (!entry) return null;
      return typeof entry.value === 'string' ? stringEncoding(entry.value) : entry.value.encoding();
    } }),
  defineCommand({ name: 'refcount', arity: 3, flags: ['readonly'], keys: { first: 2, last: 2, step: 1 }, acl, group, since: '2.2.3', summary: 'Returns the reference count of a value of a key.',
    handler: (ctx, argv) => (objectEntry(ctx, argv[2]!) ? 1 : null) }),
  defineCommand({ name: 'idletime', arity: 3, flags: ['readonly'], keys: { first: 2, last: 2, step: 1 }, acl, group, since: '2.2.3', summary: 'Returns the time since the last access to a Redis object.',
    handler: (ctx, argv) => {
      const entry = objectEntry(ctx, argv[2]!);
      return entry ? Math.floor((ctx.nowMs - entry.accessedAtMs) / 1000) : null;
    } }),
  defineCommand({ name: 'freq', arity: 3, flags: ['readonly'], keys: { first: 2, last: 2, step: 1 }, acl, group, since: '4.0.0', summary: 'Returns the logarithmic access frequency counter of a Redis object.',
    handler: (ctx, argv) => objectEntry(ctx, argv[2]!)
      ? err('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.')
      : null }),
  defineCommand({ name: 'help', arity: 2, flags: ['loading', 'stale'], acl, group, since: '6.2.0', summary: 'Returns helpful text about the different subcommands.',
    handler: () => [
      'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'ENCODING <key>', '    Return the kind of internal representation used in order to store the value',
      '    associated with a <key>.',
      'FREQ <key>', '    Return the access frequency index of the <key>. The returned integer is',
      '    proportional to the logarithm of the recent access frequency of the key.',
      'IDLETIME <key>', '    Return the idle time of the <key>, that is the approximated number of',
      '    seconds elapsed since the last access to the key.',
      'REFCOUNT <key>', '    Return the number of references of the value associated with the specified',
      '    <key>.',
      'HELP', '    Print this help.',
    ].map((line) => new SimpleString(line)) }),
];

// --- DUMP / RESTORE (Keel's own payload format) --------------------------------------------------

const DUMP_MAGIC = 'KEEL';
const DUMP_VERSION = 1;
const DUMP_CHECKSUM_BYTES = 8;

function dumpChecksum(body: Buffer): Buffer {
  return createHash('sha256').update(body).digest().subarray(0, DUMP_CHECKSUM_BYTES);
}

/** Payload: "KEEL" ‖ version byte ‖ msgpack([kind, plain]) ‖ 8-byte SHA-256 prefix of all before it. */
export function dumpValue(value: Value): string {
  const body = Buffer.concat([Buffer.from(DUMP_MAGIC, 'latin1'), Buffer.from([DUMP_VERSION]), pack(valueToPlain(value))]);
  return Buffer.concat([body, dumpChecksum(body)]).toString('latin1');
}

export function restoreValue(payload: string): Value | null {
  const bytes = Buffer.from(payload, 'latin1');
  if (bytes.length < DUMP_MAGIC.length + 1 + DUMP_CHECKSUM_BYTES) return null;
  const body = bytes.subarray(0, bytes.length - DUMP_CHECKSUM_BYTES);
  if (!dumpChecksum(body).equals(bytes.subarray(bytes.length - DUMP_CHECKSUM_BYTES))) return null;
  if (body.toString('latin1', 0, 4) !== DUMP_MAGIC || body[4] !== DUMP_VERSION) return null;
  try {
    return valueFromPlain(unpack(body.subarray(5)) as PlainValue);
  } catch {
    return null;
  }
}

function cmdDump(ctx: ExecContext, argv: string[]): Reply {
  const value = ctx.get(argv[1]!);
  return value === undefined ? null : dumpValue(value);
}

function cmdRestore(ctx: ExecContext, argv: string[]): Reply {
  const [, key, ttlText, payload] = argv as [string, string, string, string];
  let replace = false;
  let absoluteTtl = false;
  for (let i = 4; i < argv.length; i++) {
    if (is(argv[i], 'REPLACE')) replace = true;
    else if (is(argv[i], 'ABSTTL')) absoluteTtl = true;
    else if ((is(argv[i], 'IDLETIME') || is(argv[i], 'FREQ')) && i + 1 < argv.length) {
      const value = intArg(argv[++i]!);
      if (value instanceof ErrorReply) return value;
      if (value < 0) return err(is(argv[i - 1], 'IDLETIME') ? 'ERR Invalid IDLETIME value, must be >= 0' : 'ERR Invalid FREQ value, must be >= 0 and <= 255');
    } else return Errors.syntax;
  }
  const ttl = intArg(ttlText);
  if (ttl instanceof ErrorReply) return ttl;
  if (ttl < 0) return err('ERR Invalid TTL value, must be >= 0');
  if (!replace && ctx.lookup(key) !== undefined) return err('BUSYKEY Target key name already exists.');
  const value = restoreValue(payload);
  if (value === null) return err('ERR DUMP payload version or checksum are wrong');
  const atMs = ttl === 0 ? 0 : absoluteTtl ? ttl : ctx.nowMs + ttl;
  if (atMs !== 0 && atMs <= ctx.nowMs && !ctx.isApplying) {
    if (ctx.deleteKey(key)) ctx.dirty++;
    ctx.rewrite(['DEL', key]);
    return OK;
  }
  ctx.setValue(key, value);
  if (atMs !== 0) ctx.db.setExpire(key, atMs);
  ctx.dirty++;
  ctx.rewrite(['RESTORE', key, String(atMs), payload, 'REPLACE', 'ABSTTL']);
  return OK;
}

// --- the table ---------------------------------------------------------------------------------

const write = ['write'] as const;
const read = ['readonly'] as const;

export const commands: CommandSpec[] = [
  defineCommand({ name: 'del', arity: -2, flags: [...write], keys: ALL_KEYS, acl, group, since: '1.0.0', summary: 'Deletes one or more keys.', complexity: 'O(N) where N is the number of keys that will be removed.', syntax: 'key [key ...]', handler: cmdDel }),
  defineCommand({ name: 'unlink', arity: -2, flags: [...write, 'fast'], keys: ALL_KEYS, acl, group, since: '4.0.0', summary: 'Asynchronously deletes one or more keys.', complexity: 'O(1) for each key removed regardless of its size.', syntax: 'key [key ...]', handler: cmdDel }),
  defineCommand({ name: 'exists', arity: -2, flags: [...read, 'fast'], keys: ALL_KEYS, acl, group, since: '1.0.0', summary: 'Determines whether one or more keys exist.', complexity: 'O(N) where N is the number of keys to check.', syntax: 'key [key ...]', handler: cmdExists }),
  defineCommand({ name: 'type', arity: 2, flags: [...read, 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0', summary: 'Determines the type of value stored at a key.', complexity: 'O(1)', syntax: 'key', handler: cmdType }),
  defineCommand({ name: 'touch', arity: -2, flags: [...read, 'fast'], keys: ALL_KEYS, acl, group, since: '3.2.1', summary: 'Returns the number of existing keys out of those specified after updating the time they were last accessed.', complexity: 'O(N) where N is the number of keys that will be touched.', syntax: 'key [key ...]', handler: cmdTouch }),
  defineCommand({ name: 'expire', arity: -3, flags: [...write, 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0', summary: 'Sets the expiration time of a key in seconds.', complexity: 'O(1)', syntax: 'key seconds [NX | XX | GT | LT]', handler: expireCommand(1000, false) }),
  defineCommand({ name: 'pexpire', arity: -3, flags: [...write, 'fast'], keys: FIRST_KEY, acl, group, since: '2.6.0', summary: 'Sets the expiration time of a key in milliseconds.', complexity: 'O(1)', syntax: 'key milliseconds [NX | XX | GT | LT]', handler: expireCommand(1, false) }),
  defineCommand({ name: 'expireat', arity: -3, flags: [...write, 'fast'], keys: FIRST_KEY, acl, group, since: '1.2.0', summary: 'Sets the expiration time of a key to a Unix timestamp.', complexity: 'O(1)', syntax: 'key unix-time-seconds [NX | XX | GT | LT]', handler: expireCommand(1000, true) }),
  defineCommand({ name: 'pexpireat', arity: -3, flags: [...write, 'fast'], keys: FIRST_KEY, acl, group, since: '2.6.0', summary: 'Sets the expiration time of a key to a Unix milliseconds timestamp.', complexity: 'O(1)', syntax: 'key unix-time-milliseconds [NX | XX | GT | LT]', handler: expireCommand(1, true) }),
  defineCommand({ name: 'ttl', arity: 2, flags: [...read, 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0', summary: 'Returns the expiration time in seconds of a key.', complexity: 'O(1)', syntax: 'key', handler: ttlCommand(false, false) }),
  defineCommand({ name: 'pttl', arity: 2, flags: [...read, 'fast'], keys: FIRST_KEY, acl, group, since: '2.6.0', summary: 'Returns the expiration time in milliseconds of a key.', complexity: 'O(1)', syntax: 'key', handler: ttlCommand(true, false) }),
  defineCommand({ name: 'expiretime', arity: 2, flags: [...read, 'fast'], keys: FIRST_KEY, acl, group, since: '7.0.0', summary: 'Returns the expiration time of a key as a Unix timestamp.', complexity: 'O(1)', syntax: 'key', handler: ttlCommand(false, true) }),
  defineCommand({ name: 'pexpiretime', arity: 2, flags: [...read, 'fast'], keys: FIRST_KEY, acl, group, since: '7.0.0', summary: 'Returns the expiration time of a key as a Unix milliseconds timestamp.', complexity: 'O(1)', syntax: 'key', handler: ttlCommand(true, true) }),
  defineCommand({ name: 'persist', arity: 2, flags: [...write, 'fast'], keys: FIRST_KEY, acl, group, since: '2.2.0', summary: 'Removes the expiration time of a key.', complexity: 'O(1)', syntax: 'key', handler: cmdPersist }),
  defineCommand({ name: 'rename', arity: 3, flags: [...write], keys: TWO_KEYS, acl, group, since: '1.0.0', summary: 'Renames a key and overwrites the destination.', complexity: 'O(1)', syntax: 'key newkey', handler: (ctx, argv) => rename(ctx, argv, false) }),
  defineCommand({ name: 'renamenx', arity: 3, flags: [...write, 'fast'], keys: TWO_KEYS, acl, group, since: '1.0.0', summary: 'Renames a key only when the target key name doesn\'t exist.', complexity: 'O(1)', syntax: 'key newkey', handler: (ctx, argv) => rename(ctx, argv, true) }),
  defineCommand({ name: 'copy', arity: -3, flags: [...write, 'denyoom'], keys: TWO_KEYS, acl, group, since: '6.2.0', summary: 'Copies the value of a key to a new key.', complexity: 'O(N) worst case for collections, where N is the number of nested items.', syntax: 'source destination [DB destination-db] [REPLACE]', handler: cmdCopy }),
  defineCommand({ name: 'move', arity: 3, flags: [...write, 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0', summary: 'Moves a key to another database.', complexity: 'O(1)', syntax: 'key db', handler: cmdMove }),
  defineCommand({ name: 'swapdb', arity: 3, flags: [...write, 'fast'], acl: [...acl, 'dangerous'], group: 'server', since: '4.0.0', summary: 'Swaps two Redis databases.', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.', syntax: 'index1 index2', handler: cmdSwapdb }),
  defineCommand({ name: 'keys', arity: 2, flags: [...read, 'whole_keyspace'], acl: [...acl, 'dangerous'], group, since: '1.0.0', summary: 'Returns all key names that match a pattern.', complexity: 'O(N) with N being the number of keys in the database', syntax: 'pattern', handler: cmdKeys }),
  defineCommand({ name: 'scan', arity: -2, flags: [...read, 'whole_keyspace'], acl, group, since: '2.8.0', summary: 'Iterates over the key names in the database.', complexity: 'O(1) for every call. O(N) for a complete iteration.', syntax: 'cursor [MATCH pattern] [COUNT count] [TYPE type]', handler: cmdScan }),
  defineCommand({ name: 'randomkey', arity: 1, flags: [...read, 'whole_keyspace'], acl, group, since: '1.0.0', summary: 'Returns a random key name from the database.', complexity: 'O(1)', handler: cmdRandomkey }),
  defineCommand({ name: 'dbsize', arity: 1, flags: [...read, 'fast', 'whole_keyspace'], acl, group: 'server', since: '1.0.0', summary: 'Returns the number of keys in the database.', complexity: 'O(1)', handler: (ctx) => ctx.db.size }),
  defineCommand({ name: 'flushdb', arity: -1, flags: [...write, 'whole_keyspace'], acl: [...acl, 'dangerous'], group: 'server', since: '1.0.0', summary: 'Remove all keys from the current database.', complexity: 'O(N) where N is the number of keys in the selected database', syntax: '[ASYNC | SYNC]', handler: cmdFlushdb }),
  defineCommand({ name: 'flushall', arity: -1, flags: [...write, 'whole_keyspace'], acl: [...acl, 'dangerous'], group: 'server', since: '1.0.0', summary: 'Removes all keys from all databases.', complexity: 'O(N) where N is the total number of keys in all databases', syntax: '[ASYNC | SYNC]', handler: cmdFlushall }),
  defineCommand({ name: 'object', arity: -2, flags: [], acl, group, since: '2.2.3', summary: 'A container for object introspection commands.', complexity: 'Depends on subcommand.', subcommands: objectSubcommands }),
  defineCommand({ name: 'dump', arity: 2, flags: [...read], keys: FIRST_KEY, acl, group, since: '2.6.0', summary: 'Returns a serialized representation of the value stored at a key.', complexity: 'O(1) to access the key and additional O(N*M) to serialize it.', syntax: 'key', handler: cmdDump }),
  defineCommand({ name: 'restore', arity: -4, flags: [...write, 'denyoom'], keys: FIRST_KEY, acl: [...acl, 'dangerous'], group, since: '2.6.0', summary: 'Creates a key from the serialized representation of a value.', complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value.', syntax: 'key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]', handler: cmdRestore }),
];
