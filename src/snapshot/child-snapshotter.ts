// SAVE / BGSAVE on a database node: runs `keel snapshot` as a child process with the node's
// own log addresses, shard and store. The child reads snapshot + log itself (off-box in
// spirit): the node's event loop never serializes its data set, and a slow snapshot cannot
// stall client traffic. One snapshot at a time.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { SnapshotServices } from '../commands/server-services.js';
import type { SnapshotJobResult } from './snapshotter.js';

/** dist/src/snapshot/ → dist/src/cli/main.js */
export const keelMainPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

/** Niceness of SAVE/BGSAVE children (0 = normal, 19 = lowest). */
const childNiceness = 10;

export interface ChildSnapshotterOptions {
  /** The log nodes as the node reaches them (the embedded log's address is known only once it runs). */
  logNodes: () => string[];
  shard: number;
  /** Store, S3 and key flags, exactly as given to `keel server` (passed on unchanged). */
  storeArgs: string[];
  /** Whether the child appends the Snapshot marker and trims (see README: a marker from another writer fences the primary). */
  mark: boolean;
  logger: Logger;
  onSaved: (result: SnapshotJobResult) => void;
}

export class ChildSnapshotter implements SnapshotServices {
  private running: Promise<SnapshotJobResult> | null = null;
  private scheduled = false;

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
      '--mark', this.options.mark ? 'yes' : 'no', ...this.options.storeArgs,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      // Below the node's own priority: on a shared host the primary's latency comes first.
      try {
        if (child.pid !== undefined) setPriority(child.pid, childNiceness);
      } catch { /* not permitted here: run at normal priority */ }
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.length > 64 * 1024) stderr = stderr.slice(-32 * 1024);
      });
      child.once('error', reject);
      child.once('exit', (code) => {
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
