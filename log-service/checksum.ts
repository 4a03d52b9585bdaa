// The running checksum of a named log: a chained hash over its entries, so a snapshot or a
// replica can prove which exact log prefix it covers. checksum(lsn) = SHA-256(checksum(lsn-1)
// ‖ lsn as 8 bytes big-endian ‖ payload), truncated to 16 bytes. The empty chain is 16 zeros.

import { createHash } from 'node:crypto';

export const checksumBytes = 16;
export const emptyChainChecksum: Uint8Array = new Uint8Array(checksumBytes);

export function chainChecksum(previous: Uint8Array, lsn: number, payload: Uint8Array): Uint8Array {
  const lsnBytes = Buffer.alloc(8);
  lsnBytes.writeBigUInt64BE(BigInt(lsn));
  const digest = createHash('sha256').update(previous).update(lsnBytes).update(payload).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, checksumBytes);
}

export function checksumHex(checksum: Uint8Array): string {
  return Buffer.from(checksum).toString('hex');
}
