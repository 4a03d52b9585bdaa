// Run statistics from a history: counts by outcome and operation, latency percentiles of
// completed operations, throughput.
import { extent } from '../util/extent.js';
import type { HistoryEvent } from '../history/event.js';
import { pairOperations } from '../history/operation.js';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface RunStats {
  operations: number;
  byStatus: { ok: number; fail: number; info: number };
  byFunction: Record<string, { ok: number; fail: number; info: number }>;
  okLatency: LatencySummary;
  durationS: number;
  okPerS: number;
  nemesisEvents: number;
  /** Wall-clock time the checkers took on this history (set by the runner). */
  checkMs?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function computeStats(events: readonly HistoryEvent[]): RunStats {
  const ops = pairOperations(events);
  const byStatus = { ok: 0, fail: 0, info: 0 };
  const byFunction: RunStats['byFunction'] = {};
  const latencies: number[] = [];
  for (const op of ops) {
    byStatus[op.status]++;
    (byFunction[op.f] ??= { ok: 0, fail: 0, info: 0 })[op.status]++;
    if (op.status === 'ok') latencies.push((op.ret - op.call) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const times = extent(events.map((e) => e.time));
  const durationS = events.length < 2 ? 0 : (times.max - times.min) / 1e9;
  return {
    operations: ops.length,
    byStatus,
    byFunction,
    okLatency: { count: latencies.length, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1] ?? 0 },
    durationS,
    okPerS: durationS > 0 ? byStatus.ok / durationS : 0,
    nemesisEvents: events.filter((e) => e.process === 'nemesis').length,
  };
}
