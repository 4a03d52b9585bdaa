// BITFIELD and BITFIELD_RO: signed (i1..i64) and unsigned (u1..u63) integers at arbitrary bit
// offsets, with WRAP / SAT / FAIL overflow. Arithmetic is exact (bigint), then wrapped or
// saturated as Redis's checkSigned/UnsignedBitfieldOverflow do.
import { err, ErrorReply, Errors, Reply } from '../resp/reply.js';
import type { ExecContext } from './context.js';
import { int64Arg, is } from './args.js';
import { parseInt64 } from '../util/numbers.js';
import { bitOffsetArg } from './bit-ops.js';
import { jsStringLengthMax } from './string-limits.js';

type Overflow = 'WRAP' | 'SAT' | 'FAIL';

interface FieldOp {
  kind: 'GET' | 'SET' | 'INCRBY';
  signed: boolean;
  bits: number;
  offset: number;
  /** SET value or INCRBY increment. */
  amount: bigint;
  overflow: Overflow;
}

const typeError = err('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');

/** `i<bits>` (1..64) or `u<bits>` (1..63); the sign letter is case-sensitive, as in Redis. */
function fieldTypeArg(text: string): { signed: boolean; bits: number } | ErrorReply {
  const signed = text[0] === 'i';
  if (!signed && text[0] !== 'u') return typeError;
  const bits = parseInt64(text.slice(1));
  if (typeof bits !== 'number' || bits < 1 || bits > (signed ? 64 : 63)) return typeError;
  return { signed, bits };
}

interface ParsedField {
  ops: FieldOp[];
  readonly: boolean;
  /** Highest bit any SET/INCRBY touches (the string grows to hold it). */
  highestWriteBit: number;
}

function parseFieldOps(argv: string[]): ParsedField | ErrorReply {
  const parsed: ParsedField = { ops: [], readonly: true, highestWriteBit: 0 };
  let overflow: Overflow = 'WRAP';
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const word = argv[j]!;
    let kind: FieldOp['kind'];
    if (is(word, 'GET') && remaining >= 2) kind = 'GET';
    else if (is(word, 'SET') && remaining >= 3) kind = 'SET';
    else if (is(word, 'INCRBY') && remaining >= 3) kind = 'INCRBY';
    else if (is(word, 'OVERFLOW') && remaining >= 1) {
      const name = argv[++j]!.toUpperCase();
      if (name !== 'WRAP' && name !== 'SAT' && name !== 'FAIL') return err('ERR Invalid OVERFLOW type specified');
      overflow = name;
      continue;
    } else return Errors.syntax;

    const type = fieldTypeArg(argv[j + 1]!);
    if (type instanceof ErrorReply) return type;
    const offset = bitOffsetArg(argv[j + 2]!, type.bits);
    if (offset instanceof ErrorReply) return offset;
    let amount = 0n;
    if (kind !== 'GET') {
      parsed.readonly = false;
      parsed.highestWriteBit = Math.max(parsed.highestWriteBit, offset + type.bits - 1);
      const value = int64Arg(argv[j + 3]!);
      if (value instanceof ErrorReply) return value;
      amount = value;
    }
    parsed.ops.push({ kind, signed: type.signed, bits: type.bits, offset, amount, overflow });
    j += kind === 'GET' ? 2 : 3;
  }
  return parsed;
}

// --- bit access over a byte reader/writer ---------------------------------------------------------

function readUnsigned(byteAt: (index: number) => number, offset: number, bits: number): bigint {
  let value = 0n;
  for (let j = 0; j < bits; j++) {
    const position = offset + j;
    const bit = (byteAt(Math.floor(position / 8)) >> (7 - (position % 8))) & 1;
    value = (value << 1n) | BigInt(bit);
  }
  return value;
}

function readField(byteAt: (index: number) => number, op: FieldOp): bigint {
  const raw = readUnsigned(byteAt, op.offset, op.bits);
  return op.signed ? BigInt.asIntN(op.bits, raw) : raw;
}

function writeField(buffer: Buffer, op: FieldOp, value: bigint): void {
  const raw = BigInt.asUintN(op.bits, value);
  for (let j = 0; j < op.bits; j++) {
    const position = op.offset + j;
    const index = Math.floor(position / 8);
    const mask = 1 << (7 - (position % 8));
    const bit = (raw >> BigInt(op.bits - 1 - j)) & 1n;
    buffer[index] = bit === 1n ? buffer[index]! | mask : buffer[index]! & ~mask;
  }
}

/** The value to store for `wanted`, or null when it overflows under FAIL. */
function fitField(op: FieldOp, wanted: bigint): bigint | null {
  const max = op.signed ? (1n << BigInt(op.bits - 1)) - 1n : (1n << BigInt(op.bits)) - 1n;
  const min = op.signed ? -(1n << BigInt(op.bits - 1)) : 0n;
  if (wanted >= min && wanted <= max) return wanted;
  if (op.overflow === 'FAIL') return null;
  if (op.overflow === 'SAT') return wanted > max ? max : min;
  return op.signed ? BigInt.asIntN(op.bits, wanted) : BigInt.asUintN(op.bits, wanted);
}

function integerReply(value: bigint): Reply {
  return Number.isSafeInteger(Number(value)) ? Number(value) : value;
}

/**
 * BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment |
 * OVERFLOW WRAP|SAT|FAIL] …, and BITFIELD_RO (GET only). Effect: the command itself — its
 * result depends only on the state; one with only GETs (or that changed nothing) logs nothing.
 * Known cost: a write converts the whole string to a Buffer and back (O(n)).
 */
export function bitfieldGeneric(ctx: ExecContext, argv: string[], readonlyCommand: boolean): Reply {
  const key = argv[1]!;
  const parsed = parseFieldOps(argv);
  if (parsed instanceof ErrorReply) return parsed;

  if (parsed.readonly) {
    const value = ctx.getString(key) ?? '';
    return parsed.ops.map((op) => integerReply(readField((index) => (index < value.length ? value.charCodeAt(index) : 0), op)));
  }
  if (readonlyCommand) return err('ERR BITFIELD_RO only supports the GET subcommand');

  const current = ctx.getString(key);
  const lengthNeeded = Math.floor(parsed.highestWriteBit / 8) + 1;
  if (lengthNeeded > jsStringLengthMax) return Errors.stringTooLong;
  const grown = current === undefined || current.length < lengthNeeded;
  const buffer = Buffer.alloc(Math.max(lengthNeeded, current?.length ?? 0));
  if (current !== undefined) buffer.write(current, 'latin1');
  const byteAt = (index: number): number => buffer[index] ?? 0;

  let changes = 0;
  const replies: Reply[] = [];
  for (const op of parsed.ops) {
    const old = readField(byteAt, op);
    if (op.kind === 'GET') {
      replies.push(integerReply(old));
      continue;
    }
    // Redis casts an unsigned SET value to uint64 first: a negative value is a huge one.
    const wanted = op.kind === 'INCRBY' ? old + op.amount : !op.signed && op.amount < 0n ? op.amount + (1n << 64n) : op.amount;
    const stored = fitField(op, wanted);
    if (stored === null) {
      replies.push(null);
      continue;
    }
    writeField(buffer, op, stored);
    if (grown || stored !== old) changes++;
    replies.push(integerReply(op.kind === 'INCRBY' ? stored : old));
  }
  // Redis grows the string even when every write failed (OVERFLOW FAIL) but then does not
  // propagate it; Keel counts the growth as a change so replicas stay identical.
  if (changes > 0 || grown) {
    ctx.setValue(key, buffer.toString('latin1'), true);
    ctx.dirty += Math.max(changes, 1);
  }
  return replies;
}
