// Pure bit-level helpers over latin1 strings (one char per byte). Bit 0 is the most
// significant bit of byte 0, as in Redis (SETBIT, BITFIELD and BITPOS share the convention).
import { err, ErrorReply } from '../resp/reply.js';
import { parseInt64 } from '../util/numbers.js';
import { stringBytesMax } from './string-limits.js';

const bitOffsetError = err('ERR bit offset is not an integer or out of range');

const bitsInByte = new Uint8Array(256);
for (let byte = 1; byte < 256; byte++) bitsInByte[byte] = (byte & 1) + bitsInByte[byte >> 1]!;

/**
 * A bit offset argument (Redis getBitOffsetFromArgument): a non-negative int64 whose byte
 * falls inside the string size limit (so at most 2^32 - 1 at 512 MiB). With `hashBits` > 0 the
 * `#n` form means n × hashBits (BITFIELD).
 */
export function bitOffsetArg(text: string, hashBits = 0): number | ErrorReply {
  const usesHash = hashBits > 0 && text.startsWith('#');
  const parsed = parseInt64(usesHash ? text.slice(1) : text);
  if (parsed === null) return bitOffsetError;
  const offset = BigInt(parsed) * BigInt(usesHash ? hashBits : 1);
  if (offset < 0n || offset >> 3n >= BigInt(stringBytesMax)) return bitOffsetError;
  return Number(offset);
}

/** The byte at `index`, 0 beyond the end (strings read as zero-padded on the right). */
export function byteAt(value: string, index: number): number {
  return index < value.length ? value.charCodeAt(index) : 0;
}

export function bitAt(value: string, offset: number): number {
  return (byteAt(value, Math.floor(offset / 8)) >> (7 - (offset % 8))) & 1;
}

/** Set bits among bit positions [startBit, endBit] (inclusive, both inside the string). */
export function countBits(value: string, startBit: number, endBit: number): number {
  if (startBit > endBit) return 0;
  const firstByte = Math.floor(startBit / 8);
  const lastByte = Math.floor(endBit / 8);
  let count = 0;
  for (let i = firstByte; i <= lastByte; i++) count += bitsInByte[value.charCodeAt(i)]!;
  // Take away the bits of the edge bytes that lie outside the range.
  const leadingMask = (0xff << (8 - (startBit % 8))) & 0xff;
  const trailingMask = (1 << (7 - (endBit % 8))) - 1;
  count -= bitsInByte[value.charCodeAt(firstByte) & leadingMask]!;
  count -= bitsInByte[value.charCodeAt(lastByte) & trailingMask]!;
  return count;
}

/** First bit position in [startBit, endBit] whose bit equals `bit`, or -1. */
export function findBit(value: string, bit: 0 | 1, startBit: number, endBit: number): number {
  let position = startBit;
  while (position <= endBit && position % 8 !== 0) {
    if (bitAt(value, position) === bit) return position;
    position++;
  }
  const skipByte = bit === 1 ? 0 : 0xff;
  while (position + 7 <= endBit) {
    const byte = value.charCodeAt(position / 8);
    if (byte !== skipByte) {
      for (let k = 0; k < 8; k++) if (((byte >> (7 - k)) & 1) === bit) return position + k;
    }
    position += 8;
  }
  while (position <= endBit) {
    if (bitAt(value, position) === bit) return position;
    position++;
  }
  return -1;
}

/**
 * `value` with bit `offset` set to `on`, zero-padded to reach it. Known cost: JS strings are
 * immutable, so this copies the string (O(n)) where Redis's SETBIT is O(1).
 */
export function withBit(value: string, offset: number, on: 0 | 1): string {
  const index = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const byte = on === 1 ? byteAt(value, index) | mask : byteAt(value, index) & ~mask;
  const padded = index >= value.length ? value + '\0'.repeat(index - value.length) : value.slice(0, index);
  return padded + String.fromCharCode(byte) + value.slice(index + 1);
}

export type BitOperation = 'AND' | 'OR' | 'XOR' | 'NOT';

/** BITOP's result over the sources (missing keys as empty strings); '' when all are empty. */
export function bitOperation(operation: BitOperation, sources: string[]): string {
  let lengthMax = 0;
  for (const source of sources) lengthMax = Math.max(lengthMax, source.length);
  if (lengthMax === 0) return '';
  const buffers = sources.map((source) => Buffer.from(source, 'latin1'));
  const result = Buffer.alloc(lengthMax);
  const first = buffers[0]!;
  for (let i = 0; i < lengthMax; i++) {
    let output = i < first.length ? first[i]! : 0;
    if (operation === 'NOT') output = ~output & 0xff;
    for (let k = 1; k < buffers.length; k++) {
      const source = buffers[k]!;
      const byte = i < source.length ? source[i]! : 0;
      if (operation === 'AND') output &= byte;
      else if (operation === 'OR') output |= byte;
      else output ^= byte;
    }
    result[i] = output;
  }
  return result.toString('latin1');
}
