// Helpers shared by the list command files (lists.ts, list-pop.ts, list-move.ts).
import type { ExecContext } from './context.js';
import { ListValue, newList } from '../engine/types/list.js';
import { ErrorReply, Errors } from '../resp/reply.js';
import { is } from './args.js';

export type ListEnd = 'head' | 'tail';

/** The list at key; undefined when missing; WrongTypeError (→ -WRONGTYPE) for another type. */
export function getList(ctx: ExecContext, key: string): ListValue | undefined {
  return ctx.getCollection<ListValue>(key, 'list');
}

/** A list to push into: the existing one or a new, not yet stored one. */
export function listForPush(existing: ListValue | undefined): ListValue {
  return existing ?? newList();
}

/** After pushing into `list`: stores it when it is new, else tells WATCH/blocked clients. */
export function storeAfterPush(ctx: ExecContext, key: string, list: ListValue, isNew: boolean): void {
  if (isNew) ctx.setValue(key, list);
  else ctx.touched(key);
}

/** After removing elements: deletes the key when the list is empty, else may re-pack it. */
export function afterRemoval(ctx: ExecContext, key: string, list: ListValue): void {
  if (list.size === 0) ctx.deleteKey(key);
  else {
    list.noteShrink();
    ctx.touched(key);
  }
}

export function pushAt(list: ListValue, end: ListEnd, element: string): void {
  if (end === 'head') list.pushHead(element);
  else list.pushTail(element);
}

export function popAt(list: ListValue, end: ListEnd): string {
  const element = end === 'head' ? list.popHead() : list.popTail();
  if (element === undefined) throw new Error('pop from an empty list');
  return element;
}

/** Pops up to `count` elements from one end, in pop order. */
export function popMany(list: ListValue, end: ListEnd, count: number): string[] {
  const n = Math.min(count, list.size);
  const popped: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) popped[i] = popAt(list, end);
  return popped;
}

/** LEFT / RIGHT (case-insensitive) → list end; anything else is a syntax error. */
export function listEndArg(text: string): ListEnd | ErrorReply {
  if (is(text, 'LEFT')) return 'head';
  if (is(text, 'RIGHT')) return 'tail';
  return Errors.syntax;
}

/** Sum of the raw lengths of argv[from..] (what Redis adds up before converting a listpack). */
export function rawBytes(argv: readonly string[], from: number, to = argv.length - 1): number {
  let total = 0;
  for (let i = from; i <= to; i++) total += argv[i]!.length;
  return total;
}
