// The replicated state machine's vocabulary: commands proposed to Raft (opaque bytes to the
// core), the records it stores per named log, and the results it gives back at apply time.

export const entryFormatVersion = 1;

/** An LSN (or a Raft index) as stored and sent: a non-negative safe integer. */
export function isLsn(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** One entry of a named log, as stored and as returned by Read / Subscribe. */
export interface LogEntry {
  v: number;
  lsn: number;
  writerId: string;
  batchSeq: number;
  payload: Uint8Array;
  /** Running checksum of the log up to and including this entry (see checksum.ts). */
  checksum: Uint8Array;
}

export interface LogMeta {
  /** Lowest retained LSN (tailLsn + 1 when nothing is retained). */
  firstLsn: number;
  tailLsn: number;
  /** Running checksum at tailLsn. */
  checksum: Uint8Array;
  /** Highest LSN covered by a verified snapshot; Trim may not go past it. */
  snapshotLsn: number;
  /** What the snapshotter recorded about that snapshot (location, checksum…), opaque here. */
  snapshotInfo?: Uint8Array;
}

/**
 * Conditional append: the payloads become prevLsn+1… only if the tail is prevLsn when this
 * command is applied — and, when prevChecksum is given, only if the log's running checksum at
 * prevLsn is that one. A writer with several appends in flight needs the second condition:
 * if its first append is refused (another writer took that LSN), the next one's prevLsn would
 * match the other writer's entry, and only the checksum tells that the entry at prevLsn is not
 * the one it chained on. snapshotLsn (optional) records, atomically with the batch, that a
 * verified snapshot now covers the log up to that LSN (it must be <= prevLsn): the trim guard.
 */
export interface AppendCommand {
  t: 'append';
  log: string;
  prevLsn: number;
  prevChecksum?: Uint8Array;
  writerId: string;
  batchSeq: number;
  payloads: Uint8Array[];
  snapshotLsn?: number;
}

/** Drops entries below beforeLsn; refused when beforeLsn > snapshotLsn + 1. */
export interface TrimCommand {
  t: 'trim';
  log: string;
  beforeLsn: number;
}

/**
 * Records that a verified snapshot covers the log up to snapshotLsn (<= tailLsn), without
 * taking an LSN — so the snapshotter never breaks the primary's chain of conditional
 * appends. The guard only moves forward. `info` is returned by Tail.
 */
export interface MarkSnapshotCommand {
  t: 'mark-snapshot';
  log: string;
  snapshotLsn: number;
  info: Uint8Array;
}

export type LogCommand = AppendCommand | TrimCommand | MarkSnapshotCommand;

export type AppendOutcome =
  | { ok: true; firstLsn: number; lastLsn: number; checksum: Uint8Array }
  | { ok: false; code: 'LOG_CONFLICT'; tailLsn: number }
  | { ok: false; code: 'BAD_REQUEST'; message: string };

export type TrimOutcome =
  | { ok: true; firstLsn: number }
  | { ok: false; code: 'LOG_TRIM_REFUSED'; snapshotLsn: number; tailLsn: number }
  | { ok: false; code: 'BAD_REQUEST'; message: string };

export type MarkSnapshotOutcome =
  | { ok: true; snapshotLsn: number }
  | { ok: false; code: 'BAD_REQUEST'; message: string };

export type CommandOutcome = AppendOutcome | TrimOutcome | MarkSnapshotOutcome;
