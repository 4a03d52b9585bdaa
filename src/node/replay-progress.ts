// Progress of a load's log replay, for the 'loading progress' log line: counts only the
// entries this replay applies (from startLsn, the snapshot's LSN or 0) up to the tail read
// at start, so a snapshot's LSN inflates neither the rate nor the percentage.
export interface ReplayProgressFields {
  startLsn: number;
  tailLsn: number;
  /** Entries replayed since the replay started. */
  replayed: number;
  /** Share of the replay done (startLsn → tailLsn), 0..100; 100 when there is nothing to replay. */
  percent: number;
  entriesPerSecond: number;
  /** Seconds left at the current rate (null until there is a rate). */
  etaSeconds: number | null;
}

export class ReplayProgress {
  constructor(readonly startLsn: number, readonly tailLsn: number, readonly startedAtMs = Date.now()) {}

  at(appliedLsn: number, nowMs: number): ReplayProgressFields {
    const total = Math.max(0, this.tailLsn - this.startLsn);
    const replayed = Math.max(0, Math.min(appliedLsn, this.tailLsn) - this.startLsn);
    const percent = total === 0 ? 100 : Math.round((1000 * replayed) / total) / 10;
    const seconds = (nowMs - this.startedAtMs) / 1000;
    const rate = seconds > 0 ? replayed / seconds : 0;
    const remaining = total - replayed;
    const etaSeconds = remaining === 0 ? 0 : rate > 0 ? Math.round((10 * remaining) / rate) / 10 : null;
    return { startLsn: this.startLsn, tailLsn: this.tailLsn, replayed, percent, entriesPerSecond: Math.round(rate), etaSeconds };
  }
}
