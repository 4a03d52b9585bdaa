// String commands. Values are latin1 JS strings (one char per byte).
// Range commands (GETRANGE, SETRANGE, LCS) live in string-ranges.ts, the SET/GETEX option
// grammar in string-options.ts, INCRBYFLOAT's long double arithmetic in long-double.ts.
import { err, ErrorReply, Errors, OK, Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { ALL_KEYS, FIRST_KEY, type CommandSpec, type KeyRange } from './spec.js';
import { int64Arg } from './args.js';
import { isInt64, parseInt64Big } from '../util/numbers.js';
import { expireAt, parseStringOptions, pxatArgs } from './string-options.js';
import { checkStringLength } from './string-limits.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from './long-double.js';
import { cmdGetRange, cmdLcs, cmdSetRange } from './string-ranges.js';

export { stringBytesMax } from './string-limits.js';
export { expireAt, pxatArgs } from './string-options.js';

const group = 'string';
const acl = ['string'];

// --- SET family ---------------------------------------------------------------------------------

interface SetRequest {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  /** Absolute expiry in ms, or null for none. */
  expireAtMs: number | null;
}

/**
 * Redis's setGenericCommand. Effect: `SET key value [PXAT abs | KEEPTTL]`; a SET whose
 * absolute expiry is already past deletes the key instead (effect `DEL`), as a primary would
 * expire it at once.
 */
function setGeneric(ctx: ExecContext, key: string, value: string, request: SetRequest): Reply {
  const old = request.get ? ctx.getString(key) : ctx.get(key);
  const exists = old !== undefined;
  if ((request.nx && exists) || (request.xx && !exists)) {
    return request.get ? (old ?? null) : null;
  }
  const atMs = request.expireAtMs;
  if (atMs !== null && atMs <= ctx.nowMs && !ctx.isApplying) {
    if (ctx.deleteKey(key)) ctx.dirty++;
    ctx.rewrite(['DEL', key]);
  } else {
    ctx.setValue(key, value, request.keepTtl);
    if (atMs !== null) ctx.db.setExpire(key, atMs);
    ctx.dirty++;
    const rewritten = ['SET', key, value];
    if (atMs !== null) rewritten.push(...pxatArgs(atMs));
    if (request.keepTtl) rewritten.push('KEEPTTL');
    ctx.rewrite(rewritten);
  }
  if (request.get) return typeof old === 'string' ? old : null;
  return OK;
}

function cmdSet(ctx: ExecContext, argv: string[]): Reply {
  const [, key, value] = argv as [string, string, string];
  const options = parseStringOptions(argv, 3, 'set');
  if (options instanceof ErrorReply) return options;
  let expireAtMs: number | null = null;
  if (options.expire !== null) {
    const at = expireAt(options.expire.unit, options.expire.amountText, ctx.nowMs, 'set');
    if (at instanceof ErrorReply) return at;
    expireAtMs = at;
  }
  const { nx, xx, get, keepTtl } = options;
  return setGeneric(ctx, key, value, { nx, xx, get, keepTtl, expireAtMs });
}

/** SETNX key value → 1 when set, 0 when the key exists (of any type). Effect: itself. */
function cmdSetNx(ctx: ExecContext, argv: string[]): Reply {
  const [, key, value] = argv as [string, string, string];
  if (ctx.get(key) !== undefined) return 0;
  ctx.setValue(key, value);
  ctx.dirty++;
  return 1;
}

/** SETEX key seconds value / PSETEX key milliseconds value. Effect: `SET key value PXAT abs`. */
function setWithTtl(unit: 'EX' | 'PX', command: string) {
  return (ctx: ExecContext, argv: string[]): Reply => {
    const [, key, amount, value] = argv as [string, string, string, string];
    const at = expireAt(unit, amount, ctx.nowMs, command);
    if (at instanceof ErrorReply) return at;
    return setGeneric(ctx, key, value, { nx: false, xx: false, get: false, keepTtl: false, expireAtMs: at });
  };
}

/** GETSET key value. Effect: `SET key value` (the TTL is cleared, as by SET). */
function cmdGetSet(ctx: ExecContext, argv: string[]): Reply {
  const [, key, value] = argv as [string, string, string];
  const old = ctx.getString(key);
  ctx.setValue(key, value);
  ctx.dirty++;
  ctx.rewrite(['SET', key, value]);
  return old ?? null;
}

function cmdGet(ctx: ExecContext, argv: string[]): Reply {
  return ctx.getString(argv[1]!) ?? null;
}

/** GETDEL key. Effect: `DEL key`. */
function cmdGetDel(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const value = ctx.getString(key);
  if (value === undefined) return null;
  ctx.deleteKey(key);
  ctx.dirty++;
  ctx.rewrite(['DEL', key]);
  return value;
}

/**
 * GETEX key [EX s | PX ms | EXAT ts | PXAT ts-ms | PERSIST]. Never logged as itself: the
 * effect is `PEXPIREAT key abs`, `PERSIST key`, or `DEL key` when EXAT/PXAT is already past.
 * The expiry argument is read after the key, so a missing key replies nil even for `EX abc`.
 */
function cmdGetEx(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const options = parseStringOptions(argv, 2, 'getex');
  if (options instanceof ErrorReply) return options;
  const value = ctx.getString(key);
  if (value === undefined) return null;
  if (options.expire !== null) {
    const { unit, amountText } = options.expire;
    const atMs = expireAt(unit, amountText, ctx.nowMs, 'getex');
    if (atMs instanceof ErrorReply) return atMs;
    const absolute = unit === 'EXAT' || unit === 'PXAT';
    if (absolute && atMs <= ctx.nowMs && !ctx.isApplying) {
      ctx.deleteKey(key);
      ctx.rewrite(['DEL', key]);
    } else {
      ctx.db.setExpire(key, atMs);
      ctx.touched(key);
      ctx.rewrite(['PEXPIREAT', key, String(atMs)]);
    }
    ctx.dirty++;
  } else if (options.persist) {
    const entry = ctx.db.peek(key)!;
    if (entry.expireAtMs !== 0) {
      ctx.db.setExpire(key, 0);
      ctx.touched(key);
      ctx.rewrite(['PERSIST', key]);
      ctx.dirty++;
    }
  }
  return value;
}

// --- multi-key ----------------------------------------------------------------------------------

/** MGET key [key …]: a value that is not a string reads as nil. */
function cmdMget(ctx: ExecContext, argv: string[]): Reply {
  const replies: Reply[] = [];
  for (let i = 1; i < argv.length; i++) {
    const value = ctx.get(argv[i]!);
    replies.push(typeof value === 'string' ? value : null);
  }
  return replies;
}

/** MSET key value [key value …]. Effect: itself. */
function cmdMset(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length % 2 === 0) return Errors.wrongArity('mset');
  for (let i = 1; i < argv.length; i += 2) ctx.setValue(argv[i]!, argv[i + 1]!);
  ctx.dirty += (argv.length - 1) / 2;
  return OK;
}

/** MSETNX key value [key value …]: sets all, or none when any key exists. Effect: itself. */
function cmdMsetNx(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length % 2 === 0) return Errors.wrongArity('msetnx');
  for (let i = 1; i < argv.length; i += 2) {
    if (ctx.get(argv[i]!) !== undefined) return 0;
  }
  for (let i = 1; i < argv.length; i += 2) ctx.setValue(argv[i]!, argv[i + 1]!);
  ctx.dirty += (argv.length - 1) / 2;
  return 1;
}

const everyOtherKey: KeyRange = { first: 1, last: -1, step: 2 };

// --- APPEND / STRLEN ------------------------------------------------------------------------------

/**
 * APPEND key value → the new length; the TTL is kept. Effect: itself. Known cost: appending
 * builds a new JS string (V8 makes it a rope, flattened on the next read: O(n) per append
 * followed by a read, where Redis appends in place).
 */
function cmdAppend(ctx: ExecContext, argv: string[]): Reply {
  const [, key, suffix] = argv as [string, string, string];
  const current = ctx.getString(key);
  if (current === undefined) {
    ctx.setValue(key, suffix);
    ctx.dirty++;
    return suffix.length;
  }
  const tooLong = checkStringLength(ctx, current.length, suffix.length);
  if (tooLong) return tooLong;
  const updated = current + suffix;
  ctx.setValue(key, updated, true);
  ctx.dirty++;
  return updated.length;
}

function cmdStrlen(ctx: ExecContext, argv: string[]): Reply {
  return ctx.getString(argv[1]!)?.length ?? 0;
}

// --- INCR family --------------------------------------------------------------------------------

/** Adds `delta` to the integer at key (TTL kept). Effect: the command itself (deterministic). */
function incrementBy(ctx: ExecContext, key: string, delta: bigint): Reply {
  const current = ctx.getString(key);
  let base = 0n;
  if (current !== undefined) {
    const parsed = parseInt64Big(current);
    if (parsed === null) return Errors.notInteger;
    base = parsed;
  }
  const result = base + delta;
  if (!isInt64(result)) return Errors.overflow;
  ctx.setValue(key, result.toString(), true);
  ctx.dirty++;
  return Number.isSafeInteger(Number(result)) ? Number(result) : result;
}

function cmdIncr(ctx: ExecContext, argv: string[]): Reply {
  return incrementBy(ctx, argv[1]!, 1n);
}

function cmdDecr(ctx: ExecContext, argv: string[]): Reply {
  return incrementBy(ctx, argv[1]!, -1n);
}

function cmdIncrBy(ctx: ExecContext, argv: string[]): Reply {
  const delta = int64Arg(argv[2]!);
  if (delta instanceof ErrorReply) return delta;
  return incrementBy(ctx, argv[1]!, delta);
}

function cmdDecrBy(ctx: ExecContext, argv: string[]): Reply {
  const delta = int64Arg(argv[2]!);
  if (delta instanceof ErrorReply) return delta;
  if (delta === -(2n ** 63n)) return err('ERR decrement would overflow');
  return incrementBy(ctx, argv[1]!, -delta);
}

const zeroLongDouble: LongDouble = { kind: 'finite', negative: false, mantissa: 0n, exponent: 0 };

/**
 * INCRBYFLOAT key increment. Computed in emulated 80-bit long double, as Redis on x86-64 (see
 * long-double.ts), so replies match byte for byte, artifacts included. Effect:
 * `SET key result KEEPTTL`, so replicas store the primary's text instead of redoing the
 * arithmetic. The stored value is checked before the increment.
 */
function cmdIncrByFloat(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const current = ctx.getString(key);
  let base: LongDouble | null = zeroLongDouble;
  if (current !== undefined) base = parseLongDouble(current);
  if (base === null) return Errors.notFloat;
  const increment = parseLongDouble(argv[2]!);
  if (increment === null) return Errors.notFloat;
  const result = addLongDouble(base, increment);
  if (result === 'nan' || result.kind === 'infinite') return err('ERR increment would produce NaN or Infinity');
  const text = formatLongDoubleHuman(result);
  ctx.setValue(key, text, true);
  ctx.dirty++;
  ctx.rewrite(['SET', key, text, 'KEEPTTL']);
  return text;
}

// --- the table ----------------------------------------------------------------------------------

const lcsKeys: KeyRange = { first: 1, last: 2, step: 1 };

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns the string value of a key.', complexity: 'O(1)', syntax: 'key', handler: cmdGet,
  }),
  defineCommand({
    name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    complexity: 'O(1)',
    syntax: 'key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]',
    handler: cmdSet,
  }),
  defineCommand({
    name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Set the string value of a key only when the key doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key value', handler: cmdSetNx,
  }),
  defineCommand({
    name: 'setex', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Sets the string value and expiration time of a key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key seconds value', handler: setWithTtl('EX', 'setex'),
  }),
  defineCommand({
    name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, acl, group, since: '2.6.0',
    summary: 'Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key milliseconds value', handler: setWithTtl('PX', 'psetex'),
  }),
  defineCommand({
    name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns the previous string value of a key after setting it to a new value.',
    complexity: 'O(1)', syntax: 'key value', handler: cmdGetSet,
  }),
  defineCommand({
    name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '6.2.0',
    summary: 'Returns the string value of a key after deleting the key.',
    complexity: 'O(1)', syntax: 'key', handler: cmdGetDel,
  }),
  defineCommand({
    name: 'getex', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '6.2.0',
    summary: 'Returns the string value of a key after setting its expiration time.',
    complexity: 'O(1)',
    syntax: 'key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]',
    handler: cmdGetEx,
  }),
  defineCommand({
    name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: ALL_KEYS, acl, group, since: '1.0.0',
    summary: 'Atomically returns the string values of one or more keys.',
    complexity: 'O(N) where N is the number of keys to retrieve.', syntax: 'key [key ...]', handler: cmdMget,
  }),
  defineCommand({
    name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: everyOtherKey, acl, group, since: '1.0.1',
    summary: 'Atomically creates or modifies the string values of one or more keys.',
    complexity: 'O(N) where N is the number of keys to set.', syntax: 'key value [key value ...]', handler: cmdMset,
  }),
  defineCommand({
    name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keys: everyOtherKey, acl, group, since: '1.0.1',
    summary: 'Atomically modifies the string values of one or more keys only when all keys don\'t exist.',
    complexity: 'O(N) where N is the number of keys to set.', syntax: 'key value [key value ...]', handler: cmdMsetNx,
  }),
  defineCommand({
    name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Appends a string to the value of a key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
    syntax: 'key value', handler: cmdAppend,
  }),
  defineCommand({
    name: 'strlen', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.2.0',
    summary: 'Returns the length of a string value.', complexity: 'O(1)', syntax: 'key', handler: cmdStrlen,
  }),
  defineCommand({
    name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Increments the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key', handler: cmdIncr,
  }),
  defineCommand({
    name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key', handler: cmdDecr,
  }),
  defineCommand({
    name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key increment', handler: cmdIncrBy,
  }),
  defineCommand({
    name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key decrement', handler: cmdDecrBy,
  }),
  defineCommand({
    name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.6.0',
    summary: 'Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key increment', handler: cmdIncrByFloat,
  }),
  defineCommand({
    name: 'getrange', arity: 4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.4.0',
    summary: 'Returns a substring of the string stored at a key.',
    complexity: 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
    syntax: 'key start end', handler: cmdGetRange,
  }),
  defineCommand({
    name: 'substr', arity: 4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns a substring from a string value.',
    complexity: 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
    syntax: 'key start end', handler: cmdGetRange,
  }),
  defineCommand({
    name: 'setrange', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, acl, group, since: '2.2.0',
    summary: 'Overwrites a part of a string value with another by an offset. Creates the key if it doesn\'t exist.',
    complexity: 'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
    syntax: 'key offset value', handler: cmdSetRange,
  }),
  defineCommand({
    name: 'lcs', arity: -3, flags: ['readonly'], keys: lcsKeys, acl, group, since: '7.0.0',
    summary: 'Finds the longest common substring.',
    complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    syntax: 'key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]', handler: cmdLcs,
  }),
];
