// campaign.sh's plan, checked by its dry-run mode (the campaign itself takes ~40 minutes):
// the goal needs ≥ 30 minutes of combined-fault runs across all four workloads, with
// fixed seeds, plus the two-log-down scenario; the summary must get one line per run.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'campaign.sh');

interface PlannedRun { workload: string; nemesis: string; combine: boolean; seconds: number; interval: number; seed: number }

function dryRun(env: Record<string, string>): { status: number | null; runs: PlannedRun[]; summary: string[]; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'keel-campaign-'));
  try {
    const summaryFile = join(dir, 'summary.txt');
    const r = spawnSync('bash', [script, summaryFile], { encoding: 'utf8', env: { ...process.env, CAMPAIGN_DRY_RUN: '1', ...env }, timeout: 30_000 });
    const runs = r.stdout.split('\n').filter((l) => l.includes('dist/jepsen-style/run.js')).map((line) => {
      const flag = (name: string): string => line.match(new RegExp(`${name} (\\S+)`))?.[1] ?? '';
      return { workload: flag('--workload'), nemesis: flag('--nemesis'), combine: line.includes('--combine'), seconds: Number(flag('--time')), interval: Number(flag('--interval')), seed: Number(flag('--seed')) };
    });
    let summary: string[] = [];
    try { summary = readFileSync(summaryFile, 'utf8').trim().split('\n'); } catch { /* not written */ }
    return { status: r.status, runs, summary, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('campaign.sh (dry run)', () => {
  it('plans ≥ 30 minutes of combined-fault runs over every workload with fixed seeds, then two-log-down', () => {
    const { status, runs, summary } = dryRun({});
    expect(status).toBe(0);
    expect(runs).toEqual([
      { workload: 'register', nemesis: 'kill,pause,partition,delay,reset', combine: true, seconds: 600, interval: 10, seed: 1101 },
      { workload: 'counter', nemesis: 'kill,pause,partition,delay,reset', combine: true, seconds: 420, interval: 10, seed: 1102 },
      { workload: 'set', nemesis: 'kill,pause,partition,delay,reset', combine: true, seconds: 420, interval: 10, seed: 1103 },
      { workload: 'list-append', nemesis: 'kill,pause,partition,delay,reset', combine: true, seconds: 420, interval: 10, seed: 1104 },
      { workload: 'register', nemesis: 'two-log-down', combine: false, seconds: 120, interval: 10, seed: 1105 },
    ]);
    const combinedSeconds = runs.filter((r) => r.combine).reduce((s, r) => s + r.seconds, 0);
    expect(combinedSeconds).toBeGreaterThanOrEqual(30 * 60);
    expect(new Set(runs.map((r) => r.workload))).toEqual(new Set(['register', 'counter', 'set', 'list-append']));
    expect(summary).toHaveLength(5);
    for (const line of summary) expect(line).toMatch(/^workload=\S+ seed=\d+ seconds=\d+ ops=\S+ verdict=dry-run exit=\S+ results=\S+$/);
  });

  it('CAMPAIGN_SCALE divides every run time and the fault interval; a bad scale is refused', () => {
    const { status, runs } = dryRun({ CAMPAIGN_SCALE: '20' });
    expect(status).toBe(0);
    expect(runs.map((r) => r.seconds)).toEqual([30, 21, 21, 21, 6]);
    expect(runs.every((r) => r.interval === 1)).toBe(true); // faults still fit in the shortest run
    expect(dryRun({ CAMPAIGN_SCALE: '2' }).runs.map((r) => [r.seconds, r.interval])).toEqual([[300, 5], [210, 5], [210, 5], [210, 5], [60, 5]]);
    expect(dryRun({ CAMPAIGN_SCALE: '0' }).status).toBe(2);
    expect(dryRun({ CAMPAIGN_SCALE: 'fast' }).stderr).toMatch(/positive integer/);
  });
});
