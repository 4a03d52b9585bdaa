import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextRestart } from '../../src/cluster/backoff.js';
import { assertClusterLimits, defaultClusterLimits } from '../../src/cluster/limits.js';
import { assertLayout, layoutPorts, planLayout, processAlive, readLayout, writeLayout } from '../../src/cluster/layout.js';
import { spawn } from 'node:child_process';

describe('restart backoff', () => {
  it('doubles up to the bound and starts over after a healthy run', () => {
    const limits = defaultClusterLimits;
    assertClusterLimits(limits);
    let history = { consecutiveFailures: 0 };
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const next = nextRestart(history, 100, limits);
      delays.push(next.delayMs);
      history = next.history;
    }
    expect(delays.slice(0, 4)).toEqual([200, 400, 800, 1600]);
    expect(Math.max(...delays)).toBe(limits.restartBackoffMaxMs);
    expect(nextRestart(history, limits.restartHealthyAfterMs, limits).delayMs).toBe(limits.restartBackoffMinMs);
  });

  it('rejects limits whose relationships do not hold', () => {
    expect(() => assertClusterLimits({ ...defaultClusterLimits, restartBackoffMinMs: 20_000 })).toThrow(/restartBackoffMinMs/);
    expect(() => assertClusterLimits({ ...defaultClusterLimits, stopGraceMs: 0 })).toThrow(/stopGraceMs/);
  });
});

describe('cluster layout', () => {
  const plan = { host: '127.0.0.1', port: 6379, logPort: 7101, replicas: 2, sentinelPort: 26379, sentinelMasterName: 'keel', shard: 0 };

  it('plans three log nodes in AZs a, b, c and db nodes on consecutive ports across AZs', () => {
    const layout = planLayout(plan);
    expect(layout.logNodes.map((node) => `${node.id}@${node.addr}`)).toEqual(['a@127.0.0.1:7101', 'b@127.0.0.1:7102', 'c@127.0.0.1:7103']);
    expect(layout.dbNodes.map((node) => `${node.id}/${node.az}@${node.addr}`)).toEqual(['db-1/a@127.0.0.1:6379', 'db-2/b@127.0.0.1:6380', 'db-3/c@127.0.0.1:6381']);
    expect(layoutPorts(layout)).toEqual([7101, 7102, 7103, 6379, 6380, 6381, 26379]);
  });

  it('refuses a layout whose ports clash', () => {
    expect(() => assertLayout(planLayout({ ...plan, logPort: 6380 }))).toThrow(/ports clash/);
  });

  it('round-trips through cluster.json, written atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-layout-'));
    expect(readLayout(dir)).toBeNull();
    const layout = planLayout(plan);
    layout.dbNodes[0]!.pid = 1234;
    writeLayout(dir, layout);
    expect(readLayout(dir)).toEqual(layout);
    expect(readdirSync(dir)).toEqual(['cluster.json']);
  });
});

describe('processAlive', () => {
  it('is true for a running process and false for an exited, unreaped one (a zombie)', async () => {
    // sh starts `sleep 0` in the background, then becomes `sleep 3`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((done) => parent.stdout.once('data', (chunk: Buffer) => done(chunk.toString()))));
    try {
      expect(processAlive(parent.pid!)).toBe(true);
      const deadline = Date.now() + 2_000;
      while (processAlive(zombie) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(processAlive(zombie)).toBe(false);
      expect(processAlive(null)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
