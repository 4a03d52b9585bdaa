// Key layout of a log node's store. One prefix byte per record kind; indexes and LSNs are
// fixed-width (8 bytes) big-endian so byte order is numeric order; log names carry a 2-byte
// length so no name's keys can fall inside another name's range.

import { assert } from '../assert.js';

const prefixIdentity = 0x01;
const prefixHardState = 0x02;
const prefixRaftEntry = 0x03;
const prefixRaftSnapshotMeta = 0x04;
const prefixAppliedIndex = 0x05;
const prefixLogMeta = 0x10;
const prefixLogEntry = 0x11;

export const identityKey = Uint8Array.of(prefixIdentity);
export const hardStateKey = Uint8Array.of(prefixHardState);
export const raftSnapshotMetaKey = Uint8Array.of(prefixRaftSnapshotMeta);
export const appliedIndexKey = Uint8Array.of(prefixAppliedIndex);

export function u64(value: number): Uint8Array {
  assert(Number.isSafeInteger(value) && value >= 0, `u64 key part out of range: ${value}`);
  const bytes = Buffer.allocUnsafe(8);
  writeU64(bytes, 0, value);
  return bytes;
}

/** Big-endian, without BigInt (this runs for every stored entry). */
function writeU64(bytes: Buffer, offset: number, value: number): void {
  bytes.writeUInt32BE(Math.floor(value / 2 ** 32), offset);
  bytes.writeUInt32BE(value >>> 0, offset + 4);
}

export function readU64(bytes: Uint8Array, offset: number): number {
  const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigUInt64BE(offset);
  return Number(value);
}

export function raftEntryKey(index: number): Uint8Array {
  assert(Number.isSafeInteger(index) && index >= 0, `index out of range: ${index}`);
  const key = Buffer.allocUnsafe(9);
  key[0] = prefixRaftEntry;
  writeU64(key, 1, index);
  return key;
}

/** [raftEntryKey(from), raftEntryKey(to)) */
export function raftEntryRange(from: number, to: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: raftEntryKey(from), lt: raftEntryKey(to) };
}

export const allRaftEntries = { gte: Uint8Array.of(prefixRaftEntry), lt: Uint8Array.of(prefixRaftEntry + 1) };
export const allLogMetas = { gte: Uint8Array.of(prefixLogMeta), lt: Uint8Array.of(prefixLogMeta + 1) };
export const allLogEntries = { gte: Uint8Array.of(prefixLogEntry), lt: Uint8Array.of(prefixLogEntry + 1) };

function nameBytes(log: string): Buffer {
  const name = Buffer.from(log, 'utf8');
  assert(name.length <= 0xffff, 'log name too long for its key');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(name.length);
  return Buffer.concat([length, name]);
}

export function logMetaKey(log: string): Uint8Array {
  return Buffer.concat([Uint8Array.of(prefixLogMeta), nameBytes(log)]);
}

/** The key up to the LSN, for the log last asked about (appends come in runs per log). */
let entryKeyHead: { log: string; head: Buffer } | null = null;

export function logEntryKey(log: string, lsn: number): Uint8Array {
  assert(Number.isSafeInteger(lsn) && lsn >= 0, `lsn out of range: ${lsn}`);
  if (entryKeyHead === null || entryKeyHead.log !== log) {
    const nameLength = Buffer.byteLength(log, 'utf8');
    assert(nameLength <= 0xffff, 'log name too long for its key');
    const head = Buffer.allocUnsafe(1 + 2 + nameLength);
    head[0] = prefixLogEntry;
    head.writeUInt16BE(nameLength, 1);
    head.write(log, 3, 'utf8');
    entryKeyHead = { log, head };
  }
  const { head } = entryKeyHead;
  const key = Buffer.allocUnsafe(head.length + 8);
  head.copy(key, 0);
  writeU64(key, head.length, lsn);
  return key;
}

/** [logEntryKey(log, from), logEntryKey(log, to)) */
export function logEntryRange(log: string, from: number, to: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: logEntryKey(log, from), lt: logEntryKey(log, to) };
}
