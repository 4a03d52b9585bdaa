// Harness smoke tests: the whole pipeline (generator, client, nemesis, recorder, checker,
// reports) against the in-process fake cluster fixture. They test the harness, not Keel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTest } from './test-run.js';
import { FakeCluster } from '../testing/fake-cluster.js';
import { defaultHarnessLimits } from '../limits.js';
import { registerWorkload } from '../workloads/register.js';
import { setWorkload } from '../workloads/set.js';
import { parseHistory } from '../history/event.js';
import { runCli, parseRunArgs } from '../run.js';
import { probeKeel } from '../db/keel-cluster.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'keel-jepsen-run-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const limits = { ...defaultHarnessLimits, operationTimeoutMs: 250, connectTimeoutMs: 200 };
const base = { seed: 7, timeMs: 3_000, intervalMs: 800, combine: false, concurrency: 6, processesPerKey: 3, recoverMs: 300, staggerMs: 3, limits };

describe('runTest against the fake cluster fixture', () => {
  it('a correct register under kill and pause: valid, with faults recorded, info operations and every result file', async () => {
    const db = new FakeCluster();
    const resultsDir = join(dir, 'register-ok');
    const result = await runTest({ ...base, db, workload: registerWorkload, faults: ['kill', 'pause'], resultsDir });
    const why = JSON.stringify({ lines: result.summary.lines, stats: result.stats, nemesisErrors: result.nemesisErrors, actions: db.actions });
    expect(result.verdict, why).toBe('ok');
    expect(result.exitCode, why).toBe(0);
    expect(result.stats.operations, why).toBeGreaterThan(30);
    expect(result.stats.byStatus.ok, why).toBeGreaterThan(15);
    expect(result.stats.byStatus.fail + result.stats.byStatus.info, why).toBeGreaterThan(0);
    expect(result.stats.nemesisEvents, why).toBeGreaterThanOrEqual(2);
    expect(db.actions.length, why).toBeGreaterThan(0);
    for (const file of ['history.jsonl', 'plan.json', 'verdict.json', 'stats.json', 'chart.html']) expect(existsSync(join(resultsDir, file))).toBe(true);
    const events = parseHistory(readFileSync(join(resultsDir, 'history.jsonl'), 'utf8'));
    expect(events.some((e) => e.process === 'nemesis')).toBe(true);
    expect(readFileSync(join(resultsDir, 'chart.html'), 'utf8')).toContain('class="fault"');
  });

  it('a cluster process that exited on its own makes the verdict unknown with the reason; the check time is recorded', async () => {
    const db = new FakeCluster();
    db.crashed = ['log-a exited unexpectedly (code 1)'];
    const resultsDir = join(dir, 'register-crashed');
    const result = await runTest({ ...base, timeMs: 1_000, db, workload: registerWorkload, faults: [], resultsDir });
    expect(result.verdict).toBe('unknown');
    expect(result.exitCode).toBe(3);
    const verdict = JSON.parse(readFileSync(join(resultsDir, 'verdict.json'), 'utf8')) as { verdict: string; checkMs: number; unexpectedExits: string[]; lines: string[] };
    expect(verdict.verdict).toBe('unknown');
    expect(verdict.unexpectedExits).toEqual(['log-a exited unexpectedly (code 1)']);
    expect(verdict.lines.join('\n')).toMatch(/exited unexpectedly/);
    expect(verdict.checkMs).toBeGreaterThanOrEqual(0);
    expect((JSON.parse(readFileSync(join(resultsDir, 'stats.json'), 'utf8')) as { checkMs: number }).checkMs).toBe(verdict.checkMs);
  });

  it('a server with stale reads is caught: anomaly exit code and an HTML timeline', async () => {
    const db = new FakeCluster((fake) => { fake.staleReads = true; });
    const resultsDir = join(dir, 'register-stale');
    const result = await runTest({ ...base, timeMs: 1_500, db, workload: registerWorkload, faults: [], resultsDir });
    expect(result.verdict).toBe('illegal');
    expect(result.exitCode).toBe(1);
    expect(readFileSync(join(resultsDir, 'timeline.html'), 'utf8')).toContain('failing');
  });

  it('the set workload runs its final reads after healing and finds every acknowledged add', async () => {
    const db = new FakeCluster();
    const result = await runTest({ ...base, timeMs: 1_500, db, workload: setWorkload, faults: ['partition'], resultsDir: join(dir, 'set-ok') });
    expect(result.summary.lines[0]).toMatch(/^set-full: ok/);
    expect(result.exitCode).toBe(0);
  });
});

describe('run CLI', () => {
  it('parses flags and rejects bad ones with the usage exit code', async () => {
    expect(parseRunArgs(['--workload', 'register', '--nemesis', 'kill,pause,partition', '--time', '120', '--seed', '9'])).toMatchObject({ workload: 'register', faults: ['kill', 'pause', 'partition'], timeS: 120, seed: 9 });
    expect(parseRunArgs(['--workload', 'set'], () => 5).seed).toBe(5);
    const errors: string[] = [];
    expect(await runCli(['--workload', 'queue'], () => {}, (l) => errors.push(l))).toBe(2);
    expect(await runCli(['--workload', 'register', '--nemesis', 'meteor'], () => {}, (l) => errors.push(l))).toBe(2);
    expect(await runCli(['--workload', 'register', '--time', '-1'], () => {}, (l) => errors.push(l))).toBe(2);
    expect(errors.join('\n')).toMatch(/meteor/);
  });

  it('refuses to run, with one line, when keel lacks the flags the db layer needs', () => {
    const root = join(dir, 'fake-repo');
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'keel' }));
    const bin = join(root, 'bin', 'keel.js');
    writeFileSync(bin, "console.log(process.argv[2] === 'server' ? 'Flags:\\n  --port\\n  --bind\\n  --dir' : 'Options:\\n  --id --listen --dir --peers');\n");
    chmodSync(bin, 0o755);
    expect(() => probeKeel(root)).toThrow(/^DB_LAYER_UNAVAILABLE: `keel server` does not take --node-id, --log yet/);
    writeFileSync(bin, "console.log('--port --bind --dir --node-id --log --id --listen --peers');\n");
    expect(() => probeKeel(root)).not.toThrow();
  });
});
