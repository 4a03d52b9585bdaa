// Set commands (Redis 7 semantics). Effects:
// - SADD, SREM, SMOVE and the *STORE commands are deterministic given the state: logged as is.
//   A *STORE whose result is empty deletes the destination (logged as is too: replaying it on
//   the same state deletes it again).
// - SPOP picks at random: logged as `SREM key <chosen…>`, or `DEL key` when it pops every
//   member (as Redis propagates it).
// - SRANDMEMBER is a read and logs nothing.
import { ErrorReply, Errors, err, SetReply, type Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { ALL_KEYS, FIRST_KEY, numkeysPositions, type CommandSpec } from './spec.js';
import { cursorArg, globMatch, intArg, is, positiveCountArg, scanOptions } from './args.js';
import { SetValue } from '../engine/types/set.js';
import { parseInt64 } from '../util/numbers.js';
import { randomDistinctSlots } from './set-random.js';

const group = 'set';
const acl = ['set'];

function getSet(ctx: ExecContext, key: string): SetValue | undefined {
  return ctx.getCollection<SetValue>(key, 'set');
}

// --- single-key writes --------------------------------------------------------------------------

function cmdSadd(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const existing = getSet(ctx, key);
  const set = existing ?? SetValue.create(argv[2]!, argv.length - 2);
  // Redis converts first when the arguments outnumber a compact form; we do it only when
  // something is added, so the encoding never changes without an effect that a replica sees.
  if (existing !== undefined && argv.slice(2).some((member) => !existing.has(member))) existing.prepareForAdds(argv.length - 2);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i]!)) added++;
  if (existing === undefined) ctx.setValue(key, set);
  else if (added > 0) ctx.touched(key);
  ctx.dirty += added;
  return added;
}

function cmdSrem(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const set = getSet(ctx, key);
  if (set === undefined) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) {
    if (set.remove(argv[i]!)) removed++;
    if (set.size === 0) break;
  }
  if (removed > 0) {
    ctx.touched(key);
    ctx.deleteIfEmpty(key, set);
    ctx.dirty += removed;
  }
  return removed;
}

function cmdSmove(ctx: ExecContext, argv: string[]): Reply {
  const [, source, destination, member] = argv as [string, string, string, string];
  // Redis answers 0 for a missing source before it looks at the destination's type.
  if (ctx.get(source) === undefined) return 0;
  const sourceSet = getSet(ctx, source)!;
  const destinationSet = getSet(ctx, destination);
  if (source === destination) return sourceSet.has(member) ? 1 : 0;
  if (!sourceSet.remove(member)) return 0;
  ctx.touched(source);
  ctx.deleteIfEmpty(source, sourceSet);
  if (destinationSet === undefined) {
    const created = SetValue.create(member, 1);
    created.add(member);
    ctx.setValue(destination, created);
  } else if (destinationSet.add(member)) {
    ctx.touched(destination);
  }
  ctx.dirty++;
  return 1;
}

// --- reads --------------------------------------------------------------------------------------

function cmdSmembers(ctx: ExecContext, argv: string[]): Reply {
  const set = getSet(ctx, argv[1]!);
  return new SetReply(set === undefined ? [] : set.ordered());
}

function cmdSismember(ctx: ExecContext, argv: string[]): Reply {
  const set = getSet(ctx, argv[1]!);
  return set !== undefined && set.has(argv[2]!) ? 1 : 0;
}

function cmdSmismember(ctx: ExecContext, argv: string[]): Reply {
  const set = getSet(ctx, argv[1]!);
  const replies: Reply[] = [];
  for (let i = 2; i < argv.length; i++) replies.push(set !== undefined && set.has(argv[i]!) ? 1 : 0);
  return replies;
}

function cmdScard(ctx: ExecContext, argv: string[]): Reply {
  return getSet(ctx, argv[1]!)?.size ?? 0;
}

// --- random members -------------------------------------------------------------------------------

function cmdSpop(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length > 3) return Errors.syntax;
  const key = argv[1]!;
  if (argv.length === 3) return spopWithCount(ctx, key, argv[2]!);
  const set = getSet(ctx, key);
  if (set === undefined) return null;
  const member = set.randomMember(() => ctx.random());
  set.remove(member);
  ctx.touched(key);
  ctx.deleteIfEmpty(key, set);
  ctx.dirty++;
  ctx.rewrite(['SREM', key, member]);
  return member;
}

function spopWithCount(ctx: ExecContext, key: string, countText: string): Reply {
  const count = positiveCountArg(countText);
  if (count instanceof ErrorReply) return count;
  const set = getSet(ctx, key);
  if (set === undefined || count === 0) return new SetReply([]);
  if (count >= set.size) {
    const all = set.ordered();
    ctx.deleteKey(key);
    ctx.dirty++;
    ctx.rewrite(['DEL', key]);
    return new SetReply(all);
  }
  const slots = randomDistinctSlots(set.size, count, () => ctx.random());
  const chosen = slots.map((slot) => set.members.keyAt(slot));
  for (const member of chosen) set.remove(member);
  ctx.touched(key);
  ctx.dirty += chosen.length;
  ctx.rewrite(['SREM', key, ...chosen]);
  return new SetReply(chosen);
}

const randCountRange = err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');

function cmdSrandmember(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length > 3) return Errors.syntax;
  const key = argv[1]!;
  if (argv.length === 2) {
    const set = getSet(ctx, key);
    return set === undefined ? null : set.randomMember(() => ctx.random());
  }
  const parsed = parseInt64(argv[2]!);
  if (parsed === null) return Errors.notInteger;
  if (parsed === -(2n ** 63n)) return randCountRange;
  const count = intArg(argv[2]!) as number;
  const set = getSet(ctx, key);
  if (set === undefined || count === 0) return [];
  if (count < 0) {
    const picks: Reply[] = [];
    for (let i = 0; i < -count; i++) picks.push(set.randomMember(() => ctx.random()));
    return picks;
  }
  if (count >= set.size) return set.ordered();
  return randomDistinctSlots(set.size, count, () => ctx.random()).map((slot) => set.members.keyAt(slot));
}

// --- multi-key algebra -------------------------------------------------------------------------

/** Every key's set (undefined when missing), type-checked before anything else happens. */
function setsOf(ctx: ExecContext, keys: string[]): (SetValue | undefined)[] {
  return keys.map((key) => getSet(ctx, key));
}

/** The intersection, in the order of the smallest set (Redis iterates the smallest). */
function intersect(sets: (SetValue | undefined)[], limit = 0): string[] {
  if (sets.some((set) => set === undefined)) return [];
  const present = (sets as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const [smallest, ...others] = present;
  const result: string[] = [];
  for (const member of smallest!.ordered()) {
    if (others.every((set) => set.has(member))) {
      result.push(member);
      if (limit > 0 && result.length >= limit) break;
    }
  }
  return result;
}

function union(sets: (SetValue | undefined)[]): SetValue {
  const result = new SetValue();
  for (const set of sets) if (set !== undefined) for (const member of set.ordered()) result.add(member);
  return result;
}

function difference(sets: (SetValue | undefined)[]): SetValue {
  const result = new SetValue();
  const [first, ...others] = sets;
  if (first === undefined) return result;
  for (const member of first.ordered()) {
    if (!others.some((set) => set !== undefined && set.has(member))) result.add(member);
  }
  return result;
}

function cmdSinter(ctx: ExecContext, argv: string[]): Reply {
  const sets = setsOf(ctx, argv.slice(1));
  return new SetReply(SetValue.fromMembers(intersect(sets)).ordered());
}

function cmdSunion(ctx: ExecContext, argv: string[]): Reply {
  return new SetReply(union(setsOf(ctx, argv.slice(1))).ordered());
}

function cmdSdiff(ctx: ExecContext, argv: string[]): Reply {
  return new SetReply(difference(setsOf(ctx, argv.slice(1))).ordered());
}

/** Stores a result set at `destination` (deleting it when the result is empty). */
function storeSet(ctx: ExecContext, destination: string, result: SetValue): Reply {
  if (result.size === 0) {
    if (ctx.deleteKey(destination)) ctx.dirty++;
    return 0;
  }
  ctx.setValue(destination, result);
  ctx.dirty++;
  return result.size;
}

function cmdSinterstore(ctx: ExecContext, argv: string[]): Reply {
  const sets = setsOf(ctx, argv.slice(2));
  return storeSet(ctx, argv[1]!, SetValue.fromMembers(intersect(sets)));
}

function cmdSunionstore(ctx: ExecContext, argv: string[]): Reply {
  return storeSet(ctx, argv[1]!, union(setsOf(ctx, argv.slice(2))));
}

function cmdSdiffstore(ctx: ExecContext, argv: string[]): Reply {
  return storeSet(ctx, argv[1]!, difference(setsOf(ctx, argv.slice(2))));
}

/** Parses `numkeys key… [LIMIT n]` of SINTERCARD. */
export function parseIntercardArgs(argv: string[], zsetStyle: boolean): { keys: string[]; limit: number } | ErrorReply {
  const numkeys = intArg(argv[1]!);
  if (numkeys instanceof ErrorReply) return zsetStyle ? numkeys : err('ERR numkeys should be greater than 0');
  if (numkeys <= 0) {
    return zsetStyle ? err(`ERR at least 1 input key is needed for '${argv[0]!.toLowerCase()}' command`) : err('ERR numkeys should be greater than 0');
  }
  if (numkeys > argv.length - 2) {
    return zsetStyle ? Errors.syntax : err("ERR Number of keys can't be greater than number of args");
  }
  const keys = argv.slice(2, 2 + numkeys);
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (is(argv[i], 'LIMIT') && i + 1 < argv.length) {
      const parsed = parseInt64(argv[++i]!);
      if (parsed === null || parsed < 0) return err("ERR LIMIT can't be negative");
      limit = typeof parsed === 'bigint' ? Number.MAX_SAFE_INTEGER : parsed;
    } else {
      return Errors.syntax;
    }
  }
  return { keys, limit };
}

function cmdSintercard(ctx: ExecContext, argv: string[]): Reply {
  const parsed = parseIntercardArgs(argv, false);
  if (parsed instanceof ErrorReply) return parsed;
  return intersect(setsOf(ctx, parsed.keys), parsed.limit).length;
}

// --- SSCAN ----------------------------------------------------------------------------------------

function cmdSscan(ctx: ExecContext, argv: string[]): Reply {
  const cursor = cursorArg(argv[2]!);
  if (cursor instanceof ErrorReply) return cursor;
  const options = scanOptions(argv, 3, false);
  if (options instanceof ErrorReply) return options;
  const set = getSet(ctx, argv[1]!);
  if (set === undefined) return ['0', []];
  const keep = (member: string): boolean => options.match === null || globMatch(options.match, member);
  if (set.isCompact()) return ['0', set.ordered().filter(keep)];
  const found: Reply[] = [];
  const next = set.members.scan(cursor, options.count, (member) => {
    if (keep(member)) found.push(member);
  });
  return [String(next), found];
}

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Adds one or more members to a set. Creates the key if it doesn\'t exist.',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    syntax: 'key member [member ...]', handler: cmdSadd,
  }),
  defineCommand({
    name: 'srem', arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.',
    complexity: 'O(N) where N is the number of members to be removed.', syntax: 'key member [member ...]', handler: cmdSrem,
  }),
  defineCommand({
    name: 'smembers', arity: 2, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns all members of a set.', complexity: 'O(N) where N is the set cardinality.', syntax: 'key', handler: cmdSmembers,
  }),
  defineCommand({
    name: 'sismember', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Determines whether a member belongs to a set.', complexity: 'O(1)', syntax: 'key member', handler: cmdSismember,
  }),
  defineCommand({
    name: 'smismember', arity: -3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '6.2.0',
    summary: 'Determines whether multiple members belong to a set.',
    complexity: 'O(N) where N is the number of elements being checked for membership', syntax: 'key member [member ...]', handler: cmdSmismember,
  }),
  defineCommand({
    name: 'scard', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns the number of members in a set.', complexity: 'O(1)', syntax: 'key', handler: cmdScard,
  }),
  defineCommand({
    name: 'spop', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.', syntax: 'key [count]', handler: cmdSpop,
  }),
  defineCommand({
    name: 'srandmember', arity: -2, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Get one or multiple random members from a set',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.', syntax: 'key [count]', handler: cmdSrandmember,
  }),
  defineCommand({
    name: 'smove', arity: 4, flags: ['write', 'fast'], keys: { first: 1, last: 2, step: 1 }, acl, group, since: '1.0.0',
    summary: 'Moves a member from one set to another.', complexity: 'O(1)', syntax: 'source destination member', handler: cmdSmove,
  }),
  defineCommand({
    name: 'sinter', arity: -2, flags: ['readonly'], keys: ALL_KEYS, acl, group, since: '1.0.0',
    summary: 'Returns the intersect of multiple sets.',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', syntax: 'key [key ...]', handler: cmdSinter,
  }),
  defineCommand({
    name: 'sintercard', arity: -3, flags: ['readonly'], keys: null, keysFrom: (argv) => numkeysPositions(argv, 1), acl, group, since: '7.0.0',
    summary: 'Returns the number of members of the intersect of multiple sets.',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    syntax: 'numkeys key [key ...] [LIMIT limit]', handler: cmdSintercard,
  }),
  defineCommand({
    name: 'sunion', arity: -2, flags: ['readonly'], keys: ALL_KEYS, acl, group, since: '1.0.0',
    summary: 'Returns the union of multiple sets.', complexity: 'O(N) where N is the total number of elements in all given sets.',
    syntax: 'key [key ...]', handler: cmdSunion,
  }),
  defineCommand({
    name: 'sdiff', arity: -2, flags: ['readonly'], keys: ALL_KEYS, acl, group, since: '1.0.0',
    summary: 'Returns the difference of multiple sets.', complexity: 'O(N) where N is the total number of elements in all given sets.',
    syntax: 'key [key ...]', handler: cmdSdiff,
  }),
  defineCommand({
    name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], keys: ALL_KEYS, acl, group, since: '1.0.0',
    summary: 'Stores the intersect of multiple sets in a key.',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    syntax: 'destination key [key ...]', handler: cmdSinterstore,
  }),
  defineCommand({
    name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], keys: ALL_KEYS, acl, group, since: '1.0.0',
    summary: 'Stores the union of multiple sets in a key.', complexity: 'O(N) where N is the total number of elements in all given sets.',
    syntax: 'destination key [key ...]', handler: cmdSunionstore,
  }),
  defineCommand({
    name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], keys: ALL_KEYS, acl, group, since: '1.0.0',
    summary: 'Stores the difference of multiple sets in a key.', complexity: 'O(N) where N is the total number of elements in all given sets.',
    syntax: 'destination key [key ...]', handler: cmdSdiffstore,
  }),
  defineCommand({
    name: 'sscan', arity: -3, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.8.0',
    summary: 'Iterates over members of a set.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    syntax: 'key cursor [MATCH pattern] [COUNT count]', handler: cmdSscan,
  }),
];
