// Restart delays: exponential from restartBackoffMinMs, bounded by restartBackoffMaxMs; a process
// that stayed up restartHealthyAfterMs counts as healthy again and starts over from the minimum.
import type { ClusterLimits } from './limits.js';

export interface RestartHistory {
  /** Restarts since the process was last healthy. */
  consecutiveFailures: number;
}

export function nextRestart(history: RestartHistory, uptimeMs: number, limits: ClusterLimits): { delayMs: number; history: RestartHistory } {
  const failures = uptimeMs >= limits.restartHealthyAfterMs ? 0 : history.consecutiveFailures;
  const delayMs = Math.min(limits.restartBackoffMaxMs, limits.restartBackoffMinMs * 2 ** Math.min(failures, 30));
  return { delayMs, history: { consecutiveFailures: failures + 1 } };
}
