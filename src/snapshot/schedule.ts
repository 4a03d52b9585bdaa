// When is a snapshot due? After the log since the newest snapshot exceeds an entry count or a
// byte count, or when the newest snapshot is older than an interval. One decision for both
// callers: `keel snapshot --if-due` (a one-shot check: store listing + log tail; bytes are
// summed from entry payloads and the reading stops as soon as the threshold is crossed) and
// `keel up`'s scheduler (the same check every few seconds, counting bytes incrementally).
import type { LogClient } from '../../log-service/client/log-client.js';
import { listSnapshots } from './catalog.js';
import type { SnapshotStore } from './store.js';

export interface SnapshotSchedule {
  /** Entries since the newest snapshot (0 = not a criterion). */
  everyEntries: number;
  /** Payload bytes since the newest snapshot (0 = not a criterion). */
  everyBytes: number;
  /** Age of the newest snapshot (0 = not a criterion). */
  intervalMs: number;
}

export interface DueCheck {
  due: boolean;
  reason: string;
  latestLsn: number;
  tailLsn: number;
  entriesSince: number;
}

export interface DueState {
  hasSnapshot: boolean;
  entriesSince: number;
  /** A lower bound once it reaches the threshold: counting stops there. */
  bytesSince: number;
  ageMs: number;
}

/** Pure: given what was measured, is it due and why. */
export function snapshotDue(schedule: SnapshotSchedule, state: DueState): { due: boolean; reason: string } {
  if (state.entriesSince === 0) return { due: false, reason: 'no log entries since the newest snapshot' };
  if (!state.hasSnapshot) return { due: true, reason: 'no snapshot yet' };
  if (schedule.everyEntries > 0 && state.entriesSince >= schedule.everyEntries) return { due: true, reason: `${state.entriesSince} entries since the newest snapshot (>= ${schedule.everyEntries})` };
  if (schedule.everyBytes > 0 && state.bytesSince >= schedule.everyBytes) return { due: true, reason: `${state.bytesSince}+ bytes since the newest snapshot (>= ${schedule.everyBytes})` };
  if (schedule.intervalMs > 0 && state.ageMs >= schedule.intervalMs) return { due: true, reason: `newest snapshot is ${Math.round(state.ageMs / 1000)} s old (>= ${schedule.intervalMs / 1000} s)` };
  if (schedule.everyEntries === 0 && schedule.everyBytes === 0 && schedule.intervalMs === 0) return { due: true, reason: 'no schedule given' };
  return { due: false, reason: 'below every threshold' };
}

/**
 * Payload bytes of the log after a base LSN. Remembers how far it counted, so a long-lived
 * caller asking every few seconds reads each entry once instead of the whole log since the
 * snapshot each time; a new base starts the count over.
 */
export class LogBytesSince {
  private baseLsn = -1;
  private countedThroughLsn = 0;
  private bytes = 0;

  constructor(private readonly client: LogClient, private readonly logName: string, private readonly readEntriesMax: number) {}

  /** Bytes of entries (baseLsn, tailLsn], reading no further once bytesMax is reached. */
  async measure(baseLsn: number, firstLsn: number, tailLsn: number, bytesMax: number): Promise<number> {
    if (baseLsn !== this.baseLsn || this.countedThroughLsn > tailLsn) {
      this.baseLsn = baseLsn;
      this.countedThroughLsn = baseLsn;
      this.bytes = 0;
    }
    // Entries below the log's first LSN were trimmed away: they count as nothing.
    this.countedThroughLsn = Math.max(this.countedThroughLsn, firstLsn - 1);
    while (this.countedThroughLsn < tailLsn && this.bytes < bytesMax) {
      const { entries } = await this.client.read(this.logName, this.countedThroughLsn + 1, { entriesMax: this.readEntriesMax });
      const before = this.countedThroughLsn;
      for (const entry of entries) {
        if (entry.lsn > tailLsn) break;
        this.bytes += entry.payload.length;
        this.countedThroughLsn = entry.lsn;
      }
      if (this.countedThroughLsn === before) break;
    }
    return this.bytes;
  }
}

export interface DueCheckOptions {
  /** A byte counter kept across checks (default: a fresh one, which reads from the snapshot). */
  bytes?: LogBytesSince;
  /**
   * A snapshot run that found nothing but markers and lease renewals up to `lsn` (at `atMs`):
   * count from there, so that an idle shard is not found due again at every check.
   */
  since?: { lsn: number; atMs: number } | null;
}

export async function checkSnapshotDue(
  client: LogClient, logName: string, store: SnapshotStore, shard: number, schedule: SnapshotSchedule, readEntriesMax: number, options: DueCheckOptions = {},
): Promise<DueCheck> {
  const [{ tailLsn, firstLsn }, snapshots] = await Promise.all([client.tail(logName), listSnapshots(store, shard)]);
  const newest = snapshots.find((snapshot) => snapshot.lsn <= tailLsn);
  const latestLsn = newest?.lsn ?? 0;
  const since = newest && options.since && options.since.lsn <= tailLsn ? options.since : null;
  const baseLsn = Math.max(latestLsn, since?.lsn ?? 0);
  const entriesSince = tailLsn - baseLsn;
  const state: DueState = {
    hasSnapshot: newest !== undefined, entriesSince, bytesSince: 0,
    ageMs: newest ? Date.now() - Math.max(newest.createdAtMs, since?.atMs ?? 0) : Infinity,
  };
  let verdict = snapshotDue(schedule, state);
  // Bytes are read only when they could change the answer.
  if (!verdict.due && schedule.everyBytes > 0 && state.hasSnapshot && entriesSince > 0) {
    const counter = options.bytes ?? new LogBytesSince(client, logName, readEntriesMax);
    state.bytesSince = await counter.measure(baseLsn, firstLsn, tailLsn, schedule.everyBytes);
    verdict = snapshotDue(schedule, state);
  }
  return { ...verdict, latestLsn, tailLsn, entriesSince };
}
