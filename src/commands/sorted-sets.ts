// Sorted-set commands (Redis 7.2 semantics). Effects:
// - ZINCRBY and ZADD … INCR are logged as `ZADD key <resulting score> member`, the score in
//   formatDouble's shortest round-trip text (reads back as the very same double).
// - The pops (ZPOPMIN/ZPOPMAX with or without count) and the range removals are deterministic
//   given the state: logged as is. ZMPOP is logged as `ZMPOP 1 <served key> MIN|MAX COUNT n`;
//   a served BZPOPMIN/BZPOPMAX as `ZPOPMIN|ZPOPMAX key`, a served BZMPOP as ZMPOP.
// - ZRANGESTORE and ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE are deterministic given the state:
//   logged as is (an empty result deletes the destination, on replay too).
// - ZRANDMEMBER and the other reads log nothing.
import { ErrorReply, Errors, NULL_ARRAY, err, type Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { FIRST_KEY, numkeysPositions, type CommandSpec } from './spec.js';
import { getZset, storeZset } from './zset-common.js';
import { cursorArg, globMatch, intArg, is, scanOptions } from './args.js';
import { ZSetValue } from '../engine/types/zset.js';
import type { SkipNode } from '../engine/types/skiplist.js';
import { formatDouble, parseInt64 } from '../util/numbers.js';
import { lexRangeArgs, resultIsNaN, scoreArg, scoreRangeArgs } from './zset-args.js';
import { countByLex, countByScore, lexRemovalSpan, nodesByLex, nodesByRank, nodesByScore, rankSpan, rankWindow } from './zset-range.js';
import { scoredMembersReply, scoreReply, type ScoredMember } from './zset-reply.js';
import { randomDistinctSlots } from './set-random.js';
import { algebraCommands } from './zset-algebra.js';
import { bzpopGeneric, cmdBzmpop, cmdZmpop, zpopGeneric } from './zset-pop.js';

const group = 'sorted-set';
const acl = ['sortedset'];

// --- ZADD / ZINCRBY -------------------------------------------------------------------------------

interface ZaddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

function zaddGeneric(ctx: ExecContext, argv: string[], isZincrby: boolean): Reply {
  const key = argv[1]!;
  const flags: ZaddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: isZincrby };
  let scoreIndex = 2;
  if (!isZincrby) {
    for (; scoreIndex < argv.length; scoreIndex++) {
      const option = argv[scoreIndex]!.toUpperCase();
      if (option === 'NX') flags.nx = true;
      else if (option === 'XX') flags.xx = true;
      else if (option === 'CH') flags.ch = true;
      else if (option === 'INCR') flags.incr = true;
      else if (option === 'GT') flags.gt = true;
      else if (option === 'LT') flags.lt = true;
      else break;
    }
  }
  const remaining = argv.length - scoreIndex;
  if (remaining % 2 !== 0 || remaining === 0) return Errors.syntax;
  const pairCount = remaining / 2;
  if (flags.nx && flags.xx) return err('ERR XX and NX options at the same time are not compatible');
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
    return err('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (flags.incr && pairCount > 1) return err('ERR INCR option supports a single increment-element pair');
  const scores: number[] = [];
  for (let j = 0; j < pairCount; j++) {
    const score = scoreArg(argv[scoreIndex + j * 2]!);
    if (score instanceof ErrorReply) return score;
    scores.push(score);
  }

  const existing = getZset(ctx, key);
  if (existing === undefined && flags.xx) return flags.incr ? null : 0;
  const zset = existing ?? new ZSetValue();
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  let lastMember = '';
  for (let j = 0; j < pairCount; j++) {
    const member = argv[scoreIndex + j * 2 + 1]!;
    let score = scores[j]!;
    const current = zset.score(member);
    if (current !== undefined) {
      if (flags.nx) continue;
      if (flags.incr) {
        score += current;
        if (Number.isNaN(score)) return resultIsNaN;
      }
      if ((flags.lt && score >= current) || (flags.gt && score <= current)) continue;
      processed++;
      lastScore = score;
      lastMember = member;
      if (score !== current) {
        zset.set(member, score);
        updated++;
      }
    } else if (!flags.xx) {
      zset.set(member, score);
      added++;
      processed++;
      lastScore = score;
      lastMember = member;
    }
  }
  if (existing === undefined) {
    if (zset.size > 0) ctx.setValue(key, zset);
  } else if (added + updated > 0) {
    ctx.touched(key);
  }
  ctx.dirty += added + updated;
  if (flags.incr) {
    if (processed === 0) return null;
    ctx.rewrite(['ZADD', key, formatDouble(lastScore), lastMember]);
    return scoreReply(lastScore);
  }
  return flags.ch ? added + updated : added;
}

function cmdZadd(ctx: ExecContext, argv: string[]): Reply {
  return zaddGeneric(ctx, argv, false);
}

function cmdZincrby(ctx: ExecContext, argv: string[]): Reply {
  return zaddGeneric(ctx, argv, true);
}

// --- simple reads and ZREM ----------------------------------------------------------------------------

function cmdZrem(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const zset = getZset(ctx, key);
  if (zset === undefined) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) {
    if (zset.remove(argv[i]!)) removed++;
    if (zset.size === 0) break;
  }
  if (removed > 0) {
    ctx.touched(key);
    ctx.deleteIfEmpty(key, zset);
    ctx.dirty += removed;
  }
  return removed;
}

function cmdZscore(ctx: ExecContext, argv: string[]): Reply {
  const score = getZset(ctx, argv[1]!)?.score(argv[2]!);
  return score === undefined ? null : scoreReply(score);
}

function cmdZmscore(ctx: ExecContext, argv: string[]): Reply {
  const zset = getZset(ctx, argv[1]!);
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const score = zset?.score(argv[i]!);
    out.push(score === undefined ? null : scoreReply(score));
  }
  return out;
}

function cmdZcard(ctx: ExecContext, argv: string[]): Reply {
  return getZset(ctx, argv[1]!)?.size ?? 0;
}

function cmdZcount(ctx: ExecContext, argv: string[]): Reply {
  const range = scoreRangeArgs(argv[2]!, argv[3]!);
  if (range instanceof ErrorReply) return range;
  const zset = getZset(ctx, argv[1]!);
  return zset === undefined ? 0 : countByScore(zset, range);
}

function cmdZlexcount(ctx: ExecContext, argv: string[]): Reply {
  const range = lexRangeArgs(argv[2]!, argv[3]!);
  if (range instanceof ErrorReply) return range;
  const zset = getZset(ctx, argv[1]!);
  return zset === undefined ? 0 : countByLex(zset, range);
}

function zrankGeneric(ctx: ExecContext, argv: string[], reverse: boolean): Reply {
  if (argv.length > 4) return Errors.wrongArity(argv[0]!.toLowerCase());
  let withScore = false;
  if (argv.length === 4) {
    if (!is(argv[3], 'WITHSCORE')) return Errors.syntax;
    withScore = true;
  }
  const zset = getZset(ctx, argv[1]!);
  const rank = zset?.rank(argv[2]!, reverse);
  if (rank === undefined) return withScore ? NULL_ARRAY : null;
  return withScore ? [rank, scoreReply(zset!.score(argv[2]!)!)] : rank;
}

// --- ZRANGE family ------------------------------------------------------------------------------------

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/**
 * Every ZRANGE form (Redis's zrangeGenericCommand): ZRANGE, ZRANGESTORE, ZREVRANGE,
 * Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX. Options are checked before the key is looked up.
 */
function zrangeGeneric(ctx: ExecContext, argv: string[], store: boolean, presetType: RangeType, presetDirection: Direction): Reply {
  const keyIndex = store ? 2 : 1;
  const key = argv[keyIndex]!;
  let minText = argv[keyIndex + 1]!;
  let maxText = argv[keyIndex + 2]!;
  let rangeType = presetType;
  let direction = presetDirection;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyIndex + 3; j < argv.length; j++) {
    const word = argv[j]!;
    const argsLeft = argv.length - j - 1;
    if (!store && is(word, 'WITHSCORES')) {
      withScores = true;
    } else if (is(word, 'LIMIT') && argsLeft >= 2) {
      const parsedOffset = intArg(argv[j + 1]!);
      if (parsedOffset instanceof ErrorReply) return parsedOffset;
      const parsedLimit = intArg(argv[j + 2]!);
      if (parsedLimit instanceof ErrorReply) return parsedLimit;
      offset = parsedOffset;
      limit = parsedLimit;
      j += 2;
    } else if (direction === 'auto' && is(word, 'REV')) {
      direction = 'reverse';
    } else if (rangeType === 'auto' && is(word, 'BYLEX')) {
      rangeType = 'lex';
    } else if (rangeType === 'auto' && is(word, 'BYSCORE')) {
      rangeType = 'score';
    } else {
      return Errors.syntax;
    }
  }
  if (direction === 'auto') direction = 'forward';
  if (rangeType === 'auto') rangeType = 'rank';
  // Redis checks `limit != -1`, so `LIMIT 0 -1` passes even by rank.
  if (limit !== -1 && rangeType === 'rank') {
    return err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  if (withScores && rangeType === 'lex') return err('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  const reverse = direction === 'reverse';
  if (reverse && rangeType !== 'rank') [minText, maxText] = [maxText, minText];

  let select: (zset: ZSetValue) => SkipNode[];
  if (rangeType === 'rank') {
    const start = intArg(minText);
    if (start instanceof ErrorReply) return start;
    const end = intArg(maxText);
    if (end instanceof ErrorReply) return end;
    select = (zset) => nodesByRank(zset, start, end, reverse);
  } else if (rangeType === 'score') {
    const range = scoreRangeArgs(minText, maxText);
    if (range instanceof ErrorReply) return range;
    select = (zset) => nodesByScore(zset, range, reverse, offset, limit);
  } else {
    const range = lexRangeArgs(minText, maxText);
    if (range instanceof ErrorReply) return range;
    select = (zset) => nodesByLex(zset, range, reverse, offset, limit);
  }

  const zset = getZset(ctx, key);
  const selected: ScoredMember[] = zset === undefined ? [] : select(zset);
  if (!store) return scoredMembersReply(ctx, selected, withScores);
  return storeZset(ctx, argv[1]!, ZSetValue.fromPairs(selected.map((item) => [item.member, item.score] as const)));
}

// --- range removal --------------------------------------------------------------------------------------

function zremrangeGeneric(ctx: ExecContext, argv: string[], type: 'rank' | 'score' | 'lex'): Reply {
  const key = argv[1]!;
  let span: (zset: ZSetValue) => [number, number] | null;
  if (type === 'rank') {
    const start = intArg(argv[2]!);
    if (start instanceof ErrorReply) return start;
    const end = intArg(argv[3]!);
    if (end instanceof ErrorReply) return end;
    span = (zset) => {
      const window = rankWindow(zset.size, start, end);
      return window === null ? null : [window[0] + 1, window[1] + 1];
    };
  } else if (type === 'score') {
    const range = scoreRangeArgs(argv[2]!, argv[3]!);
    if (range instanceof ErrorReply) return range;
    span = (zset) => rankSpan(zset, zset.list.firstInScoreRange(range), zset.list.lastInScoreRange(range));
  } else {
    const range = lexRangeArgs(argv[2]!, argv[3]!);
    if (range instanceof ErrorReply) return range;
    span = (zset) => lexRemovalSpan(zset, range);
  }
  const zset = getZset(ctx, key);
  if (zset === undefined) return 0;
  const ranks = span(zset);
  if (ranks === null) return 0;
  const removed = zset.removeRankRange(ranks[0], ranks[1]);
  if (removed > 0) {
    ctx.touched(key);
    ctx.deleteIfEmpty(key, zset);
    ctx.dirty += removed;
  }
  return removed;
}

// --- ZRANDMEMBER, ZSCAN ---------------------------------------------------------------------------------

const randCountRange = err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');

function cmdZrandmember(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  if (argv.length === 2) {
    const zset = getZset(ctx, key);
    return zset === undefined ? null : zset.scores.randomKey(() => ctx.random())!;
  }
  const parsed = parseInt64(argv[2]!);
  if (parsed === null) return Errors.notInteger;
  if (parsed === -(2n ** 63n)) return randCountRange;
  const count = intArg(argv[2]!) as number;
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'WITHSCORES'))) return Errors.syntax;
  const withScores = argv.length === 4;
  // Redis refuses counts whose doubled reply length would overflow (LONG_MAX / 2).
  if (withScores && (parsed < -(2n ** 62n) + 1n || parsed > 2n ** 62n - 1n)) return err('ERR value is out of range');
  const zset = getZset(ctx, key);
  if (zset === undefined || count === 0) return [];
  let picked: ScoredMember[];
  if (count < 0) {
    picked = [];
    for (let i = 0; i < -count; i++) {
      const slot = Math.floor(ctx.random() * zset.size);
      picked.push({ member: zset.scores.keyAt(slot), score: zset.scores.valueAt(slot) });
    }
  } else if (count >= zset.size) {
    // Redis replies the whole set as a reverse range (highest score first).
    picked = [...zset.list.nodes()].reverse();
  } else {
    picked = randomDistinctSlots(zset.size, count, () => ctx.random())
      .map((slot) => ({ member: zset.scores.keyAt(slot), score: zset.scores.valueAt(slot) }));
  }
  return scoredMembersReply(ctx, picked, withScores);
}

function cmdZscan(ctx: ExecContext, argv: string[]): Reply {
  const cursor = cursorArg(argv[2]!);
  if (cursor instanceof ErrorReply) return cursor;
  const options = scanOptions(argv, 3, false);
  if (options instanceof ErrorReply) return options;
  const zset = getZset(ctx, argv[1]!);
  if (zset === undefined) return ['0', []];
  const found: Reply[] = [];
  const visit = (member: string, score: number): void => {
    if (options.match === null || globMatch(options.match, member)) found.push(member, formatDouble(score));
  };
  if (zset.isCompact()) {
    for (const node of zset.list.nodes()) visit(node.member, node.score);
    return ['0', found];
  }
  const next = zset.scores.scan(cursor, options.count, visit);
  return [String(next), found];
}

// --- the table ------------------------------------------------------------------------------------------

const rangeSyntax = 'key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]';

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.2.0',
    summary: 'Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn\'t exist.',
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    syntax: 'key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]', handler: cmdZadd,
  }),
  defineCommand({
    name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.2.0',
    summary: 'Increments the score of a member in a sorted set.',
    complexity: 'O(log(N)) where N is the number of elements in the sorted set.', syntax: 'key increment member', handler: cmdZincrby,
  }),
  defineCommand({
    name: 'zrem', arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '1.2.0',
    summary: 'Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.',
    complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    syntax: 'key member [member ...]', handler: cmdZrem,
  }),
  defineCommand({
    name: 'zscore', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '1.2.0',
    summary: 'Returns the score of a member in a sorted set.', complexity: 'O(1)', syntax: 'key member', handler: cmdZscore,
  }),
  defineCommand({
    name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '6.2.0',
    summary: 'Returns the score of one or more members in a sorted set.',
    complexity: 'O(N) where N is the number of members being requested.', syntax: 'key member [member ...]', handler: cmdZmscore,
  }),
  defineCommand({
    name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '1.2.0',
    summary: 'Returns the number of members in a sorted set.', complexity: 'O(1)', syntax: 'key', handler: cmdZcard,
  }),
  defineCommand({
    name: 'zcount', arity: 4, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns the count of members in a sorted set that have scores within a range.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.', syntax: 'key min max', handler: cmdZcount,
  }),
  defineCommand({
    name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.8.9',
    summary: 'Returns the number of members in a sorted set within a lexicographical range.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.', syntax: 'key min max', handler: cmdZlexcount,
  }),
  defineCommand({
    name: 'zrange', arity: -4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '1.2.0',
    summary: 'Returns members in a sorted set within a range of indexes.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    syntax: rangeSyntax, handler: (ctx, argv) => zrangeGeneric(ctx, argv, false, 'auto', 'auto'),
  }),
  defineCommand({
    name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], keys: { first: 1, last: 2, step: 1 }, acl, group, since: '6.2.0',
    summary: 'Stores a range of members from sorted set in a key.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    syntax: 'dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]',
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, true, 'auto', 'auto'),
  }),
  defineCommand({
    name: 'zrangebyscore', arity: -4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '1.0.5',
    summary: 'Returns members in a sorted set within a range of scores.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    syntax: 'key min max [WITHSCORES] [LIMIT offset count]', handler: (ctx, argv) => zrangeGeneric(ctx, argv, false, 'score', 'forward'),
  }),
  defineCommand({
    name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.2.0',
    summary: 'Returns members in a sorted set within a range of scores in reverse order.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    syntax: 'key max min [WITHSCORES] [LIMIT offset count]', handler: (ctx, argv) => zrangeGeneric(ctx, argv, false, 'score', 'reverse'),
  }),
  defineCommand({
    name: 'zrangebylex', arity: -4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.8.9',
    summary: 'Returns members in a sorted set within a lexicographical range.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    syntax: 'key min max [LIMIT offset count]', handler: (ctx, argv) => zrangeGeneric(ctx, argv, false, 'lex', 'forward'),
  }),
  defineCommand({
    name: 'zrevrangebylex', arity: -4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.8.9',
    summary: 'Returns members in a sorted set within a lexicographical range in reverse order.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    syntax: 'key max min [LIMIT offset count]', handler: (ctx, argv) => zrangeGeneric(ctx, argv, false, 'lex', 'reverse'),
  }),
  defineCommand({
    name: 'zrevrange', arity: -4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '1.2.0',
    summary: 'Returns members in a sorted set within a range of indexes in reverse order.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    syntax: 'key start stop [WITHSCORES]', handler: (ctx, argv) => zrangeGeneric(ctx, argv, false, 'rank', 'reverse'),
  }),
  defineCommand({
    name: 'zrank', arity: -3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns the index of a member in a sorted set ordered by ascending scores.',
    complexity: 'O(log(N))', syntax: 'key member [WITHSCORE]', handler: (ctx, argv) => zrankGeneric(ctx, argv, false),
  }),
  defineCommand({
    name: 'zrevrank', arity: -3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Returns the index of a member in a sorted set ordered by descending scores.',
    complexity: 'O(log(N))', syntax: 'key member [WITHSCORE]', handler: (ctx, argv) => zrankGeneric(ctx, argv, true),
  }),
  defineCommand({
    name: 'zremrangebyrank', arity: 4, flags: ['write'], keys: FIRST_KEY, acl, group, since: '2.0.0',
    summary: 'Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    syntax: 'key start stop', handler: (ctx, argv) => zremrangeGeneric(ctx, argv, 'rank'),
  }),
  defineCommand({
    name: 'zremrangebyscore', arity: 4, flags: ['write'], keys: FIRST_KEY, acl, group, since: '1.2.0',
    summary: 'Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    syntax: 'key min max', handler: (ctx, argv) => zremrangeGeneric(ctx, argv, 'score'),
  }),
  defineCommand({
    name: 'zremrangebylex', arity: 4, flags: ['write'], keys: FIRST_KEY, acl, group, since: '2.8.9',
    summary: 'Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    syntax: 'key min max', handler: (ctx, argv) => zremrangeGeneric(ctx, argv, 'lex'),
  }),
  defineCommand({
    name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '5.0.0',
    summary: 'Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
    complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    syntax: 'key [count]', handler: (ctx, argv) => zpopGeneric(ctx, argv, false),
  }),
  defineCommand({
    name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '5.0.0',
    summary: 'Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
    complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    syntax: 'key [count]', handler: (ctx, argv) => zpopGeneric(ctx, argv, true),
  }),
  defineCommand({
    name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: { first: 1, last: -2, step: 1 }, acl: ['sortedset', 'blocking'], group, since: '5.0.0',
    summary: 'Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    syntax: 'key [key ...] timeout', handler: (ctx, argv) => bzpopGeneric(ctx, argv, false),
  }),
  defineCommand({
    name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: { first: 1, last: -2, step: 1 }, acl: ['sortedset', 'blocking'], group, since: '5.0.0',
    summary: 'Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    syntax: 'key [key ...] timeout', handler: (ctx, argv) => bzpopGeneric(ctx, argv, true),
  }),
  defineCommand({
    name: 'zmpop', arity: -4, flags: ['write'], keys: null, keysFrom: (argv) => numkeysPositions(argv, 1), acl, group, since: '7.0.0',
    summary: 'Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.',
    complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    syntax: 'numkeys key [key ...] <MIN | MAX> [COUNT count]', handler: cmdZmpop,
  }),
  defineCommand({
    name: 'bzmpop', arity: -5, flags: ['write', 'blocking'], keys: null, keysFrom: (argv) => numkeysPositions(argv, 2), acl: ['sortedset', 'blocking'], group, since: '7.0.0',
    summary: 'Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
    complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    syntax: 'timeout numkeys key [key ...] <MIN | MAX> [COUNT count]', handler: cmdBzmpop,
  }),
  defineCommand({
    name: 'zrandmember', arity: -2, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '6.2.0',
    summary: 'Returns one or more random members from a sorted set.',
    complexity: 'O(N) where N is the number of members returned', syntax: 'key [count [WITHSCORES]]', handler: cmdZrandmember,
  }),
  defineCommand({
    name: 'zscan', arity: -3, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.8.0',
    summary: 'Iterates over members and scores of a sorted set.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    syntax: 'key cursor [MATCH pattern] [COUNT count]', handler: cmdZscan,
  }),
  ...algebraCommands,
];

