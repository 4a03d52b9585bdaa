// How a named log's entries are stored: one record per applied Append, keyed by the LSN of
// its last entry (logEntryKey(log, lastLsn)). A batch of 64 entries is one store write
// instead of 64, with the writer id written once and the checksums packed in one buffer.
//
// Keying by the last LSN keeps every range question of the store a plain key range:
//   - the record holding LSN x is the first record at or after logEntryKey(log, x);
//   - the records wholly below LSN b are exactly [logEntryKey(log, 0), logEntryKey(log, b)),
//     so a trim to b deletes that range and keeps a record straddling b (reads skip its
//     entries below the trim point).
//
// Records of format 1 (one entry per record, keyed by its own LSN, written before this
// format) are a batch of one under the same rule, so older stores read unchanged.

import { assert } from '../assert.js';
import { checksumBytes } from '../checksum.js';
import { decode, encode } from '../codec.js';
import { entryFormatVersion, isLsn, type LogEntry } from './types.js';

/** Format of a stored record: 1 = one LogEntry; 2 = one Append (this file). */
export const recordFormatVersion = 2;

interface BatchRecord {
  r: typeof recordFormatVersion;
  firstLsn: number;
  writerId: string;
  batchSeq: number;
  payloads: Uint8Array[];
  /** The running checksum after each entry, checksumBytes each, in LSN order. */
  checksums: Uint8Array;
}

export interface AppendedBatch {
  firstLsn: number;
  writerId: string;
  batchSeq: number;
  payloads: readonly Uint8Array[];
  /** The running checksum after each entry, checksumBytes each, in LSN order. */
  checksums: Uint8Array;
}

export function encodeEntryRecord(batch: AppendedBatch): Uint8Array {
  assert(batch.payloads.length > 0 && batch.payloads.length * checksumBytes === batch.checksums.length, 'a record holds one checksum per entry');
  const record: BatchRecord = {
    r: recordFormatVersion, firstLsn: batch.firstLsn, writerId: batch.writerId, batchSeq: batch.batchSeq, payloads: [...batch.payloads], checksums: batch.checksums,
  };
  return encode(record);
}

/** The entries of one stored record (either format), in LSN order. */
export function decodeEntryRecord(bytes: Uint8Array): LogEntry[] {
  const value = decode(bytes) as Record<string, unknown>;
  assert(value !== null && typeof value === 'object', 'corrupt log entry record');
  if (value.r === undefined) {
    const entry = value as unknown as LogEntry;
    assert(isLsn(entry.lsn) && entry.payload instanceof Uint8Array, 'corrupt log entry');
    return [entry];
  }
  assert(value.r === recordFormatVersion, `log entry record of unknown format ${String(value.r)}`);
  const record = value as unknown as BatchRecord;
  const { payloads, checksums } = record;
  assert(isLsn(record.firstLsn) && Array.isArray(payloads) && payloads.length > 0, 'corrupt log entry record');
  assert(checksums instanceof Uint8Array && checksums.length === payloads.length * checksumBytes, 'corrupt log entry record checksums');
  return payloads.map((payload, i) => {
    assert(payload instanceof Uint8Array, 'corrupt log entry payload');
    return {
      v: entryFormatVersion, lsn: record.firstLsn + i, writerId: record.writerId, batchSeq: record.batchSeq, payload,
      checksum: checksums.subarray(i * checksumBytes, (i + 1) * checksumBytes),
    };
  });
}
