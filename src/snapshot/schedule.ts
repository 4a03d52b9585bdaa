// When is a snapshot due? After the log since the newest snapshot exceeds an entry count or a
// byte count, or when the newest snapshot is older than an interval. Checked cheaply by
// `keel snapshot --if-due` (store listing + log tail; bytes are summed from entry payloads and
// the reading stops as soon as the threshold is crossed), so a supervisor can run it often.
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

/** Pure: given what was measured, is it due and why. `bytesSince` may be a lower bound. */
export function snapshotDue(schedule: SnapshotSchedule, state: { hasSnapshot: boolean; entriesSince: number; bytesSince: number; ageMs: number }): { due: boolean; reason: string } {
  if (state.entriesSince === 0) return { due: false, reason: 'no log entries since the newest snapshot' };
  if (!state.hasSnapshot) return { due: true, reason: 'no snapshot yet' };
  if (schedule.everyEntries > 0 && state.entriesSince >= schedule.everyEntries) return { due: true, reason: `${state.entriesSince} entries since the newest snapshot (>= ${schedule.everyEntries})` };
  if (schedule.everyBytes > 0 && state.bytesSince >= schedule.everyBytes) return { due: true, reason: `${state.bytesSince}+ bytes since the newest snapshot (>= ${schedule.everyBytes})` };
  if (schedule.intervalMs > 0 && state.ageMs >= schedule.intervalMs) return { due: true, reason: `newest snapshot is ${Math.round(state.ageMs / 1000)} s old (>= ${schedule.intervalMs / 1000} s)` };
  if (schedule.everyEntries === 0 && schedule.everyBytes === 0 && schedule.intervalMs === 0) return { due: true, reason: 'no schedule given' };
  return { due: false, reason: 'below every threshold' };
}

export async function checkSnapshotDue(client: LogClient, logName: string, store: SnapshotStore, shard: number, schedule: SnapshotSchedule, readEntriesMax: number): Promise<DueCheck> {
  const [{ tailLsn, firstLsn }, snapshots] = await Promise.all([client.tail(logName), listSnapshots(store, shard)]);
  const newest = snapshots.find((snapshot) => snapshot.lsn <= tailLsn);
  const latestLsn = newest?.lsn ?? 0;
  const entriesSince = tailLsn - latestLsn;
  let bytesSince = 0;
  const needBytes = schedule.everyBytes > 0 && !(schedule.everyEntries > 0 && entriesSince >= schedule.everyEntries);
  if (needBytes && newest) {
    let next = Math.max(latestLsn + 1, firstLsn);
    while (next <= tailLsn && bytesSince < schedule.everyBytes) {
      const { entries } = await client.read(logName, next, { entriesMax: readEntriesMax });
      if (entries.length === 0) break;
      for (const entry of entries) if (entry.lsn <= tailLsn) bytesSince += entry.payload.length;
      next = entries[entries.length - 1]!.lsn + 1;
    }
  }
  const verdict = snapshotDue(schedule, { hasSnapshot: newest !== undefined, entriesSince, bytesSince, ageMs: newest ? Date.now() - newest.createdAtMs : Infinity });
  return { ...verdict, latestLsn, tailLsn, entriesSince };
}
