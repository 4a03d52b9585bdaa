// SAVE / BGSAVE on a database node: runs `keel snapshot` as a child process with the node's
// own log addresses, shard and store. The child reads snapshot + log itself (off-box in
// spirit): the node's event loop never serializes its data set, and a slow snapshot cannot
// stall client traffic. One snapshot at a time.
//
// The child shares the host with this node, so it keeps out of its way (issue #7: SET p99
// within 1.2× during a snapshot): it runs in its own session and process group (detached: its
// own scheduling autogroup, which it nices; no terminal signals), lowers every one of its
// threads to `nice` (19) itself — a setPriority(child.pid) from here would reach only the
// child's main thread — and replays the log from a follower log node, not the leader that
// takes this node's appends.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { SnapshotServices } from '../commands/server-services.js';
import type { SnapshotJobResult } from './snapshotter.js';
import { lowerChildPriority, NICE_MAX } from './priority.js';

/** dist/src/snapshot/ → dist/src/cli/main.js */
export const keelMainPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

/**
 * The flags every spawner of `keel snapshot` passes (SAVE/BGSAVE here, keel up's scheduler):
 * the lowest CPU priority, replay from a follower, and no second detach (the spawner detaches).
 */
export const politeSnapshotArgs: readonly string[] = ['--nice', String(NICE_MAX), '--read-from', 'follower', '--background', 'no'];

export interface ChildSnapshotterOptions {
  /** The log nodes as the node reaches them (the embedded log's address is known only once it runs). */
  logNodes: () => string[];
  shard: number;
  /** Store, S3 and key flags, exactly as given to `keel server` (passed on unchanged). */
  storeArgs: string[];
  logger: Logger;
  /** When a run starts: the snapshot will hold at least what this node had applied then. */
  onStarted?: () => void;
  onSaved: (result: SnapshotJobResult) => void;
}

export class ChildSnapshotter implements SnapshotServices {
  private running: Promise<SnapshotJobResult> | null = null;
  private scheduled = false;
  private child: ChildProcess | null = null;
  /** A detached child outlives us unless told: stop it when this process exits. */
  private readonly killOnExit = () => { this.child?.kill('SIGTERM'); };

  constructor(private readonly options: ChildSnapshotterOptions) {}

  get inProgress(): boolean {
    return this.running !== null;
  }

  save(): Promise<void> {
    return this.start().then(() => undefined);
  }

  startBackground(): boolean {
    if (this.running) return false;
    this.start().catch(() => undefined); // logged in start()
    return true;
  }

  schedule(): void {
    this.scheduled = true;
  }

  private start(): Promise<SnapshotJobResult> {
    if (this.running) return Promise.reject(new Error('Background save already in progress'));
    this.options.onStarted?.();
    const run = this.runChild().then(
      (result) => {
        this.options.onSaved(result);
        this.options.logger.info({ lsn: result.lsn, location: result.location, status: result.status, ms: result.ms }, 'snapshot saved');
        return result;
      },
      (error: unknown) => {
        this.options.logger.error({ err: (error as Error).message }, 'snapshot failed');
        throw error;
      },
    ).finally(() => {
      this.running = null;
      if (this.scheduled) {
        this.scheduled = false;
        this.startBackground();
      }
    });
    this.running = run;
    return run;
  }

  private runChild(): Promise<SnapshotJobResult> {
    const args = [
      keelMainPath, 'snapshot', '--log', this.options.logNodes().join(','), '--shard', String(this.options.shard),
      // Marks (MarkSnapshot takes no LSN: the serving primary is not fenced) and trims.
      '--mark', 'yes', ...this.options.storeArgs,
      ...politeSnapshotArgs,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      lowerChildPriority(child.pid, NICE_MAX);
      this.child = child;
      process.once('exit', this.killOnExit);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.length > 64 * 1024) stderr = stderr.slice(-32 * 1024);
      });
      child.once('error', (error) => {
        this.child = null;
        process.off('exit', this.killOnExit);
        reject(error);
      });
      child.once('exit', (code) => {
        this.child = null;
        process.off('exit', this.killOnExit);
        const line = stdout.trim().split('\n').pop() ?? '';
        if (code === 0 && line.startsWith('{')) {
          resolve(JSON.parse(line) as SnapshotJobResult);
          return;
        }
        const reason = /keel: (.*)/.exec(stderr)?.[1] ?? `keel snapshot exited with code ${code}`;
        reject(new Error(reason));
      });
    });
  }
}
