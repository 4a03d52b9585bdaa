// The ~60 s smoke run of `npm test`: a real local Keel cluster (3 log nodes, 2 db nodes, every
// link through a proxy) under kill, pause and partition, register workload, checked for
// linearizability. It is skipped only when `probeKeel` refuses (keel not built), with the
// reason printed — never faked.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelCluster, probeKeel } from './db/keel-cluster.js';
import { CodedError } from './util/assert.js';
import { runTest } from './runner/test-run.js';
import { registerWorkload } from './workloads/register.js';
import { defaultHarnessLimits } from './limits.js';

function dbLayerUnavailable(): string | undefined {
  try {
    probeKeel();
    return undefined;
  } catch (e) {
    if (e instanceof CodedError && e.code === 'DB_LAYER_UNAVAILABLE') return e.message;
    throw e;
  }
}

const reason = dbLayerUnavailable();
if (reason !== undefined) console.warn(`jepsen-style smoke run skipped: ${reason}`);

describe('jepsen-style smoke run against a local Keel cluster', () => {
  it.skipIf(reason !== undefined)('register under kill, pause and partition for 45 s is linearizable', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'keel-jepsen-smoke-'));
    const timeMs = 45_000;
    const result = await runTest({
      db: new KeelCluster({ runDir, stopAfterMs: 240_000 }),
      workload: registerWorkload, faults: ['kill', 'pause', 'partition'], seed: 20261122, timeMs, intervalMs: 6_000, combine: false,
      concurrency: 10, processesPerKey: 5, recoverMs: 5_000, staggerMs: 5, resultsDir: join(runDir, 'results'), limits: defaultHarnessLimits,
    });
    expect(result.stats.byStatus.ok).toBeGreaterThan(100); // the cluster served through the faults
    expect(result.summary.lines.join('\n') + `\n(results: ${result.resultsDir})`).toMatch(/linearizability: ok/);
    expect(result.verdict).toBe('ok');
  }, 180_000);
});
