// Hash commands (Redis 7.2 semantics, replies and errors byte for byte; see t_hash.c).
// Effects: every write logs its own argv except HINCRBYFLOAT, logged as `HSET key field
// <result>` so float formatting never differs between nodes. HRANDFIELD is a read.
import { err, ErrorReply, Errors, MapReply, OK, Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { FIRST_KEY, type CommandSpec } from './spec.js';
import { cursorArg, globMatch, int64Arg, is, scanOptions } from './args.js';
import { HashValue } from '../engine/types/hash.js';
import { formatLongDouble, isInt64, parseDouble, parseInt64, parseInt64Big } from '../util/numbers.js';
import { randomFieldsReply } from './hash-random.js';

const group = 'hash';
const acl = ['hash'];

function getHash(ctx: ExecContext, key: string): HashValue | undefined {
  return ctx.getCollection<HashValue>(key, 'hash');
}

/**
 * After changing `hash` in place: stores it when it is new (the key did not exist), else tells
 * WATCH and blocked clients that it changed.
 */
function stored(ctx: ExecContext, key: string, hash: HashValue, isNew: boolean): void {
  if (isNew) ctx.setValue(key, hash);
  else ctx.touched(key);
}

// --- writes ---------------------------------------------------------------------------------

/** HSET and HMSET: same work, HSET replies how many fields were new, HMSET replies OK. */
function cmdHset(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length % 2 === 1) return Errors.wrongArity(argv[0]!.toLowerCase());
  const key = argv[1]!;
  const existing = getHash(ctx, key);
  const hash = existing ?? new HashValue();
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (hash.set(argv[i]!, argv[i + 1]!)) created++;
  stored(ctx, key, hash, existing === undefined);
  ctx.dirty += (argv.length - 2) / 2;
  return is(argv[0], 'HMSET') ? OK : created;
}

function cmdHsetnx(ctx: ExecContext, argv: string[]): Reply {
  const [, key, field, value] = argv as [string, string, string, string];
  const existing = getHash(ctx, key);
  if (existing?.has(field)) return 0; // checked before any conversion (Redis ≥ 7.0.x)
  const hash = existing ?? new HashValue();
  hash.set(field, value);
  stored(ctx, key, hash, existing === undefined);
  ctx.dirty++;
  return 1;
}

function cmdHdel(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const hash = getHash(ctx, key);
  if (hash === undefined) return 0;
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (hash.delete(argv[i]!)) deleted++;
    if (hash.size === 0) break;
  }
  if (deleted > 0) {
    ctx.touched(key);
    ctx.deleteIfEmpty(key, hash);
    ctx.dirty += deleted;
  }
  return deleted;
}

function cmdHincrby(ctx: ExecContext, argv: string[]): Reply {
  const [, key, field] = argv as [string, string, string];
  const increment = int64Arg(argv[3]!);
  if (increment instanceof ErrorReply) return increment;
  const existing = getHash(ctx, key);
  let base = 0n;
  const current = existing?.get(field);
  if (current !== undefined) {
    const parsed = parseInt64Big(current);
    if (parsed === null) return err('ERR hash value is not an integer');
    base = parsed;
  }
  const result = base + increment;
  if (!isInt64(result)) return Errors.overflow;
  const hash = existing ?? new HashValue();
  hash.set(field, result.toString());
  stored(ctx, key, hash, existing === undefined);
  ctx.dirty++;
  return Number.isSafeInteger(Number(result)) ? Number(result) : result;
}

function cmdHincrbyfloat(ctx: ExecContext, argv: string[]): Reply {
  const [, key, field] = argv as [string, string, string];
  const increment = parseDouble(argv[3]!);
  if (increment === null) return Errors.notFloat;
  if (!Number.isFinite(increment)) return err('ERR value is NaN or Infinity');
  const existing = getHash(ctx, key);
  let base = 0;
  const current = existing?.get(field);
  if (current !== undefined) {
    const parsed = parseDouble(current);
    if (parsed === null) return err('ERR hash value is not a float');
    base = parsed;
  }
  const result = base + increment;
  if (!Number.isFinite(result)) return err('ERR increment would produce NaN or Infinity');
  const text = formatLongDouble(result);
  const hash = existing ?? new HashValue();
  hash.set(field, text);
  stored(ctx, key, hash, existing === undefined);
  ctx.dirty++;
  ctx.rewrite(['HSET', key, field, text]);
  return text;
}

// --- reads ----------------------------------------------------------------------------------

function cmdHget(ctx: ExecContext, argv: string[]): Reply {
  return getHash(ctx, argv[1]!)?.get(argv[2]!) ?? null;
}

function cmdHmget(ctx: ExecContext, argv: string[]): Reply {
  const hash = getHash(ctx, argv[1]!);
  const values: Reply[] = [];
  for (let i = 2; i < argv.length; i++) values.push(hash?.get(argv[i]!) ?? null);
  return values;
}

function cmdHexists(ctx: ExecContext, argv: string[]): Reply {
  return getHash(ctx, argv[1]!)?.has(argv[2]!) ? 1 : 0;
}

function cmdHlen(ctx: ExecContext, argv: string[]): Reply {
  return getHash(ctx, argv[1]!)?.size ?? 0;
}

function cmdHstrlen(ctx: ExecContext, argv: string[]): Reply {
  return getHash(ctx, argv[1]!)?.get(argv[2]!)?.length ?? 0;
}

function cmdHgetall(ctx: ExecContext, argv: string[]): Reply {
  const hash = getHash(ctx, argv[1]!);
  const flat: Reply[] = [];
  if (hash !== undefined) for (const [field, value] of hash.entries()) flat.push(field, value);
  return new MapReply(flat);
}

function cmdHkeys(ctx: ExecContext, argv: string[]): Reply {
  const hash = getHash(ctx, argv[1]!);
  const fields: Reply[] = [];
  if (hash !== undefined) for (const [field] of hash.entries()) fields.push(field);
  return fields;
}

function cmdHvals(ctx: ExecContext, argv: string[]): Reply {
  const hash = getHash(ctx, argv[1]!);
  const values: Reply[] = [];
  if (hash !== undefined) for (const [, value] of hash.entries()) values.push(value);
  return values;
}

const longMax = 9223372036854775807n;

/** HRANDFIELD key [count [WITHVALUES]]. */
function cmdHrandfield(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  if (argv.length >= 3) {
    const parsed = parseInt64(argv[2]!);
    if (parsed === null) return Errors.notInteger;
    const count = BigInt(parsed);
    if (count < -longMax) return err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'WITHVALUES'))) return Errors.syntax;
    const withValues = argv.length === 4;
    if (withValues && (count < -longMax / 2n || count > longMax / 2n)) return err('ERR value is out of range');
    const hash = getHash(ctx, key);
    if (hash === undefined) return [];
    return randomFieldsReply(hash, count, withValues, ctx.client.protocol === 3, () => ctx.random());
  }
  const hash = getHash(ctx, key);
  if (hash === undefined) return null;
  return hash.randomEntry(() => ctx.random())[0];
}

/** HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]. */
function cmdHscan(ctx: ExecContext, argv: string[]): Reply {
  const cursor = cursorArg(argv[2]!);
  if (cursor instanceof ErrorReply) return cursor;
  const hash = getHash(ctx, argv[1]!);
  // Redis replies to a missing key before it parses the options.
  if (hash === undefined) return ['0', []];
  const options = scanOptions(argv, 3, false, true);
  if (options instanceof ErrorReply) return options;
  const items: Reply[] = [];
  const next = hash.scan(cursor, options.count, (field, value) => {
    if (options.match !== null && !globMatch(options.match, field)) return;
    items.push(field);
    if (!options.noValues) items.push(value);
  });
  return [String(next), items];
}

// --- table ----------------------------------------------------------------------------------

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Creates or modifies the value of a field in a hash.',
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    syntax: 'key field value [field value ...]', handler: cmdHset,
  }),
  defineCommand({
    name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Sets the values of multiple fields.', complexity: 'O(N) where N is the number of fields being set.',
    syntax: 'key field value [field value ...]', handler: cmdHset,
  }),
  defineCommand({
    name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Sets the value of a field in a hash only when the field doesn\'t exist.', complexity: 'O(1)',
    syntax: 'key field value', handler: cmdHsetnx,
  }),
  defineCommand({
    name: 'hget', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns the value of a field in a hash.', complexity: 'O(1)', syntax: 'key field', handler: cmdHget,
  }),
  defineCommand({
    name: 'hmget', arity: -3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns the values of all fields in a hash.', complexity: 'O(N) where N is the number of fields being requested.',
    syntax: 'key field [field ...]', handler: cmdHmget,
  }),
  defineCommand({
    name: 'hdel', arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.',
    complexity: 'O(N) where N is the number of fields to be removed.', syntax: 'key field [field ...]', handler: cmdHdel,
  }),
  defineCommand({
    name: 'hexists', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Determines whether a field exists in a hash.', complexity: 'O(1)', syntax: 'key field', handler: cmdHexists,
  }),
  defineCommand({
    name: 'hgetall', arity: 2, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns all fields and values in a hash.', complexity: 'O(N) where N is the size of the hash.',
    syntax: 'key', handler: cmdHgetall,
  }),
  defineCommand({
    name: 'hkeys', arity: 2, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns all fields in a hash.', complexity: 'O(N) where N is the size of the hash.',
    syntax: 'key', handler: cmdHkeys,
  }),
  defineCommand({
    name: 'hvals', arity: 2, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns all values in a hash.', complexity: 'O(N) where N is the size of the hash.',
    syntax: 'key', handler: cmdHvals,
  }),
  defineCommand({
    name: 'hlen', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns the number of fields in a hash.', complexity: 'O(1)', syntax: 'key', handler: cmdHlen,
  }),
  defineCommand({
    name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '3.2.0',
    summary: 'Returns the length of the value of a field.', complexity: 'O(1)', syntax: 'key field', handler: cmdHstrlen,
  }),
  defineCommand({
    name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key field increment', handler: cmdHincrby,
  }),
  defineCommand({
    name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.6.0',
    summary: 'Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key field increment', handler: cmdHincrbyfloat,
  }),
  defineCommand({
    name: 'hrandfield', arity: -2, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '6.2.0',
    summary: 'Returns one or more random fields from a hash.', complexity: 'O(N) where N is the number of fields returned',
    syntax: 'key [count [WITHVALUES]]', handler: cmdHrandfield,
  }),
  defineCommand({
    name: 'hscan', arity: -3, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.8.0',
    summary: 'Iterates over fields and values of a hash.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    syntax: 'key cursor [MATCH pattern] [COUNT count] [NOVALUES]', handler: cmdHscan,
  }),
];
