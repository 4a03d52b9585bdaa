// The primary's view of its replicas: each replica reports the LSN it applied (REPLCONF ACK
// over RESP, as Redis replicas do). WAIT resolves when enough replicas applied a write.

interface ReplicaState {
  address: string;
  appliedLsn: number;
  seenAtMs: number;
}

interface Waiter {
  lsn: number;
  count: number;
  resolve: (count: number) => void;
  timer: NodeJS.Timeout | null;
}

/** A replica not heard from for this long is no longer counted as connected. */
export const REPLICA_SILENT_MS_MAX = 5_000;

export class ReplicaAcks {
  private readonly replicas = new Map<string, ReplicaState>();
  private waiters: Waiter[] = [];

  ack(nodeId: string, address: string, appliedLsn: number): void {
    const previous = this.replicas.get(nodeId);
    this.replicas.set(nodeId, { address, appliedLsn: Math.max(appliedLsn, previous?.appliedLsn ?? 0), seenAtMs: Date.now() });
    this.settle();
  }

  /** Replicas heard from recently, by node id. */
  connected(): [string, ReplicaState][] {
    const now = Date.now();
    return [...this.replicas].filter(([, state]) => now - state.seenAtMs <= REPLICA_SILENT_MS_MAX);
  }

  countAt(lsn: number): number {
    return this.connected().filter(([, state]) => state.appliedLsn >= lsn).length;
  }

  waitFor(lsn: number, count: number, timeoutMs: number): Promise<number> {
    const now = this.countAt(lsn);
    if (now >= count || lsn === 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter: Waiter = { lsn, count, resolve, timer: null };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
          resolve(this.countAt(lsn));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  forget(): void {
    this.replicas.clear();
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const remaining: Waiter[] = [];
    for (const waiter of this.waiters) {
      const count = this.countAt(waiter.lsn);
      if (count >= waiter.count) {
        if (waiter.timer) clearTimeout(waiter.timer);
        waiter.resolve(count);
      } else {
        remaining.push(waiter);
      }
    }
    this.waiters = remaining;
  }
}
