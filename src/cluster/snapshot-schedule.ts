// The supervisor's snapshot hook: every snapshotCheckMs it asks the one schedule decision
// (checkSnapshotDue in src/snapshot/schedule.ts, the same as `keel snapshot --if-due`) whether
// the shard needs a snapshot — entries, payload bytes or time since the last one — and if so
// runs `keel snapshot` as a short-lived child: off-box, never touching the primary (DESIGN.md
// §5). The check runs in this process (a log tail, a store listing, and reading only the
// entries not counted yet), so nothing is spawned until a snapshot is due. One run at a time;
// the outcome is logged either way.
//
// The child must not slow the primary down (issue #7: SET p99 within 1.2× during a snapshot):
// it runs in its own session and process group (detached: its own scheduling autogroup, which
// it nices, and no terminal signals — the supervisor stops it itself), lowers all its threads
// to --nice (19), and replays the log from a follower log node, not the leader that takes the
// primary's appends.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { LogClient } from '../../log-service/client/log-client.js';
import { childEnv, childGuardUrl, keelMainPath } from './supervisor.js';
import { checkSnapshotDue, LogBytesSince, type DueCheck, type SnapshotSchedule } from '../snapshot/schedule.js';
import type { SnapshotStore } from '../snapshot/store.js';
import { lowerChildPriority, NICE_MAX } from '../snapshot/priority.js';
import { politeSnapshotArgs } from '../snapshot/child-snapshotter.js';

export interface SnapshotSchedulerOptions {
  schedule: SnapshotSchedule;
  checkMs: number;
  /** After a failed run, the next one waits at least this long. */
  retryMs: number;
  /** keel snapshot's arguments (log nodes, shard, store, dir). */
  args: string[];
  logNodes: string[];
  store: SnapshotStore;
  shard: number;
  /** Entries per log read while counting bytes. */
  readEntriesMax: number;
  logsDir: string;
  say: (line: string) => void;
  orphanExitMs: number;
}

/** What `keel snapshot` prints on success (the fields the scheduler uses). */
export interface SnapshotRunResult {
  status: 'written' | 'up-to-date';
  lsn: number;
  location: string;
  baseLsn: number;
  replayedEntries: number;
  trimmedBeforeLsn: number | null;
}

/**
 * Pure: where the next check counts from after a successful run. A written snapshot is the new
 * base by itself; an up-to-date run replayed up to its tail (base + replayed) and found only
 * markers and lease renewals, so the log up to there holds nothing a snapshot would add.
 */
export function countFromAfter(result: SnapshotRunResult, nowMs: number): { lsn: number; atMs: number } {
  return { lsn: result.status === 'written' ? result.lsn : result.baseLsn + result.replayedEntries, atMs: nowMs };
}

export function describeRun(shard: number, result: SnapshotRunResult, ms: number): string {
  const trimmed = result.trimmedBeforeLsn === null ? '' : `; log trimmed before LSN ${result.trimmedBeforeLsn}`;
  return `snapshot of shard ${shard} at LSN ${result.lsn} ${result.status} (${result.location}${trimmed}; ${ms} ms)`;
}

export class SnapshotScheduler {
  private readonly client: LogClient;
  private readonly logName: string;
  private readonly bytes: LogBytesSince;
  private since: { lsn: number; atMs: number } | null = null;
  private retryAtMs = 0;
  private checking = false;
  private lastCheckError: string | null = null;
  private child: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: SnapshotSchedulerOptions) {
    this.logName = `shard-${options.shard}`;
    this.client = new LogClient({ nodes: options.logNodes, writerId: `keel-up-scheduler-${process.pid}` });
    this.bytes = new LogBytesSince(this.client, this.logName, options.readEntriesMax);
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.checkMs);
    this.timer.unref();
  }

  /** The hook: runs `keel snapshot` when the schedule says it is due. */
  async check(): Promise<void> {
    if (this.stopped || this.checking || this.child !== null || Date.now() < this.retryAtMs) return;
    this.checking = true;
    try {
      const check = await checkSnapshotDue(this.client, this.logName, this.options.store, this.options.shard, this.options.schedule, this.options.readEntriesMax, { bytes: this.bytes, since: this.since });
      if (this.lastCheckError !== null) this.options.say('snapshot schedule: checking again');
      this.lastCheckError = null;
      if (check.due && !this.stopped) this.run(check);
    } catch (error) {
      // Said once per outage, not at every check (e.g. while the log nodes start).
      const message = error instanceof Error ? error.message : String(error);
      if (this.lastCheckError === null && !this.stopped) this.options.say(`snapshot schedule: cannot check (${message}); trying again every ${this.options.checkMs} ms`);
      this.lastCheckError = message;
    } finally {
      this.checking = false;
    }
  }

  private run(check: DueCheck): void {
    const startedAt = Date.now();
    this.options.say(`snapshot due: ${check.reason} (log tail ${check.tailLsn}); running keel snapshot`);
    const logFd = openSync(join(this.options.logsDir, 'snapshot.log'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['--import', childGuardUrl, keelMainPath, 'snapshot', ...this.options.args, ...politeSnapshotArgs], {
        stdio: ['ignore', 'pipe', logFd, 'ipc'], env: childEnv(this.options.orphanExitMs), detached: true,
      });
    } finally {
      closeSync(logFd);
    }
    lowerChildPriority(child.pid, NICE_MAX);
    this.child = child;
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.on('error', () => { /* reported through 'exit' */ });
    child.once('exit', (code, signal) => {
      this.child = null;
      if (this.stopped) return;
      if (code !== 0) {
        this.retryAtMs = Date.now() + this.options.retryMs;
        this.options.say(`snapshot failed (${signal ? `signal ${signal}` : `exit code ${code}`}); trying again in ${this.options.retryMs} ms at the earliest; see ${join(this.options.logsDir, 'snapshot.log')}`);
        return;
      }
      try {
        const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as SnapshotRunResult;
        this.since = countFromAfter(result, Date.now());
        this.options.say(describeRun(this.options.shard, result, Date.now() - startedAt));
      } catch {
        this.retryAtMs = Date.now() + this.options.retryMs;
        this.options.say(`snapshot finished but printed no result: ${stdout.slice(0, 200)}`);
      }
    });
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.client.close();
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
