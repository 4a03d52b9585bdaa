// The stored log entry, encoded by hand on the hot path (every entry, on every node): the
// same msgpack bytes msgpackr writes for {v, lsn, writerId, batchSeq, payload, checksum}
// (a map16 of 6 keys, in that order), without the generic encoder's per-value dispatch.
// Anything outside the common shape (an LSN or sequence above 2^32 - 1, a long or non-ASCII
// writer id, a payload of 64 KiB or more) goes through msgpackr itself; a test checks the
// bytes against msgpackr.

import { encode } from '../codec.js';
import type { LogEntry } from './types.js';

const uint32Max = 0xffffffff;
// fixstr keys as msgpackr writes them
const keyV = Uint8Array.of(0xa1, 0x76);
const keyLsn = Uint8Array.of(0xa3, 0x6c, 0x73, 0x6e);
const keyWriterId = Uint8Array.of(0xa8, ...Buffer.from('writerId'));
const keyBatchSeq = Uint8Array.of(0xa8, ...Buffer.from('batchSeq'));
const keyPayload = Uint8Array.of(0xa7, ...Buffer.from('payload'));
const keyChecksum = Uint8Array.of(0xa8, ...Buffer.from('checksum'));

function uintBytes(value: number): number {
  return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : 5;
}

function writeUint(target: Buffer, at: number, value: number): number {
  if (value < 0x80) {
    target[at] = value;
    return at + 1;
  }
  if (value < 0x100) {
    target[at] = 0xcc;
    target[at + 1] = value;
    return at + 2;
  }
  if (value < 0x10000) {
    target[at] = 0xcd;
    target.writeUInt16BE(value, at + 1);
    return at + 3;
  }
  target[at] = 0xce;
  target.writeUInt32BE(value, at + 1);
  return at + 5;
}

function isShortAscii(text: string): boolean {
  if (text.length >= 0x100) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function isSmallUint(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= uint32Max;
}

export function encodeLogEntry(entry: LogEntry): Uint8Array {
  const { v, lsn, writerId, batchSeq, payload, checksum } = entry;
  if (
    !isSmallUint(v) || !isSmallUint(lsn) || !isSmallUint(batchSeq) || typeof writerId !== 'string' || !isShortAscii(writerId) ||
    !(payload instanceof Uint8Array) || payload.length >= 0x10000 || !(checksum instanceof Uint8Array) || checksum.length >= 0x100
  ) {
    return encode(entry);
  }
  const writerHeader = writerId.length < 0x20 ? 1 : 2;
  const payloadHeader = payload.length < 0x100 ? 2 : 3;
  const size = 3
    + keyV.length + uintBytes(v)
    + keyLsn.length + uintBytes(lsn)
    + keyWriterId.length + writerHeader + writerId.length
    + keyBatchSeq.length + uintBytes(batchSeq)
    + keyPayload.length + payloadHeader + payload.length
    + keyChecksum.length + 2 + checksum.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  out[at++] = 0xde; // map16 of 6 pairs, as msgpackr writes plain objects
  out[at++] = 0;
  out[at++] = 6;
  out.set(keyV, at);
  at = writeUint(out, at + keyV.length, v);
  out.set(keyLsn, at);
  at = writeUint(out, at + keyLsn.length, lsn);
  out.set(keyWriterId, at);
  at += keyWriterId.length;
  if (writerHeader === 1) {
    out[at++] = 0xa0 | writerId.length;
  } else {
    out[at++] = 0xd9;
    out[at++] = writerId.length;
  }
  at += out.write(writerId, at, 'latin1');
  out.set(keyBatchSeq, at);
  at = writeUint(out, at + keyBatchSeq.length, batchSeq);
  out.set(keyPayload, at);
  at += keyPayload.length;
  if (payloadHeader === 2) {
    out[at++] = 0xc4;
    out[at++] = payload.length;
  } else {
    out[at++] = 0xc5;
    out.writeUInt16BE(payload.length, at);
    at += 2;
  }
  out.set(payload, at);
  at += payload.length;
  out.set(keyChecksum, at);
  at += keyChecksum.length;
  out[at++] = 0xc4;
  out[at++] = checksum.length;
  out.set(checksum, at);
  at += checksum.length;
  return out;
}
