// ZUNION, ZINTER, ZDIFF, their *STORE forms and ZINTERCARD (Redis's
// zunionInterDiffGenericCommand). Inputs may be sorted sets or plain sets (every member of a
// set scores 1). Every input key is type-checked before the options are parsed, as Redis does.
import { ErrorReply, Errors, err, type Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import { WrongTypeError, type ExecContext } from './context.js';
import { FIRST_KEY, type CommandSpec } from './spec.js';
import { intArg, is } from './args.js';
import { ZSetValue } from '../engine/types/zset.js';
import type { SetValue } from '../engine/types/set.js';
import { scoreArg } from './zset-args.js';
import { scoredMembersReply } from './zset-reply.js';
import { storeZset } from './zset-common.js';

type Operation = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input: a sorted set, a set (scores 1) or a missing key (empty). */
interface Input {
  size: number;
  weight: number;
  entries(): Iterable<readonly [string, number]>;
  score(member: string): number | undefined;
}

const emptyInput = (): Input => ({ size: 0, weight: 1, entries: () => [], score: () => undefined });

function inputOf(ctx: ExecContext, key: string): Input {
  const value = ctx.get(key);
  if (value === undefined) return emptyInput();
  if (typeof value === 'string') throw new WrongTypeError();
  if (value.kind === 'zset') {
    const zset = value as ZSetValue;
    return { size: zset.size, weight: 1, entries: () => zset.scores.entries(), score: (m) => zset.score(m) };
  }
  if (value.kind === 'set') {
    const set = value as SetValue;
    return {
      size: set.size, weight: 1,
      entries: function* () { for (const member of set.members.keys()) yield [member, 1] as const; },
      score: (m) => (set.has(m) ? 1 : undefined),
    };
  }
  throw new WrongTypeError();
}

/** Weighted score; Redis turns NaN (0 * inf) into 0. */
function weighted(weight: number, score: number): number {
  const value = weight * score;
  return Number.isNaN(value) ? 0 : value;
}

function aggregate(how: Aggregate, a: number, b: number): number {
  if (how === 'min') return a < b ? a : b;
  if (how === 'max') return a > b ? a : b;
  const sum = a + b;
  return Number.isNaN(sum) ? 0 : sum; // inf + -inf
}

interface AlgebraArgs {
  inputs: Input[];
  aggregate: Aggregate;
  withScores: boolean;
  limit: number;
}

function parseAlgebra(
  ctx: ExecContext, argv: string[], numkeysIndex: number, op: Operation, store: boolean, cardinalityOnly: boolean,
): AlgebraArgs | ErrorReply {
  const numkeys = intArg(argv[numkeysIndex]!);
  if (numkeys instanceof ErrorReply) return numkeys;
  if (numkeys < 1) return err(`ERR at least 1 input key is needed for '${argv[0]!.toLowerCase()}' command`);
  if (numkeys > argv.length - numkeysIndex - 1) return Errors.syntax;
  const inputs = argv.slice(numkeysIndex + 1, numkeysIndex + 1 + numkeys).map((key) => inputOf(ctx, key));
  const args: AlgebraArgs = { inputs, aggregate: 'sum', withScores: false, limit: 0 };
  let j = numkeysIndex + 1 + numkeys;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const word = argv[j]!;
    if (op !== 'diff' && !cardinalityOnly && remaining >= numkeys + 1 && is(word, 'WEIGHTS')) {
      j++;
      for (const input of inputs) {
        const weight = scoreArg(argv[j++]!, err('ERR weight value is not a float'));
        if (weight instanceof ErrorReply) return weight;
        input.weight = weight;
      }
    } else if (op !== 'diff' && !cardinalityOnly && remaining >= 2 && is(word, 'AGGREGATE')) {
      const how = argv[j + 1]!.toLowerCase();
      if (how !== 'sum' && how !== 'min' && how !== 'max') return Errors.syntax;
      args.aggregate = how;
      j += 2;
    } else if (!store && !cardinalityOnly && is(word, 'WITHSCORES')) {
      args.withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && is(word, 'LIMIT')) {
      const limit = intArg(argv[j + 1]!);
      if (limit instanceof ErrorReply || limit < 0) return err("ERR LIMIT can't be negative");
      args.limit = limit;
      j += 2;
    } else {
      return Errors.syntax;
    }
  }
  return args;
}

/** Smallest input first, as Redis sorts them (it also fixes the order sums are added in). */
function bySize(inputs: Input[]): Input[] {
  return inputs.slice().sort((a, b) => a.size - b.size);
}

function computeUnion(inputs: Input[], how: Aggregate): Map<string, number> {
  const result = new Map<string, number>();
  for (const input of bySize(inputs)) {
    for (const [member, score] of input.entries()) {
      const value = weighted(input.weight, score);
      const existing = result.get(member);
      result.set(member, existing === undefined ? value : aggregate(how, existing, value));
    }
  }
  return result;
}

function computeInter(inputs: Input[], how: Aggregate, limit = 0): Map<string, number> {
  const result = new Map<string, number>();
  const [smallest, ...others] = bySize(inputs);
  if (smallest === undefined || smallest.size === 0) return result;
  outer: for (const [member, score] of smallest.entries()) {
    let value = weighted(smallest.weight, score);
    for (const other of others) {
      const otherScore = other.score(member);
      if (otherScore === undefined) continue outer;
      value = aggregate(how, value, weighted(other.weight, otherScore));
    }
    result.set(member, value);
    if (limit > 0 && result.size >= limit) break;
  }
  return result;
}

function computeDiff(inputs: Input[]): Map<string, number> {
  const result = new Map<string, number>();
  const [first, ...others] = inputs;
  for (const [member, score] of first!.entries()) {
    if (!others.some((other) => other.score(member) !== undefined)) result.set(member, score);
  }
  return result;
}

/**
 * The result as a sorted set. Redis builds it as a skiplist and only a stored result becomes a
 * listpack, so a reply keeps a -0 score (0 × a negative weight) that a stored result loses.
 */
function compute(op: Operation, args: AlgebraArgs, store: boolean): ZSetValue {
  const pairs = op === 'union' ? computeUnion(args.inputs, args.aggregate)
    : op === 'inter' ? computeInter(args.inputs, args.aggregate)
    : computeDiff(args.inputs);
  return ZSetValue.fromPairs(pairs, store);
}

function readForm(op: Operation) {
  return (ctx: ExecContext, argv: string[]): Reply => {
    const args = parseAlgebra(ctx, argv, 1, op, false, false);
    if (args instanceof ErrorReply) return args;
    return scoredMembersReply(ctx, [...compute(op, args, false).list.nodes()], args.withScores);
  };
}

function storeForm(op: Operation) {
  return (ctx: ExecContext, argv: string[]): Reply => {
    const args = parseAlgebra(ctx, argv, 2, op, true, false);
    if (args instanceof ErrorReply) return args;
    return storeZset(ctx, argv[1]!, compute(op, args, true));
  };
}

function cmdZintercard(ctx: ExecContext, argv: string[]): Reply {
  const args = parseAlgebra(ctx, argv, 1, 'inter', false, true);
  if (args instanceof ErrorReply) return args;
  return computeInter(args.inputs, 'sum', args.limit).size;
}

/** Keys of `numkeys key…` at argv[numkeysIndex] (movable keys). */
function keysAfter(numkeysIndex: number, withDestination: boolean) {
  return (argv: string[]): number[] => {
    const count = Number(argv[numkeysIndex]);
    const positions: number[] = withDestination ? [1] : [];
    if (!Number.isSafeInteger(count) || count <= 0) return positions;
    for (let i = 0; i < count && numkeysIndex + 1 + i < argv.length; i++) positions.push(numkeysIndex + 1 + i);
    return positions;
  };
}

const group = 'sorted-set';
const acl = ['sortedset'];
const weightsSyntax = '[WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]';

export const algebraCommands: CommandSpec[] = [
  defineCommand({
    name: 'zunion', arity: -3, flags: ['readonly'], keysFrom: keysAfter(1, false), acl, group, since: '6.2.0',
    summary: 'Returns the union of multiple sorted sets.',
    complexity: 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    syntax: `numkeys key [key ...] ${weightsSyntax} [WITHSCORES]`, handler: readForm('union'),
  }),
  defineCommand({
    name: 'zinter', arity: -3, flags: ['readonly'], keysFrom: keysAfter(1, false), acl, group, since: '6.2.0',
    summary: 'Returns the intersect of multiple sorted sets.',
    complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
    syntax: `numkeys key [key ...] ${weightsSyntax} [WITHSCORES]`, handler: readForm('inter'),
  }),
  defineCommand({
    name: 'zdiff', arity: -3, flags: ['readonly'], keysFrom: keysAfter(1, false), acl, group, since: '6.2.0',
    summary: 'Returns the difference between multiple sorted sets.',
    complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
    syntax: 'numkeys key [key ...] [WITHSCORES]', handler: readForm('diff'),
  }),
  defineCommand({
    name: 'zunionstore', arity: -4, flags: ['write', 'denyoom'], keys: FIRST_KEY, keysFrom: keysAfter(2, true), acl, group, since: '2.0.0',
    summary: 'Stores the union of multiple sorted sets in a key.',
    complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    syntax: `destination numkeys key [key ...] ${weightsSyntax}`, handler: storeForm('union'),
  }),
  defineCommand({
    name: 'zinterstore', arity: -4, flags: ['write', 'denyoom'], keys: FIRST_KEY, keysFrom: keysAfter(2, true), acl, group, since: '2.0.0',
    summary: 'Stores the intersect of multiple sorted sets in a key.',
    complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
    syntax: `destination numkeys key [key ...] ${weightsSyntax}`, handler: storeForm('inter'),
  }),
  defineCommand({
    name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom'], keys: FIRST_KEY, keysFrom: keysAfter(2, true), acl, group, since: '6.2.0',
    summary: 'Stores the difference of multiple sorted sets in a key.',
    complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
    syntax: 'destination numkeys key [key ...]', handler: storeForm('diff'),
  }),
  defineCommand({
    name: 'zintercard', arity: -3, flags: ['readonly'], keysFrom: keysAfter(1, false), acl, group, since: '7.0.0',
    summary: 'Returns the number of members of the intersect of multiple sorted sets.',
    complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    syntax: 'numkeys key [key ...] [LIMIT limit]', handler: cmdZintercard,
  }),
];
