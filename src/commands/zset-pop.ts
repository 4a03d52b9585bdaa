// ZPOPMIN/ZPOPMAX, ZMPOP and the blocking pops BZPOPMIN/BZPOPMAX/BZMPOP. A blocking pop
// that finds nothing returns a BlockRequest (or the timeout reply inside MULTI); the server
// re-runs it when a key is touched. A served pop logs its non-blocking form (see
// sorted-sets.ts).
import { ErrorReply, Errors, NULL_ARRAY, err, type Reply } from '../resp/reply.js';
import type { ExecContext } from './context.js';
import { BlockRequest, type CommandResult } from './spec.js';
import { getZset } from './zset-common.js';
import { is, positiveCountArg, timeoutArg } from './args.js';
import type { ZSetValue } from '../engine/types/zset.js';
import { parseInt64 } from '../util/numbers.js';
import { pairsReply, scoreReply, type ScoredMember } from './zset-reply.js';

/** Pops up to `count` members from the low (min) or high end; deletes the key when emptied. */
function popFrom(ctx: ExecContext, key: string, zset: ZSetValue, count: number, max: boolean): ScoredMember[] {
  const popped: ScoredMember[] = [];
  while (popped.length < count && zset.size > 0) {
    const node = max ? zset.list.tail! : zset.list.first()!;
    popped.push({ member: node.member, score: node.score });
    zset.remove(node.member);
  }
  if (popped.length > 0) {
    ctx.touched(key);
    ctx.deleteIfEmpty(key, zset);
    ctx.dirty += popped.length;
  }
  return popped;
}

export function zpopGeneric(ctx: ExecContext, argv: string[], max: boolean): Reply {
  if (argv.length > 3) return Errors.syntax;
  const key = argv[1]!;
  let count = 1;
  const hasCount = argv.length === 3;
  if (hasCount) {
    const parsed = positiveCountArg(argv[2]!);
    if (parsed instanceof ErrorReply) return parsed;
    count = parsed;
  }
  const zset = getZset(ctx, key);
  if (zset === undefined || count === 0) return [];
  const popped = popFrom(ctx, key, zset, count, max);
  return pairsReply(popped, hasCount && ctx.client.protocol === 3);
}

export function bzpopGeneric(ctx: ExecContext, argv: string[], max: boolean): CommandResult {
  const deadline = timeoutArg(argv[argv.length - 1]!, ctx.nowMs);
  if (deadline instanceof ErrorReply) return deadline;
  const keys = argv.slice(1, -1);
  for (const key of keys) {
    const zset = getZset(ctx, key);
    if (zset === undefined || zset.size === 0) continue;
    const [popped] = popFrom(ctx, key, zset, 1, max);
    ctx.rewrite([max ? 'ZPOPMAX' : 'ZPOPMIN', key]);
    return [key, popped!.member, scoreReply(popped!.score)];
  }
  if (!ctx.canBlock || ctx.isApplying) return NULL_ARRAY;
  return new BlockRequest(keys, deadline, NULL_ARRAY);
}

interface MpopArgs {
  keys: string[];
  max: boolean;
  count: number;
}

/** `numkeys key… MIN|MAX [COUNT count]` of ZMPOP/BZMPOP starting at argv[numkeysIndex]. */
function parseMpop(argv: string[], numkeysIndex: number): MpopArgs | ErrorReply {
  const numkeys = parseInt64(argv[numkeysIndex]!);
  if (numkeys === null || numkeys < 1) return err('ERR numkeys should be greater than 0');
  const whereIndex = numkeysIndex + Number(numkeys) + 1;
  if (whereIndex >= argv.length) return Errors.syntax;
  const where = argv[whereIndex]!;
  if (!is(where, 'MIN') && !is(where, 'MAX')) return Errors.syntax;
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j], 'COUNT') && j + 1 < argv.length) {
      const parsed = parseInt64(argv[++j]!);
      if (parsed === null || parsed < 1) return err('ERR count should be greater than 0');
      count = typeof parsed === 'bigint' ? Number.MAX_SAFE_INTEGER : parsed;
    } else {
      return Errors.syntax;
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), max: is(where, 'MAX'), count: count === -1 ? 1 : count };
}

/** Pops from the first non-empty key; null when all are empty. */
function mpopFirst(ctx: ExecContext, parsed: MpopArgs): Reply | null {
  for (const key of parsed.keys) {
    const zset = getZset(ctx, key);
    if (zset === undefined || zset.size === 0) continue;
    const popped = popFrom(ctx, key, zset, parsed.count, parsed.max);
    ctx.rewrite(['ZMPOP', '1', key, parsed.max ? 'MAX' : 'MIN', 'COUNT', String(popped.length)]);
    return [key, pairsReply(popped, true)];
  }
  return null;
}

export function cmdZmpop(ctx: ExecContext, argv: string[]): Reply {
  const parsed = parseMpop(argv, 1);
  if (parsed instanceof ErrorReply) return parsed;
  return mpopFirst(ctx, parsed) ?? NULL_ARRAY;
}

export function cmdBzmpop(ctx: ExecContext, argv: string[]): CommandResult {
  const parsed = parseMpop(argv, 2);
  if (parsed instanceof ErrorReply) return parsed;
  const deadline = timeoutArg(argv[1]!, ctx.nowMs);
  if (deadline instanceof ErrorReply) return deadline;
  const served = mpopFirst(ctx, parsed);
  if (served !== null) return served;
  if (!ctx.canBlock || ctx.isApplying) return NULL_ARRAY;
  return new BlockRequest(parsed.keys, deadline, NULL_ARRAY);
}
