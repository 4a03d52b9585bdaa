// The supervisor's snapshot hook: decides when the shard needs a snapshot (log growth since the
// last one, or time) and runs `keel snapshot` as a short-lived child — off-box, never touching
// the primary (DESIGN.md §5). One run at a time; the outcome is logged either way.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, childGuardUrl, keelMainPath } from './supervisor.js';
import { LocalDirectoryStore } from '../snapshot/local-store.js';
import { listSnapshots } from '../snapshot/catalog.js';

export interface SnapshotPolicy {
  /** Snapshot once the log grew this many entries past the last snapshot (0 = never for growth). */
  everyEntries: number;
  /** Snapshot this long after the last one if anything was written since (0 = never for time). */
  everyMs: number;
}

export interface SnapshotState {
  nowMs: number;
  /** The log's committed tail as the primary reports it (null: no primary known). */
  tailLsn: number | null;
  lastSnapshotLsn: number;
  lastSnapshotAtMs: number;
  running: boolean;
}

/** Pure: whether a snapshot should start now. */
export function snapshotDue(policy: SnapshotPolicy, state: SnapshotState): boolean {
  if (state.running || state.tailLsn === null || state.tailLsn <= state.lastSnapshotLsn) return false;
  const grown = state.tailLsn - state.lastSnapshotLsn;
  if (policy.everyEntries > 0 && grown >= policy.everyEntries) return true;
  return policy.everyMs > 0 && state.nowMs - state.lastSnapshotAtMs >= policy.everyMs;
}

export interface SnapshotScheduleOptions {
  policy: SnapshotPolicy;
  checkMs: number;
  /** keel snapshot's arguments (log nodes, shard, store, dir). */
  args: string[];
  /** A local store directory to read the last snapshot from at start (null for S3). */
  storeDir: string | null;
  shard: number;
  logsDir: string;
  tailLsn: () => number | null;
  say: (line: string) => void;
  orphanExitMs: number;
}

export class SnapshotSchedule {
  private lastSnapshotLsn = 0;
  private lastSnapshotAtMs = Date.now();
  private child: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: SnapshotScheduleOptions) {}

  async start(): Promise<void> {
    if (this.options.storeDir) {
      const newest = (await listSnapshots(new LocalDirectoryStore(this.options.storeDir), this.options.shard).catch(() => []))[0];
      if (newest) { this.lastSnapshotLsn = newest.lsn; this.lastSnapshotAtMs = newest.createdAtMs; }
    }
    this.timer = setInterval(() => this.maybeRunSnapshot(), this.options.checkMs);
    this.timer.unref();
  }

  /** The hook: runs `keel snapshot` when snapshotDue says so. */
  maybeRunSnapshot(): void {
    const due = snapshotDue(this.options.policy, {
      nowMs: Date.now(), tailLsn: this.options.tailLsn(), lastSnapshotLsn: this.lastSnapshotLsn, lastSnapshotAtMs: this.lastSnapshotAtMs, running: this.child !== null,
    });
    if (due && !this.stopped) this.runSnapshot();
  }

  private runSnapshot(): void {
    const startedAt = Date.now();
    const logFd = openSync(join(this.options.logsDir, 'snapshot.log'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['--import', childGuardUrl, keelMainPath, 'snapshot', ...this.options.args], {
        stdio: ['ignore', 'pipe', logFd, 'ipc'], env: childEnv(this.options.orphanExitMs),
      });
    } finally {
      closeSync(logFd);
    }
    this.child = child;
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.on('error', () => { /* reported through 'exit' */ });
    child.once('exit', (code, signal) => {
      this.child = null;
      this.lastSnapshotAtMs = Date.now();
      if (code !== 0) {
        if (!this.stopped) this.options.say(`snapshot failed (${signal ? `signal ${signal}` : `exit code ${code}`}); see ${join(this.options.logsDir, 'snapshot.log')}`);
        return;
      }
      try {
        const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: string; lsn: number; location: string };
        this.lastSnapshotLsn = Math.max(this.lastSnapshotLsn, result.lsn);
        this.options.say(`snapshot of shard ${this.options.shard} at LSN ${result.lsn} ${result.status} (${result.location}; ${Date.now() - startedAt} ms)`);
      } catch {
        this.options.say(`snapshot finished but printed no result: ${stdout.slice(0, 200)}`);
      }
    });
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
