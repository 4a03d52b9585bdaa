// `keel status` and `keel failover` as operator commands when things are missing: no layout,
// nodes that do not answer. (The healthy path runs in up.test.ts against a real cluster.)
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { keelBin } from '../helpers/server.js';
import { tempClusterDir, freePortRange } from '../cluster/up-helpers.js';
import { planLayout, writeLayout } from '../../src/cluster/layout.js';
import type { ClusterStatus } from '../../src/cluster/status.js';

const run = promisify(execFile);

async function keel(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [keelBin, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('keel status / keel failover without a running cluster', () => {
  it('status says where the layout should be when there is none', async () => {
    const dir = tempClusterDir();
    const result = await keel('status', '--dir', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no cluster layout at ${dir}/cluster.json`);
  });

  it('status shows every node of a layout as unreachable when none answers, in the documented JSON shape', async () => {
    const dir = tempClusterDir();
    const base = await freePortRange(10);
    writeLayout(dir, planLayout({ host: '127.0.0.1', port: base, logPort: base + 5, replicas: 1, sentinelPort: base + 9, sentinelMasterName: 'keel', shard: 0 }));
    const result = await keel('status', '--dir', dir, '--json', '--timeout-ms', '500');
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as ClusterStatus;
    expect(status.logNodes).toEqual(['a', 'b', 'c'].map((id, i) => ({ id, addr: `127.0.0.1:${base + 5 + i}`, pid: null, role: 'unreachable', term: null, commitIndex: null })));
    expect(status.dbNodes).toEqual(['db-1', 'db-2'].map((id, i) => ({ id, addr: `127.0.0.1:${base + i}`, pid: null, role: 'unreachable', appliedLsn: null, lagEntries: null, leaseRemainingMs: null })));
    expect(status.shards).toEqual([]);
    const table = await keel('status', '--nodes', `127.0.0.1:${base}`, '--timeout-ms', '500');
    expect(table.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${base}\\s+-\\s+unreachable`));
  });

  it('failover refuses when no primary serves, with its code', async () => {
    const base = await freePortRange(2);
    const result = await keel('failover', '--nodes', `127.0.0.1:${base},127.0.0.1:${base + 1}`, '--timeout-ms', '500');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('NO_PRIMARY');
  });
});
