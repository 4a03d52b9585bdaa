// LMOVE, RPOPLPUSH and their blocking forms BLMOVE, BRPOPLPUSH. A served BLMOVE/BRPOPLPUSH
// logs `LMOVE …` / `RPOPLPUSH …` (deterministic); one that finds the source empty blocks on it.
import { ErrorReply, Reply } from '../resp/reply.js';
import type { ExecContext } from './context.js';
import { BlockRequest, type CommandResult } from './spec.js';
import { timeoutArg } from './args.js';
import { afterRemoval, getList, listEndArg, listForPush, popAt, pushAt, storeAfterPush, type ListEnd } from './list-common.js';

/**
 * Pops from `source` at `from` and pushes onto `destination` at `to` (the same list allowed).
 * Null when the source is missing; WRONGTYPE for either key before anything changes.
 */
function move(ctx: ExecContext, source: string, destination: string, from: ListEnd, to: ListEnd): Reply {
  const sourceList = getList(ctx, source);
  if (sourceList === undefined) return null;
  const existingDestination = getList(ctx, destination);
  const element = popAt(sourceList, from);
  const destinationList = listForPush(existingDestination);
  destinationList.noteGrowth(element.length);
  pushAt(destinationList, to, element);
  storeAfterPush(ctx, destination, destinationList, existingDestination === undefined);
  afterRemoval(ctx, source, sourceList); // same key: the list is non-empty again, only re-packs
  ctx.dirty++;
  return element;
}

export function cmdLmove(ctx: ExecContext, argv: string[]): Reply {
  const from = listEndArg(argv[3]!);
  if (from instanceof ErrorReply) return from;
  const to = listEndArg(argv[4]!);
  if (to instanceof ErrorReply) return to;
  return move(ctx, argv[1]!, argv[2]!, from, to);
}

export function cmdRpoplpush(ctx: ExecContext, argv: string[]): Reply {
  return move(ctx, argv[1]!, argv[2]!, 'tail', 'head');
}

/** BLMOVE / BRPOPLPUSH once the arguments are parsed; `effect` is the non-blocking form. */
function blockingMove(
  ctx: ExecContext, source: string, destination: string, from: ListEnd, to: ListEnd, deadlineMs: number, effect: string[],
): CommandResult {
  if (getList(ctx, source) === undefined) {
    if (!ctx.canBlock || ctx.isApplying) return null;
    return new BlockRequest([source], deadlineMs, null);
  }
  const reply = move(ctx, source, destination, from, to);
  ctx.rewrite(effect);
  return reply;
}

export function cmdBlmove(ctx: ExecContext, argv: string[]): CommandResult {
  const [, source, destination, fromText, toText] = argv as [string, string, string, string, string];
  const from = listEndArg(fromText);
  if (from instanceof ErrorReply) return from;
  const to = listEndArg(toText);
  if (to instanceof ErrorReply) return to;
  const deadlineMs = timeoutArg(argv[5]!, ctx.nowMs);
  if (deadlineMs instanceof ErrorReply) return deadlineMs;
  return blockingMove(ctx, source, destination, from, to, deadlineMs, ['LMOVE', source, destination, fromText, toText]);
}

export function cmdBrpoplpush(ctx: ExecContext, argv: string[]): CommandResult {
  const [, source, destination] = argv as [string, string, string];
  const deadlineMs = timeoutArg(argv[3]!, ctx.nowMs);
  if (deadlineMs instanceof ErrorReply) return deadlineMs;
  return blockingMove(ctx, source, destination, 'tail', 'head', deadlineMs, ['RPOPLPUSH', source, destination]);
}
