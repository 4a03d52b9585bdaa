// Every bound the local cluster supervisor, its discovery and its Sentinel endpoint work
// under, in one place, with their relationships asserted at start-up.
import { assert } from '../util/assert.js';

export interface ClusterLimits {
  /** First restart of a dead process waits this long; each further one doubles it… */
  restartBackoffMinMs: number;
  /** …up to this bound. */
  restartBackoffMaxMs: number;
  /** A process that stayed up this long counts as healthy again: its backoff starts over. */
  restartHealthyAfterMs: number;
  /** On shutdown a child gets SIGTERM, then SIGKILL after this long. */
  stopGraceMs: number;
  /** A db node must print its ready line within this long of being spawned. */
  dbNodeReadyMs: number;
  /** How often discovery asks every db node for INFO replication. */
  discoveryPollMs: number;
  /** …and how often while no primary serves (a failover is under way: clients wait on us). */
  discoveryPollFastMs: number;
  /** One INFO request to a db node gives up after this long (the node counts as down). */
  discoveryRequestTimeoutMs: number;
  /** A child whose supervisor vanished (kill -9) stops itself: SIGTERM, then exit after this. */
  orphanExitMs: number;
  /** How often the snapshot schedule checks whether a snapshot is due. */
  snapshotCheckMs: number;
  /** After a failed snapshot run, the next one waits at least this long (no failure every check). */
  snapshotRetryMs: number;
  /** Largest request the Sentinel endpoint accepts from a client. */
  sentinelQueryBufferBytes: number;
  /** Largest number of Sentinel clients connected at once. */
  sentinelClientsMax: number;
}

export const defaultClusterLimits: ClusterLimits = {
  restartBackoffMinMs: 200,
  restartBackoffMaxMs: 10_000,
  restartHealthyAfterMs: 30_000,
  stopGraceMs: 5_000,
  dbNodeReadyMs: 60_000,
  discoveryPollMs: 100,
  discoveryPollFastMs: 25,
  discoveryRequestTimeoutMs: 500,
  orphanExitMs: 3_000,
  snapshotCheckMs: 5_000,
  snapshotRetryMs: 30_000,
  sentinelQueryBufferBytes: 64 * 1024,
  sentinelClientsMax: 1_000,
};

export function assertClusterLimits(limits: ClusterLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    assert(Number.isSafeInteger(value) && value > 0, `cluster limit ${name} must be a positive integer, got ${value}`);
  }
  assert(limits.restartBackoffMinMs <= limits.restartBackoffMaxMs, 'restartBackoffMinMs must not exceed restartBackoffMaxMs');
  assert(limits.restartBackoffMaxMs < limits.restartHealthyAfterMs, 'a process must stay up longer than the largest backoff to count as healthy');
  assert(limits.discoveryRequestTimeoutMs >= limits.discoveryPollMs, 'a discovery request may take at least one poll interval');
  assert(limits.snapshotRetryMs >= limits.snapshotCheckMs, 'a failed snapshot is retried no sooner than the next check');
  assert(limits.discoveryPollFastMs <= limits.discoveryPollMs, 'the fast poll (no primary) must not be slower than the normal one');
}
