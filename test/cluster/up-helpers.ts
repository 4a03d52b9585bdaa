// Starts real `keel up` processes for tests: free port ranges, a temp directory, the output
// kept, and every supervisor (and so, through the child guard, every node) killed at exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keelBin } from '../helpers/server.js';
import { freePortRange as freePortRangeBelowEphemeral } from '../../src/cluster/ports.js';
import { readLayout, processAlive, type ClusterLayout } from '../../src/cluster/layout.js';

const supervisors = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of supervisors) child.kill('SIGKILL');
});

/** A base port with `count` consecutive free ports after it (below the ephemeral range). */
export function freePortRange(count: number): Promise<number> {
  return freePortRangeBelowEphemeral('127.0.0.1', count);
}

export interface UpProcess {
  dir: string;
  child: ChildProcess;
  port: number;
  logPort: number;
  sentinelPort: number;
  output(): string;
  layout(): ClusterLayout;
  exited: Promise<number | null>;
  /** Waits until the output (from `from` on) matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
}

export function tempClusterDir(): string {
  return mkdtempSync(join(tmpdir(), 'keel-up-'));
}

export async function startUp(dir: string, extra: string[] = [], ports?: { port: number; logPort: number; sentinelPort: number }): Promise<UpProcess> {
  const base = ports ? 0 : await freePortRange(10);
  const chosen = ports ?? { port: base, logPort: base + 5, sentinelPort: base + 9 };
  const child = spawn(process.execPath, [keelBin, 'up', '--dir', dir, '--port', String(chosen.port), '--log-port', String(chosen.logPort), '--sentinel-port', String(chosen.sentinelPort), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  supervisors.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { supervisors.delete(child); resolve(code); }));
  const up: UpProcess = {
    dir, child, ...chosen, exited,
    output: () => output,
    layout: () => readLayout(dir)!,
    waitForOutput: (pattern, timeoutMs = 30_000, from = 0) => new Promise((resolve, reject) => {
      const check = () => {
        const match = output.slice(from).match(pattern);
        if (match) { clearInterval(timer); clearTimeout(deadline); resolve(match); }
      };
      const timer = setInterval(check, 50);
      const deadline = setTimeout(() => { clearInterval(timer); reject(new Error(`keel up output did not match ${pattern} within ${timeoutMs} ms:\n${output}`)); }, timeoutMs);
      check();
    }),
  };
  await up.waitForOutput(/cluster ready/, 45_000);
  return up;
}

/** Every pid the layout records (log nodes and db nodes). */
export function layoutPids(layout: ClusterLayout): number[] {
  return [...layout.logNodes, ...layout.dbNodes].map((node) => node.pid).filter((pid): pid is number => pid !== null);
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

export function allGone(pids: number[]): boolean {
  return pids.every((pid) => !processAlive(pid));
}

/** keel up's output and the last lines of every db node's log: what a failed wait prints. */
export function clusterDiagnostics(up: UpProcess, linesPerLog = 30): string {
  const parts = [`keel up output:\n${up.output()}`];
  const layout = up.layout();
  for (const node of layout.dbNodes) {
    const path = join(up.dir, layout.logsDir, `${node.id}.log`);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '(no log)';
    parts.push(`${node.id} (${node.addr}) log, last ${linesPerLog} lines:\n${text.split('\n').slice(-linesPerLog - 1).join('\n')}`);
  }
  return parts.join('\n\n');
}
