// Runs child processes (log nodes, db nodes) and keeps them running: each is spawned as
// `node --import child-guard.js dist/src/cli/main.js <args>`, its stderr goes to its own file
// under the logs directory, a process that dies is started again after a bounded exponential
// backoff (the restart is logged), and stop() ends them all (SIGTERM, SIGKILL after a bound).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { nextRestart, type RestartHistory } from './backoff.js';
import type { ClusterLimits } from './limits.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled `keel` entry point (dist/src/cli/main.js), found from this compiled file. */
export const keelMainPath = join(here, '..', 'cli', 'main.js');
export const childGuardUrl = new URL('./child-guard.js', import.meta.url).href;

/**
 * The environment of a child: the supervisor's, less every KEEL_* setting (those were meant
 * for `keel up`; a child gets all its settings on its command line, and e.g. KEEL_CONFIG
 * naming up's config file would make every node refuse up's settings).
 */
export function childEnv(orphanExitMs: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('KEEL_')) env[name] = value;
  env.KEEL_ORPHAN_EXIT_MS = String(orphanExitMs);
  env.KEEL_SUPERVISOR_PID = String(process.pid);
  return env;
}

export interface ChildSpec {
  /** Unique name: log-a, db-1 … (also the log file's name). */
  name: string;
  /** Arguments after `keel`, computed at each (re)start. */
  args: () => string[];
  /** A line on stdout that says the process is ready; without one, spawned = ready. */
  readyPattern?: RegExp;
}

export interface SupervisorEvents {
  /** A process was spawned (pid known). */
  spawned?(name: string, pid: number, restarts: number): void;
  ready?(name: string, pid: number): void;
  /** A process ended unexpectedly and will be started again after delayMs. */
  restarting?(name: string, exit: string, delayMs: number, restarts: number): void;
}

interface Managed {
  spec: ChildSpec;
  child: ChildProcess | null;
  startedAtMs: number;
  history: RestartHistory;
  restarts: number;
  restartTimer: NodeJS.Timeout | null;
  readyWaiters: Array<() => void>;
  ready: boolean;
}

export class Supervisor {
  private readonly managed = new Map<string, Managed>();
  private stopping = false;

  constructor(private readonly logsDir: string, private readonly limits: ClusterLimits, private readonly events: SupervisorEvents = {}) {}

  /** Starts a process; resolves once it is ready (its ready line, or at once without one). */
  start(spec: ChildSpec): Promise<void> {
    if (this.managed.has(spec.name)) throw new Error(`process ${spec.name} already supervised`);
    const entry: Managed = { spec, child: null, startedAtMs: 0, history: { consecutiveFailures: 0 }, restarts: 0, restartTimer: null, readyWaiters: [], ready: false };
    this.managed.set(spec.name, entry);
    const ready = this.waitReady(spec.name);
    this.spawn(entry);
    return ready;
  }

  /** Resolves when the named process is (again) ready. */
  waitReady(name: string): Promise<void> {
    const entry = this.managed.get(name);
    if (!entry) return Promise.reject(new Error(`unknown process ${name}`));
    if (entry.ready) return Promise.resolve();
    return new Promise((resolve) => entry.readyWaiters.push(resolve));
  }

  pid(name: string): number | null {
    return this.managed.get(name)?.child?.pid ?? null;
  }

  restartCount(name: string): number {
    return this.managed.get(name)?.restarts ?? 0;
  }

  names(): string[] {
    return [...this.managed.keys()];
  }

  private spawn(entry: Managed): void {
    if (this.stopping) return;
    const logFd = openSync(join(this.logsDir, `${entry.spec.name}.log`), 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['--import', childGuardUrl, keelMainPath, ...entry.spec.args()], {
        stdio: ['ignore', 'pipe', logFd, 'ipc'],
        env: childEnv(this.limits.orphanExitMs),
      });
    } finally {
      closeSync(logFd);
    }
    entry.child = child;
    entry.ready = false;
    entry.startedAtMs = Date.now();
    this.events.spawned?.(entry.spec.name, child.pid ?? -1, entry.restarts);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (entry.ready || !entry.spec.readyPattern) return;
      stdout = (stdout + chunk.toString()).slice(-4096);
      if (entry.spec.readyPattern.test(stdout)) this.markReady(entry, child);
    });
    child.on('error', () => { /* reported through 'exit' */ });
    child.once('exit', (code, signal) => this.onExit(entry, child, code, signal));
    if (!entry.spec.readyPattern) this.markReady(entry, child);
  }

  private markReady(entry: Managed, child: ChildProcess): void {
    if (entry.child !== child) return;
    entry.ready = true;
    this.events.ready?.(entry.spec.name, child.pid ?? -1);
    const waiters = entry.readyWaiters;
    entry.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private onExit(entry: Managed, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (entry.child !== child) return;
    entry.child = null;
    entry.ready = false;
    if (this.stopping) return;
    const { delayMs, history } = nextRestart(entry.history, Date.now() - entry.startedAtMs, this.limits);
    entry.history = history;
    entry.restarts++;
    this.events.restarting?.(entry.spec.name, signal ? `signal ${signal}` : `exit code ${code}`, delayMs, entry.restarts);
    entry.restartTimer = setTimeout(() => { entry.restartTimer = null; this.spawn(entry); }, delayMs);
  }

  /** Stops every process: `order` first (in that order), then the rest; SIGTERM, then SIGKILL. */
  async stop(order: string[] = []): Promise<void> {
    this.stopping = true;
    for (const entry of this.managed.values()) {
      if (entry.restartTimer) clearTimeout(entry.restartTimer);
      entry.restartTimer = null;
    }
    const first = order.map((name) => this.managed.get(name)).filter((entry): entry is Managed => entry !== undefined);
    const rest = [...this.managed.values()].filter((entry) => !first.includes(entry));
    await Promise.all(first.map((entry) => this.stopOne(entry)));
    await Promise.all(rest.map((entry) => this.stopOne(entry)));
  }

  private async stopOne(entry: Managed): Promise<void> {
    const child = entry.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.limits.stopGraceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Last resort on process exit: SIGKILL whatever still runs (synchronous). */
  killAllNow(): void {
    this.stopping = true;
    for (const entry of this.managed.values()) {
      if (entry.restartTimer) clearTimeout(entry.restartTimer);
      const child = entry.child;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}
