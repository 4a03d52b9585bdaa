// List commands (Redis 7.2 semantics, replies and errors byte for byte; see t_list.c).
// Pops live in list-pop.ts, LMOVE and friends in list-move.ts; the table of all is here.
// Effects: every list write is deterministic and logs its own argv, except the blocking and
// multi-key pops, which log the non-blocking pop they performed (see list-pop.ts).
import { err, ErrorReply, Errors, OK, Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { FIRST_KEY, numkeysPositions, type CommandSpec } from './spec.js';
import { intArg, is } from './args.js';
import { parseInt64 } from '../util/numbers.js';
import { afterRemoval, getList, listForPush, rawBytes, storeAfterPush, type ListEnd } from './list-common.js';
import { cmdBlmpop, cmdBlpop, cmdBrpop, cmdLmpop, cmdLpop, cmdRpop } from './list-pop.js';
import { cmdBlmove, cmdBrpoplpush, cmdLmove, cmdRpoplpush } from './list-move.js';

const group = 'list';
const acl = ['list'];

// --- pushes ---------------------------------------------------------------------------------

/** LPUSH/RPUSH/LPUSHX/RPUSHX: `onlyIfExists` for the X forms. Replies the new length. */
function push(ctx: ExecContext, argv: string[], end: ListEnd, onlyIfExists: boolean): Reply {
  const key = argv[1]!;
  const existing = getList(ctx, key);
  if (existing === undefined && onlyIfExists) return 0;
  const list = listForPush(existing);
  list.noteGrowth(rawBytes(argv, 2));
  if (end === 'head') for (let i = 2; i < argv.length; i++) list.pushHead(argv[i]!);
  else for (let i = 2; i < argv.length; i++) list.pushTail(argv[i]!);
  storeAfterPush(ctx, key, list, existing === undefined);
  ctx.dirty += argv.length - 2;
  return list.size;
}

const cmdLpush = (ctx: ExecContext, argv: string[]): Reply => push(ctx, argv, 'head', false);
const cmdRpush = (ctx: ExecContext, argv: string[]): Reply => push(ctx, argv, 'tail', false);
const cmdLpushx = (ctx: ExecContext, argv: string[]): Reply => push(ctx, argv, 'head', true);
const cmdRpushx = (ctx: ExecContext, argv: string[]): Reply => push(ctx, argv, 'tail', true);

/** LINSERT key BEFORE|AFTER pivot element. */
function cmdLinsert(ctx: ExecContext, argv: string[]): Reply {
  const [, key, position, pivot, element] = argv as [string, string, string, string, string];
  let after: boolean;
  if (is(position, 'AFTER')) after = true;
  else if (is(position, 'BEFORE')) after = false;
  else return Errors.syntax;
  const list = getList(ctx, key);
  if (list === undefined) return 0;
  // Redis converts before it knows whether the pivot exists.
  list.noteGrowth(element.length);
  const index = list.indexOf(pivot);
  if (index < 0) return -1;
  list.insertAt(after ? index + 1 : index, element);
  ctx.touched(key);
  ctx.dirty++;
  return list.size;
}

// --- reads ----------------------------------------------------------------------------------

function cmdLlen(ctx: ExecContext, argv: string[]): Reply {
  return getList(ctx, argv[1]!)?.size ?? 0;
}

function cmdLindex(ctx: ExecContext, argv: string[]): Reply {
  const list = getList(ctx, argv[1]!);
  if (list === undefined) return null;
  const index = intArg(argv[2]!);
  if (index instanceof ErrorReply) return index;
  const resolved = index < 0 ? list.size + index : index;
  return resolved >= 0 && resolved < list.size ? list.at(resolved) : null;
}

/** Normalizes an inclusive [start, end] range as Redis does; null when empty. */
function listRange(size: number, start: number, end: number): [number, number] | null {
  if (start < 0) start = size + start;
  if (end < 0) end = size + end;
  if (start < 0) start = 0;
  if (start > end || start >= size) return null;
  if (end >= size) end = size - 1;
  return [start, end];
}

function cmdLrange(ctx: ExecContext, argv: string[]): Reply {
  const start = intArg(argv[2]!);
  if (start instanceof ErrorReply) return start;
  const end = intArg(argv[3]!);
  if (end instanceof ErrorReply) return end;
  const list = getList(ctx, argv[1]!);
  if (list === undefined) return [];
  const range = listRange(list.size, start, end);
  return range === null ? [] : list.range(range[0], range[1]);
}

const rankZeroError = err(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
function cmdLpos(ctx: ExecContext, argv: string[]): Reply {
  const element = argv[2]!;
  let rank = 1;
  let count = -1; // -1: COUNT not given
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (is(option, 'RANK') && hasValue) {
      const parsed = parseInt64(argv[++i]!);
      if (parsed === null) return Errors.notInteger;
      if (typeof parsed === 'bigint' && parsed < -9223372036854775807n) {
        return err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
      }
      rank = clampSafe(parsed);
      if (rank === 0) return rankZeroError;
    } else if (is(option, 'COUNT') && hasValue) {
      const parsed = parseInt64(argv[++i]!);
      if (parsed === null || parsed < 0) return err("ERR COUNT can't be negative");
      count = clampSafe(parsed);
    } else if (is(option, 'MAXLEN') && hasValue) {
      const parsed = parseInt64(argv[++i]!);
      if (parsed === null || parsed < 0) return err("ERR MAXLEN can't be negative");
      maxlen = clampSafe(parsed);
    } else {
      return Errors.syntax;
    }
  }
  const list = getList(ctx, argv[1]!);
  if (list === undefined) return count !== -1 ? [] : null;
  const fromTail = rank < 0;
  const skip = Math.abs(rank) - 1;
  const found: number[] = [];
  let matches = 0;
  list.scanFor(element, fromTail, maxlen === 0 ? list.size : maxlen, (index) => {
    if (matches++ < skip) return true;
    found.push(index);
    return count > 0 ? found.length < count : count === 0;
  });
  if (count === -1) return found.length > 0 ? found[0]! : null;
  return found;
}

function clampSafe(value: number | bigint): number {
  if (typeof value === 'number') return value;
  return value < 0n ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
}

// --- in-place writes ------------------------------------------------------------------------

function cmdLset(ctx: ExecContext, argv: string[]): Reply {
  const [, key, indexText, element] = argv as [string, string, string, string];
  const list = getList(ctx, key);
  if (list === undefined) return Errors.noSuchKey;
  const index = intArg(indexText);
  if (index instanceof ErrorReply) return index;
  list.noteGrowth(element.length);
  const resolved = index < 0 ? list.size + index : index;
  if (resolved < 0 || resolved >= list.size) return err('ERR index out of range');
  list.set(resolved, element);
  list.noteShrink();
  ctx.touched(key);
  ctx.dirty++;
  return OK;
}

function cmdLrem(ctx: ExecContext, argv: string[]): Reply {
  const [, key, countText, element] = argv as [string, string, string, string];
  const count = intArg(countText);
  if (count instanceof ErrorReply) return count;
  const list = getList(ctx, key);
  if (list === undefined) return 0;
  const removed = list.removeMatching(element, Math.abs(count), count < 0);
  if (removed > 0) {
    afterRemoval(ctx, key, list);
    ctx.dirty += removed;
  }
  return removed;
}

function cmdLtrim(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const start = intArg(argv[2]!);
  if (start instanceof ErrorReply) return start;
  const end = intArg(argv[3]!);
  if (end instanceof ErrorReply) return end;
  const list = getList(ctx, key);
  if (list === undefined) return OK;
  const size = list.size;
  const range = listRange(size, start, end);
  const fromHead = range === null ? size : range[0];
  const fromTail = range === null ? 0 : size - range[1] - 1;
  list.removeHead(fromHead);
  list.removeTail(fromTail);
  afterRemoval(ctx, key, list); // Redis signals the key even when nothing was removed
  ctx.dirty += fromHead + fromTail;
  return OK;
}

// --- table ----------------------------------------------------------------------------------

const LIST_PAIR = { first: 1, last: 2, step: 1 };

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Prepends one or more elements to a list. Creates the key if it doesn\'t exist.',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    syntax: 'key element [element ...]', handler: cmdLpush,
  }),
  defineCommand({
    name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Appends one or more elements to a list. Creates the key if it doesn\'t exist.',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    syntax: 'key element [element ...]', handler: cmdRpush,
  }),
  defineCommand({
    name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.2.0',
    summary: 'Prepends one or more elements to a list only when the list exists.',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    syntax: 'key element [element ...]', handler: cmdLpushx,
  }),
  defineCommand({
    name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, acl, group, since: '2.2.0',
    summary: 'Appends an element to a list only when the list exists.',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    syntax: 'key element [element ...]', handler: cmdRpushx,
  }),
  defineCommand({
    name: 'lpop', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns the first elements in a list after removing it. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of elements returned', syntax: 'key [count]', handler: cmdLpop,
  }),
  defineCommand({
    name: 'rpop', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns and removes the last elements of a list. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of elements returned', syntax: 'key [count]', handler: cmdRpop,
  }),
  defineCommand({
    name: 'lrange', arity: 4, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns a range of elements from a list.',
    complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
    syntax: 'key start stop', handler: cmdLrange,
  }),
  defineCommand({
    name: 'llen', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns the length of a list.', complexity: 'O(1)', syntax: 'key', handler: cmdLlen,
  }),
  defineCommand({
    name: 'lindex', arity: 3, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Returns an element from a list by its index.',
    complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
    syntax: 'key index', handler: cmdLindex,
  }),
  defineCommand({
    name: 'lset', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Sets the value of an element in a list by its index.',
    complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
    syntax: 'key index element', handler: cmdLset,
  }),
  defineCommand({
    name: 'linsert', arity: 5, flags: ['write', 'denyoom'], keys: FIRST_KEY, acl, group, since: '2.2.0',
    summary: 'Inserts an element before or after another element in a list.',
    complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
    syntax: 'key <BEFORE | AFTER> pivot element', handler: cmdLinsert,
  }),
  defineCommand({
    name: 'lrem', arity: 4, flags: ['write'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Removes elements from a list. Deletes the list if the last element was removed.',
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
    syntax: 'key count element', handler: cmdLrem,
  }),
  defineCommand({
    name: 'ltrim', arity: 4, flags: ['write'], keys: FIRST_KEY, acl, group, since: '1.0.0',
    summary: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.',
    complexity: 'O(N) where N is the number of elements to be removed by the operation.',
    syntax: 'key start stop', handler: cmdLtrim,
  }),
  defineCommand({
    name: 'lpos', arity: -3, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '6.0.6',
    summary: 'Returns the index of matching elements in a list.',
    complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
    syntax: 'key element [RANK rank] [COUNT num-matches] [MAXLEN len]', handler: cmdLpos,
  }),
  defineCommand({
    name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keys: LIST_PAIR, acl, group, since: '6.2.0',
    summary: 'Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.',
    complexity: 'O(1)', syntax: 'source destination <LEFT | RIGHT> <LEFT | RIGHT>', handler: cmdLmove,
  }),
  defineCommand({
    name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keys: LIST_PAIR, acl, group, since: '1.2.0',
    summary: 'Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.',
    complexity: 'O(1)', syntax: 'source destination', handler: cmdRpoplpush,
  }),
  defineCommand({
    name: 'lmpop', arity: -4, flags: ['write'], keys: null, keysFrom: (argv) => numkeysPositions(argv, 1), acl, group,
    since: '7.0.0', summary: 'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    syntax: 'numkeys key [key ...] <LEFT | RIGHT> [COUNT count]', handler: cmdLmpop,
  }),
  defineCommand({
    name: 'blpop', arity: -3, flags: ['write', 'blocking'], keys: { first: 1, last: -2, step: 1 }, acl, group, since: '2.0.0',
    summary: 'Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of provided keys.', syntax: 'key [key ...] timeout', handler: cmdBlpop,
  }),
  defineCommand({
    name: 'brpop', arity: -3, flags: ['write', 'blocking'], keys: { first: 1, last: -2, step: 1 }, acl, group, since: '2.0.0',
    summary: 'Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of provided keys.', syntax: 'key [key ...] timeout', handler: cmdBrpop,
  }),
  defineCommand({
    name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'blocking'], keys: LIST_PAIR, acl, group, since: '6.2.0',
    summary: 'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.',
    complexity: 'O(1)', syntax: 'source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout', handler: cmdBlmove,
  }),
  defineCommand({
    name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'blocking'], keys: LIST_PAIR, acl, group, since: '2.2.0',
    summary: 'Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(1)', syntax: 'source destination timeout', handler: cmdBrpoplpush,
  }),
  defineCommand({
    name: 'blmpop', arity: -5, flags: ['write', 'blocking'], keys: null, keysFrom: (argv) => numkeysPositions(argv, 2), acl, group,
    since: '7.0.0', summary: 'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    syntax: 'timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]', handler: cmdBlmpop,
  }),
];
