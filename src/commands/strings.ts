// String commands. Values are latin1 JS strings (one char per byte).
import { err, ErrorReply, Errors, OK, Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { FIRST_KEY, type CommandSpec } from './spec.js';
import { int64Arg, intArg, is } from './args.js';
import { isInt64, parseInt64Big } from '../util/numbers.js';

const group = 'string';
const acl = ['string'];

// --- expiry options shared by SET and GETEX -------------------------------------------------

export type ExpireOption =
  | { kind: 'none' }
  | { kind: 'keep' }
  | { kind: 'persist' }
  | { kind: 'at'; atMs: number };

const MAX_EXPIRE_MS = 2 ** 62; // beyond this, now + ttl could overflow Redis's int64 math

/**
 * Turns EX/PX/EXAT/PXAT and their argument into an absolute time, or Redis's error.
 * `command` names the command in the error text.
 */
export function expireAt(unit: string, amountText: string, nowMs: number, command: string): number | ErrorReply {
  const amount = intArg(amountText);
  if (amount instanceof ErrorReply) return amount;
  if (amount <= 0) return Errors.invalidExpire(command);
  const upper = unit.toUpperCase();
  const isSeconds = upper === 'EX' || upper === 'EXAT';
  if (isSeconds && amount > MAX_EXPIRE_MS / 1000) return Errors.invalidExpire(command);
  const ms = isSeconds ? amount * 1000 : amount;
  const absolute = upper === 'EX' || upper === 'PX' ? nowMs + ms : ms;
  if (absolute > MAX_EXPIRE_MS) return Errors.invalidExpire(command);
  return absolute;
}

/** The log form of an absolute expiry. */
export function pxatArgs(atMs: number): string[] {
  return ['PXAT', String(atMs)];
}

// --- SET --------------------------------------------------------------------------------------

interface SetOptions {
  condition: 'nx' | 'xx' | null;
  get: boolean;
  expire: ExpireOption;
}

function parseSetOptions(argv: string[], start: number, nowMs: number): SetOptions | ErrorReply {
  const options: SetOptions = { condition: null, get: false, expire: { kind: 'none' } };
  for (let i = start; i < argv.length; i++) {
    const word = argv[i]!.toUpperCase();
    if (word === 'NX' && options.condition !== 'xx') options.condition = 'nx';
    else if (word === 'XX' && options.condition !== 'nx') options.condition = 'xx';
    else if (word === 'GET') options.get = true;
    else if (word === 'KEEPTTL' && options.expire.kind === 'none') options.expire = { kind: 'keep' };
    else if ((word === 'EX' || word === 'PX' || word === 'EXAT' || word === 'PXAT') && options.expire.kind === 'none' && i + 1 < argv.length) {
      const at = expireAt(word, argv[++i]!, nowMs, 'set');
      if (at instanceof ErrorReply) return at;
      options.expire = { kind: 'at', atMs: at };
    } else return Errors.syntax;
  }
  return options;
}

/**
 * SET with every option. Effect: `SET key value [PXAT abs | KEEPTTL]`; a SET whose absolute
 * expiry is already past deletes the key instead (effect `DEL`), as a primary would expire it.
 */
function cmdSet(ctx: ExecContext, argv: string[]): Reply {
  const [, key, value] = argv as [string, string, string];
  const options = parseSetOptions(argv, 3, ctx.nowMs);
  if (options instanceof ErrorReply) return options;
  const old = options.get ? ctx.getString(key) : ctx.get(key);
  const exists = old !== undefined;
  if ((options.condition === 'nx' && exists) || (options.condition === 'xx' && !exists)) {
    return options.get ? (old ?? null) : null;
  }
  const expire = options.expire;
  if (expire.kind === 'at' && expire.atMs <= ctx.nowMs && !ctx.isApplying) {
    if (ctx.deleteKey(key)) ctx.dirty++;
    ctx.rewrite(['DEL', key]);
  } else {
    ctx.setValue(key, value, expire.kind === 'keep');
    if (expire.kind === 'at') ctx.db.setExpire(key, expire.atMs);
    ctx.dirty++;
    const rewritten = ['SET', key, value];
    if (expire.kind === 'at') rewritten.push(...pxatArgs(expire.atMs));
    if (expire.kind === 'keep') rewritten.push('KEEPTTL');
    ctx.rewrite(rewritten);
  }
  if (options.get) return typeof old === 'string' ? old : null;
  return OK;
}

function cmdGet(ctx: ExecContext, argv: string[]): Reply {
  return ctx.getString(argv[1]!) ?? null;
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
];
