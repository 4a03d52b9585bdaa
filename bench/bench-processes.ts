// The processes `npm run bench` compares: keel servers (no log, embedded log, or attached to
// three real `keel log-node`s) and redis-server. Unlike the test helpers, everything started
// here is registered with a Cleanup, so that a benchmark stops every process and removes
// every temporary directory it made — at the end, on error and on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, keelBin, startKeel } from '../test/helpers/server.js';
import { redisServerPath } from '../test/helpers/redis-server.js';
import { RawClient } from '../test/helpers/resp-client.js';

const stopGraceMs = 3_000;
const primaryWaitMs = 30_000;
const processStartMs = 10_000;

/** Undo actions, run last-registered first; each runs once, even if `run` is called again. */
export class Cleanup {
  private readonly actions: Array<{ what: string; action: () => Promise<void> | void }> = [];

  add(what: string, action: () => Promise<void> | void): void {
    this.actions.push({ what, action });
  }

  private running: Promise<void> | null = null;

  /** Runs every action; a second caller (Ctrl-C during an error's cleanup) waits for the same run. */
  run(): Promise<void> {
    this.running ??= this.drain().finally(() => { this.running = null; });
    return this.running;
  }

  private async drain(): Promise<void> {
    for (let next = this.actions.pop(); next; next = this.actions.pop()) {
      try {
        await next.action();
      } catch (error) {
        console.error(`bench: cleanup of ${next.what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

function benchDir(cleanup: Cleanup, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.add(`directory ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
  await exited;
  clearTimeout(timer);
}

function tracked(child: ChildProcess): Promise<void> {
  // A benchmark killed by an uncaught error must not leave servers behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  return new Promise((resolve) => child.once('exit', () => { process.off('exit', killOnExit); resolve(); }));
}

export interface Target {
  label: string;
  port: number;
}

/** `keel server` with its own temporary --dir; `args` must not name --dir or --port. */
export async function startBenchKeel(cleanup: Cleanup, label: string, args: string[]): Promise<Target> {
  const dir = benchDir(cleanup, 'keel-bench-');
  const keel = await startKeel(['--dir', dir, '--log-level', 'warn', ...args]);
  cleanup.add(`keel server (${label})`, () => keel.stop());
  return { label, port: keel.port };
}

/** Three `keel log-node` processes (ids a, b, c) on loopback; returns their addresses. */
export async function startLogNodes(cleanup: Cleanup): Promise<string[]> {
  const root = benchDir(cleanup, 'keel-bench-log-');
  const ids = ['a', 'b', 'c'];
  const addresses = await Promise.all(ids.map(async () => `127.0.0.1:${await freePort()}`));
  const peers = ids.map((id, i) => `${id}=${addresses[i]}`).join(',');
  for (const [i, id] of ids.entries()) {
    const stderrFd = openSync(join(root, `${id}.log`), 'a');
    const child = spawn(process.execPath, [keelBin, 'log-node', '--id', id, '--listen', addresses[i]!, '--dir', join(root, `data-${id}`), '--peers', peers, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', stderrFd] });
    closeSync(stderrFd);
    const exited = tracked(child);
    cleanup.add(`log node ${id}`, async () => {
      await stopChild(child, exited);
      // Errors a log node logged are worth seeing before its directory goes (pino level 50+).
      const errors = readFileSync(join(root, `${id}.log`), 'utf8').split('\n').filter((line) => /"level":(5|6)\d/.test(line));
      if (errors.length > 0) console.error(`bench: log node ${id} logged errors (last ${Math.min(10, errors.length)}):\n${errors.slice(-10).join('\n')}`);
    });
  }
  return addresses;
}

/** The first element of ROLE: 'master', 'slave', … ('' when the server does not answer). */
export async function role(port: number): Promise<string> {
  const client = await RawClient.connect(port);
  try {
    return /^\*\d+\r\n\$\d+\r\n([a-z]+)\r\n/.exec(await client.call('ROLE'))?.[1] ?? '';
  } finally {
    client.close();
  }
}

/** Waits until a node started with --log has won its election (ROLE answers master). */
export async function waitForPrimary(target: Target, timeoutMs = primaryWaitMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await role(target.port).catch((error: Error) => error.message);
    if (last === 'master') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`keel (${target.label}) is not primary after ${timeoutMs} ms (ROLE: ${last || 'no answer'})`);
}

/** An integer key's value (0 when missing): counts the INCRs that took effect. */
export async function readCounter(port: number, key: string): Promise<number> {
  const client = await RawClient.connect(port);
  try {
    const reply = await client.call('GET', key);
    const value = /^\$\d+\r\n(-?\d+)\r\n/.exec(reply)?.[1];
    if (value === undefined && !reply.startsWith('$-1')) throw new Error(`GET ${key}: unexpected reply ${JSON.stringify(reply)}`);
    return Number(value ?? 0);
  } finally {
    client.close();
  }
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

/** redis-server with its own temporary --dir (the AOF lives there) and no RDB saves. */
export async function startBenchRedis(cleanup: Cleanup, label: string, args: string[] = []): Promise<Target> {
  const binary = redisServerPath();
  if (!binary) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const dir = benchDir(cleanup, 'redis-bench-');
  const port = await freePort();
  await startBenchProcess(cleanup, label, binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], port);
  return { label, port };
}

/** Any server process, stopped by the cleanup; resolves with its pid once it accepts connections on port. */
export async function startBenchProcess(cleanup: Cleanup, label: string, command: string, args: string[], port: number): Promise<number> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = tracked(child);
  cleanup.add(label, () => stopChild(child, exited));
  const deadline = Date.now() + processStartMs;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode} at start`);
    if (Date.now() > deadline) throw new Error(`${label} not accepting connections after ${processStartMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child.pid!;
}
