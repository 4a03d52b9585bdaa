// The running checksum of a named log: a chained hash over its entries, so a snapshot or a
// replica can prove which exact log prefix it covers. checksum(lsn) = SHA-256(checksum(lsn-1)
// ‖ lsn as 8 bytes big-endian ‖ payload), truncated to 16 bytes. The empty chain is 16 zeros.

import { hash } from 'node:crypto';

export const checksumBytes = 16;
export const emptyChainChecksum: Uint8Array = new Uint8Array(checksumBytes);

export function chainChecksum(previous: Uint8Array, lsn: number, payload: Uint8Array): Uint8Array {
  // One buffer and the one-shot hash: cheaper per entry than a streaming Hash object.
  const input = Buffer.allocUnsafe(previous.length + 8 + payload.length);
  input.set(previous, 0);
  input.writeUInt32BE(Math.floor(lsn / 2 ** 32), previous.length);
  input.writeUInt32BE(lsn >>> 0, previous.length + 4);
  input.set(payload, previous.length + 8);
  const digest = hash('sha256', input, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, checksumBytes);
}

/**
 * The running checksums of consecutive entries from `firstLsn` on, chained from `previous`
 * (the checksum at firstLsn - 1), packed checksumBytes each in LSN order.
 */
export function chainChecksums(previous: Uint8Array, firstLsn: number, payloads: readonly Uint8Array[]): Uint8Array {
  const packed = new Uint8Array(payloads.length * checksumBytes);
  let checksum = previous;
  payloads.forEach((payload, i) => {
    checksum = chainChecksum(checksum, firstLsn + i, payload);
    packed.set(checksum, i * checksumBytes);
  });
  return packed;
}

export function isChecksum(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === checksumBytes;
}

export function sameChecksum(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export function checksumHex(checksum: Uint8Array): string {
  return Buffer.from(checksum).toString('hex');
}
