// Bitmap commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD(_RO).
// Strings are latin1 JS strings; see bit-ops.ts for the bit helpers and their costs.
// Argument order and the missing-key shortcuts follow Redis 7 (7.0/7.2): BITCOUNT and BITPOS
// answer a missing key before they parse their range (Redis 8 changed that).
import { err, ErrorReply, Errors, Reply } from '../resp/reply.js';
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { FIRST_KEY, type CommandSpec, type KeyRange } from './spec.js';
import { intArg, is } from './args.js';
import { bitAt, bitOffsetArg, bitOperation, countBits, findBit, withBit, type BitOperation } from './bit-ops.js';
import { bitfieldGeneric } from './bit-field.js';
import { jsStringLengthMax } from './string-limits.js';

const group = 'bitmap';
const acl = ['bitmap'];
const bitValueError = err('ERR bit is not an integer or out of range');

/** SETBIT key offset 0|1 → the bit's old value. Effect: itself (only when something changed). */
function cmdSetBit(ctx: ExecContext, argv: string[]): Reply {
  const key = argv[1]!;
  const offset = bitOffsetArg(argv[2]!);
  if (offset instanceof ErrorReply) return offset;
  const on = intArg(argv[3]!, bitValueError);
  if (on instanceof ErrorReply) return on;
  if (on !== 0 && on !== 1) return bitValueError;
  const current = ctx.getString(key);
  const lengthNeeded = Math.floor(offset / 8) + 1;
  if (lengthNeeded > jsStringLengthMax) return Errors.stringTooLong;
  const value = current ?? '';
  const old = bitAt(value, offset);
  if (current === undefined || current.length < lengthNeeded || old !== on) {
    ctx.setValue(key, withBit(value, offset, on), true);
    ctx.dirty++;
  }
  return old;
}

function cmdGetBit(ctx: ExecContext, argv: string[]): Reply {
  const offset = bitOffsetArg(argv[2]!);
  if (offset instanceof ErrorReply) return offset;
  const value = ctx.getString(argv[1]!);
  return value === undefined ? 0 : bitAt(value, offset);
}

/** `BYTE` / `BIT` unit keyword: true for BIT, false for BYTE, or a syntax error. */
function bitUnitArg(text: string): boolean | ErrorReply {
  if (is(text, 'BIT')) return true;
  if (is(text, 'BYTE')) return false;
  return Errors.syntax;
}

/** Redis's index normalisation: negative from the end, clamped to [0, total - 1]. */
function clampRange(start: number, end: number, total: number): [number, number] {
  let first = start < 0 ? total + start : start;
  let last = end < 0 ? total + end : end;
  if (first < 0) first = 0;
  if (last < 0) last = 0;
  if (last >= total) last = total - 1;
  return [first, last];
}

/** BITCOUNT key [start end [BYTE|BIT]]. */
function cmdBitCount(ctx: ExecContext, argv: string[]): Reply {
  const value = ctx.getString(argv[1]!);
  if (value === undefined) return 0;
  if (argv.length === 2) return countBits(value, 0, value.length * 8 - 1);
  if (argv.length !== 4 && argv.length !== 5) return Errors.syntax;
  const start = intArg(argv[2]!);
  if (start instanceof ErrorReply) return start;
  const end = intArg(argv[3]!);
  if (end instanceof ErrorReply) return end;
  if (start < 0 && end < 0 && start > end) return 0;
  const isBit = argv.length === 5 ? bitUnitArg(argv[4]!) : false;
  if (isBit instanceof ErrorReply) return isBit;
  const total = isBit ? value.length * 8 : value.length;
  const [first, last] = clampRange(start, end, total);
  if (first > last) return 0;
  return isBit ? countBits(value, first, last) : countBits(value, first * 8, last * 8 + 7);
}

/** BITPOS key bit [start [end [BYTE|BIT]]]. */
function cmdBitPos(ctx: ExecContext, argv: string[]): Reply {
  const bitArg = intArg(argv[2]!);
  if (bitArg instanceof ErrorReply) return bitArg;
  if (bitArg !== 0 && bitArg !== 1) return err('ERR The bit argument must be 1 or 0.');
  const bit: 0 | 1 = bitArg;
  const value = ctx.getString(argv[1]!);
  if (value === undefined) return bit === 1 ? -1 : 0;
  if (argv.length > 6) return Errors.syntax;

  let isBit = false;
  let start = 0;
  let end = value.length - 1;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4) {
    const startArg = intArg(argv[3]!);
    if (startArg instanceof ErrorReply) return startArg;
    if (argv.length === 6) {
      const unit = bitUnitArg(argv[5]!);
      if (unit instanceof ErrorReply) return unit;
      isBit = unit;
    }
    let endArg = value.length - 1;
    if (endGiven) {
      const parsedEnd = intArg(argv[4]!);
      if (parsedEnd instanceof ErrorReply) return parsedEnd;
      endArg = parsedEnd;
    }
    [start, end] = clampRange(startArg, endArg, isBit ? value.length * 8 : value.length);
  }
  // An empty range holds neither a 0 nor a 1.
  if (start > end) return -1;
  const startBit = isBit ? start : start * 8;
  const endBit = isBit ? end : end * 8 + 7;
  const position = findBit(value, bit, startBit, endBit);
  // Without an explicit end the string reads as zero-padded on the right.
  if (position === -1 && bit === 0 && !endGiven) return endBit + 1;
  return position;
}

/** BITOP AND|OR|XOR|NOT destkey key [key …] → the result's length. Effect: itself. */
function cmdBitOp(ctx: ExecContext, argv: string[]): Reply {
  const name = argv[1]!.toUpperCase();
  if (name !== 'AND' && name !== 'OR' && name !== 'XOR' && name !== 'NOT') return Errors.syntax;
  const operation: BitOperation = name;
  if (operation === 'NOT' && argv.length !== 4) return err('ERR BITOP NOT must be called with a single source key.');
  const destination = argv[2]!;
  const sources: string[] = [];
  for (let i = 3; i < argv.length; i++) sources.push(ctx.getString(argv[i]!) ?? '');
  const result = bitOperation(operation, sources);
  if (result.length > 0) {
    ctx.setValue(destination, result);
    ctx.dirty++;
  } else if (ctx.deleteKey(destination)) {
    ctx.dirty++;
  }
  return result.length;
}

function cmdBitField(ctx: ExecContext, argv: string[]): Reply {
  return bitfieldGeneric(ctx, argv, false);
}

function cmdBitFieldRo(ctx: ExecContext, argv: string[]): Reply {
  return bitfieldGeneric(ctx, argv, true);
}

const bitopKeys: KeyRange = { first: 2, last: -1, step: 1 };

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, acl, group, since: '2.2.0',
    summary: 'Sets or clears the bit at offset of the string value. Creates the key if it doesn\'t exist.',
    complexity: 'O(1)', syntax: 'key offset value', handler: cmdSetBit,
  }),
  defineCommand({
    name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '2.2.0',
    summary: 'Returns a bit value by offset.', complexity: 'O(1)', syntax: 'key offset', handler: cmdGetBit,
  }),
  defineCommand({
    name: 'bitcount', arity: -2, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.6.0',
    summary: 'Counts the number of set bits (population counting) in a string.', complexity: 'O(N)',
    syntax: 'key [start end [BYTE | BIT]]', handler: cmdBitCount,
  }),
  defineCommand({
    name: 'bitpos', arity: -3, flags: ['readonly'], keys: FIRST_KEY, acl, group, since: '2.8.7',
    summary: 'Finds the first set (1) or clear (0) bit in a string.', complexity: 'O(N)',
    syntax: 'key bit [start [end [BYTE | BIT]]]', handler: cmdBitPos,
  }),
  defineCommand({
    name: 'bitop', arity: -4, flags: ['write', 'denyoom'], keys: bitopKeys, acl, group, since: '2.6.0',
    summary: 'Performs bitwise operations on multiple strings, and stores the result.', complexity: 'O(N)',
    syntax: '<AND | OR | XOR | NOT> destkey key [key ...]', handler: cmdBitOp,
  }),
  defineCommand({
    name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keys: FIRST_KEY, acl, group, since: '3.2.0',
    summary: 'Performs arbitrary bitfield integer operations on strings.',
    complexity: 'O(1) for each subcommand specified',
    syntax: 'key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...]]',
    handler: cmdBitField,
  }),
  defineCommand({
    name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keys: FIRST_KEY, acl, group, since: '6.0.0',
    summary: 'Performs arbitrary read-only bitfield integer operations on strings.',
    complexity: 'O(1) for each subcommand specified', syntax: 'key [GET encoding offset [GET encoding offset ...]]',
    handler: cmdBitFieldRo,
  }),
];
