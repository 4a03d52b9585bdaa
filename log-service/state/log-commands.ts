// The state machine's commands as the Raft log carries them: encoded by the leader that
// proposes them, decoded (and checked for shape) by every node that applies them, and by a
// reader of a stored entry record, which holds its Append's bytes (entry-records.ts).

import { isChecksum } from '../checksum.js';
import { decode, encode } from '../codec.js';
import { isLsn, type AppendCommand, type LogCommand, type MarkSnapshotCommand, type TrimCommand } from './types.js';

export function encodeLogCommand(command: LogCommand): Uint8Array {
  return encode(command);
}

/** Decodes a Raft payload; a malformed one (never produced by a correct node) is null. */
export function decodeLogCommand(bytes: Uint8Array): LogCommand | null {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const command = value as Record<string, unknown>;
  if (typeof command.log !== 'string') return null;
  if (command.t === 'append') {
    if (!isLsn(command.prevLsn) || typeof command.writerId !== 'string' || !isLsn(command.batchSeq)) return null;
    if (!Array.isArray(command.payloads) || !command.payloads.every((p) => p instanceof Uint8Array)) return null;
    if (command.snapshotLsn !== undefined && !isLsn(command.snapshotLsn)) return null;
    if (command.prevChecksum !== undefined && !isChecksum(command.prevChecksum)) return null;
    return command as unknown as AppendCommand;
  }
  if (command.t === 'trim') {
    if (!isLsn(command.beforeLsn)) return null;
    return command as unknown as TrimCommand;
  }
  if (command.t === 'mark-snapshot') {
    if (!isLsn(command.snapshotLsn) || !(command.info instanceof Uint8Array)) return null;
    return command as unknown as MarkSnapshotCommand;
  }
  return null;
}
