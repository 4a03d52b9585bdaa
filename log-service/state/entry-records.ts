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
// A record holds the Append command as the Raft log carries it (its encoded bytes, copied as
// one piece: packing the payloads one by one again cost each node ~40 µs per batch of 64) and
// the running checksum after each entry, packed in one buffer.
//
// Earlier formats still read: 1, one entry per record keyed by its own LSN (a batch of one
// under the same rule); 2, the writer id, batch sequence and payloads as fields of the record.

import { assert } from '../assert.js';
import { checksumBytes } from '../checksum.js';
import { decode, encode } from '../codec.js';
import { decodeLogCommand } from './log-commands.js';
import { entryFormatVersion, isLsn, type LogEntry } from './types.js';

/** Format of a stored record: 1 = one LogEntry; 2 = one Append's fields; 3 = one Append's command bytes (written now). */
export const recordFormatVersion = 3;

interface CommandRecord {
  r: 3;
  firstLsn: number;
  /** The encoded Append command (log-commands.ts) as in the Raft log. */
  command: Uint8Array;
  /** The running checksum after each entry, checksumBytes each, in LSN order. */
  checksums: Uint8Array;
}

interface FieldsRecord {
  r: 2;
  firstLsn: number;
  writerId: string;
  batchSeq: number;
  payloads: Uint8Array[];
  checksums: Uint8Array;
}

export interface AppendedBatch {
  firstLsn: number;
  /** The encoded Append command whose payloads the entries are. */
  command: Uint8Array;
  entryCount: number;
  /** The running checksum after each entry, checksumBytes each, in LSN order. */
  checksums: Uint8Array;
}

export function encodeEntryRecord(batch: AppendedBatch): Uint8Array {
  assert(batch.entryCount > 0 && batch.entryCount * checksumBytes === batch.checksums.length, 'a record holds one checksum per entry');
  const record: CommandRecord = { r: recordFormatVersion, firstLsn: batch.firstLsn, command: batch.command, checksums: batch.checksums };
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
  assert(value.r === 2 || value.r === 3, `log entry record of unknown format ${String(value.r)}`);
  const record = value.r === 3 ? fieldsOf(value as unknown as CommandRecord) : (value as unknown as FieldsRecord);
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

/** A format-3 record's entries as the fields a format-2 record holds. */
function fieldsOf(record: CommandRecord): FieldsRecord {
  const command = record.command instanceof Uint8Array ? decodeLogCommand(record.command) : null;
  assert(command !== null && command.t === 'append', 'corrupt log entry record command');
  assert(command.prevLsn === record.firstLsn - 1, 'log entry record command of another position');
  return { r: 2, firstLsn: record.firstLsn, writerId: command.writerId, batchSeq: command.batchSeq, payloads: command.payloads, checksums: record.checksums };
}
