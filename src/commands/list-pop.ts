// LPOP/RPOP, LMPOP and the blocking pops BLPOP/BRPOP/BLMPOP.
// A blocking pop that finds nothing returns a BlockRequest (the server parks the client and
// re-runs the same argv when one of its keys is touched). Whenever a pop is served — at once or
// on a re-run — its effect is rewritten to the non-blocking form Redis replicates: BLPOP →
// `LPOP key`, BRPOP → `RPOP key`, LMPOP/BLMPOP → `LPOP|RPOP key n` with n the elements popped.
import { err, ErrorReply, NULL_ARRAY, Reply } from '../resp/reply.js';
import type { ExecContext } from './context.js';
import { BlockRequest, type CommandResult } from './spec.js';
import { positiveCountArg, timeoutArg } from './args.js';
import { parseInt64 } from '../util/numbers.js';
import { afterRemoval, getList, listEndArg, popAt, popMany, type ListEnd } from './list-common.js';

function popCommandName(end: ListEnd): string {
  return end === 'head' ? 'LPOP' : 'RPOP';
}

/** LPOP/RPOP key [count]. */
function pop(ctx: ExecContext, argv: string[], end: ListEnd): Reply {
  if (argv.length > 3) return err(`ERR wrong number of arguments for '${argv[0]!.toLowerCase()}' command`);
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const parsed = positiveCountArg(argv[2]!);
    if (parsed instanceof ErrorReply) return parsed;
    count = parsed;
  }
  const key = argv[1]!;
  const list = getList(ctx, key);
  if (list === undefined) return hasCount ? NULL_ARRAY : null;
  if (hasCount && count === 0) return [];
  if (!hasCount) {
    const element = popAt(list, end);
    afterRemoval(ctx, key, list);
    ctx.dirty++;
    return element;
  }
  const popped = popMany(list, end, count);
  afterRemoval(ctx, key, list);
  ctx.dirty += popped.length;
  return popped;
}

export const cmdLpop = (ctx: ExecContext, argv: string[]): Reply => pop(ctx, argv, 'head');
export const cmdRpop = (ctx: ExecContext, argv: string[]): Reply => pop(ctx, argv, 'tail');

/**
 * Pops from the first non-empty list among `keys` (WRONGTYPE if a key of another type comes
 * first). With `count` null: one element, reply [key, element]; else up to count elements,
 * reply [key, [elements]]. Returns null when every list is empty. Rewrites the effect.
 */
function popFirstNonEmpty(ctx: ExecContext, keys: readonly string[], end: ListEnd, count: number | null): Reply | null {
  for (const key of keys) {
    const list = getList(ctx, key);
    if (list === undefined) continue;
    if (count === null) {
      const element = popAt(list, end);
      afterRemoval(ctx, key, list);
      ctx.dirty++;
      ctx.rewrite([popCommandName(end), key]);
      return [key, element];
    }
    const popped = popMany(list, end, count);
    afterRemoval(ctx, key, list);
    ctx.dirty += popped.length;
    ctx.rewrite([popCommandName(end), key, String(popped.length)]);
    return [key, popped];
  }
  return null;
}

/** Whether this execution may park the client (not inside MULTI, not while applying effects). */
function mayBlock(ctx: ExecContext): boolean {
  return ctx.canBlock && !ctx.isApplying;
}

/** BLPOP/BRPOP key [key …] timeout. */
function blockingPop(ctx: ExecContext, argv: string[], end: ListEnd): CommandResult {
  const deadlineMs = timeoutArg(argv[argv.length - 1]!, ctx.nowMs);
  if (deadlineMs instanceof ErrorReply) return deadlineMs;
  const keys = argv.slice(1, -1);
  const served = popFirstNonEmpty(ctx, keys, end, null);
  if (served !== null) return served;
  if (!mayBlock(ctx)) return NULL_ARRAY;
  return new BlockRequest(keys, deadlineMs, NULL_ARRAY);
}

export const cmdBlpop = (ctx: ExecContext, argv: string[]): CommandResult => blockingPop(ctx, argv, 'head');
export const cmdBrpop = (ctx: ExecContext, argv: string[]): CommandResult => blockingPop(ctx, argv, 'tail');

interface MpopArguments {
  keys: string[];
  end: ListEnd;
  count: number;
}

/** `numkeys key [key …] LEFT|RIGHT [COUNT count]` starting at argv[numkeysIndex]. */
function parseMpop(argv: string[], numkeysIndex: number): MpopArguments | ErrorReply {
  const numkeys = parseInt64(argv[numkeysIndex]!);
  if (numkeys === null || numkeys <= 0) return err('ERR numkeys should be greater than 0');
  const endIndex = numkeysIndex + Number(numkeys) + 1;
  if (endIndex >= argv.length) return err('ERR syntax error');
  const end = listEndArg(argv[endIndex]!);
  if (end instanceof ErrorReply) return end;
  let count = -1;
  for (let i = endIndex + 1; i < argv.length; i++) {
    if (count === -1 && argv[i]!.toUpperCase() === 'COUNT' && i + 1 < argv.length) {
      const parsed = parseInt64(argv[++i]!);
      if (parsed === null || parsed <= 0) return err('ERR count should be greater than 0');
      count = typeof parsed === 'bigint' ? Number.MAX_SAFE_INTEGER : parsed;
    } else {
      return err('ERR syntax error');
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, endIndex), end, count: count === -1 ? 1 : count };
}

/** LMPOP numkeys key [key …] LEFT|RIGHT [COUNT count]. */
export function cmdLmpop(ctx: ExecContext, argv: string[]): Reply {
  const parsed = parseMpop(argv, 1);
  if (parsed instanceof ErrorReply) return parsed;
  return popFirstNonEmpty(ctx, parsed.keys, parsed.end, parsed.count) ?? NULL_ARRAY;
}

/** BLMPOP timeout numkeys key [key …] LEFT|RIGHT [COUNT count]. */
export function cmdBlmpop(ctx: ExecContext, argv: string[]): CommandResult {
  const parsed = parseMpop(argv, 2);
  if (parsed instanceof ErrorReply) return parsed;
  const deadlineMs = timeoutArg(argv[1]!, ctx.nowMs);
  if (deadlineMs instanceof ErrorReply) return deadlineMs;
  const served = popFirstNonEmpty(ctx, parsed.keys, parsed.end, parsed.count);
  if (served !== null) return served;
  if (!mayBlock(ctx)) return NULL_ARRAY;
  return new BlockRequest(parsed.keys, deadlineMs, NULL_ARRAY);
}
