// `keel snapshot`, `keel restore`, `keel backup`: the off-box snapshotter and the disaster
// recovery tools. Each prints one JSON line with its result on stdout (for supervisors and
// scripts), progress on a terminal (stderr) and structured logs on stderr.
//
// Exit codes: 0 done (or nothing to do), 1 unexpected failure, 2 usage, 3 the log service is
// unreachable, 4 a snapshot problem (corrupt, wrong key, verification failed, none found).
import pino, { type Logger } from 'pino';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { LogClient } from '../../log-service/client/log-client.js';
import { LogError } from '../../log-service/errors.js';
import { formatHelp, parseFlags, UsageError, type FlagSpec, type FlagValues } from './flags.js';
import { EncryptionKey } from '../snapshot/encryption.js';
import { SnapshotError } from '../snapshot/errors.js';
import { assertSnapshotLimits, defaultSnapshotLimits } from '../snapshot/limits.js';
import { closeStore, openLocation, openStore, type S3Settings } from '../snapshot/open-store.js';
import { runSnapshotJob } from '../snapshot/snapshotter.js';
import { checkSnapshotDue } from '../snapshot/schedule.js';
import { backupLatest, restoreSnapshot } from '../snapshot/restore.js';
import type { SnapshotStore } from '../snapshot/store.js';

export const exitCodes = { ok: 0, failed: 1, usage: 2, logUnavailable: 3, snapshot: 4 } as const;

/** Flags shared by `keel server`, `keel snapshot`, `keel restore` and `keel backup`. */
export const snapshotStoreFlags: FlagSpec[] = [
  { name: 'snapshot-store', kind: 'string', default: '', value: 'DIR|s3://BUCKET/PREFIX', help: 'where snapshots live (default: <--dir>/snapshots)' },
  { name: 'encryption-key-file', kind: 'string', default: '', value: 'FILE', help: 'AES-256-GCM key (32 bytes raw, hex or base64) for snapshots and log payloads at rest' },
  { name: 's3-endpoint', kind: 'string', default: '', value: 'URL', help: 'S3 endpoint for S3-compatible servers (default: AWS)' },
  { name: 's3-region', kind: 'string', default: 'us-east-1', value: 'REGION', help: 'S3 region' },
  { name: 's3-path-style', kind: 'bool', default: false, help: 'path-style S3 URLs (most S3-compatible servers need it)' },
];

const commonFlags: FlagSpec[] = [
  { name: 'dir', kind: 'string', default: 'data', value: 'DIR', help: 'data directory (the default store is <DIR>/snapshots)' },
  ...snapshotStoreFlags,
  { name: 'databases', kind: 'int', default: 16, value: 'N', help: 'number of logical databases' },
  { name: 'log-level', kind: 'string', default: 'info', value: 'LEVEL', help: 'log level: fatal, error, warn, info, debug, trace' },
];

export const snapshotFlags: FlagSpec[] = [
  { name: 'log', kind: 'list', default: [], value: 'ADDR,ADDR,ADDR', help: 'log nodes (host:port) — required' },
  { name: 'shard', kind: 'int', default: 0, value: 'N', help: 'shard number (the log named shard-N)' },
  ...commonFlags,
  { name: 'mark', kind: 'bool', default: true, help: 'append the Snapshot marker to the log (moves the trim guard) and trim; `no`: only write and verify. Use `no` while a primary serves: an entry from another writer fences it (it steps down and is re-elected)' },
  { name: 'retain-entries', kind: 'int', default: 1000, value: 'N', help: 'log entries kept before the snapshot when trimming' },
  { name: 'keep', kind: 'int', default: 3, value: 'N', help: 'snapshots kept per shard (newest first)' },
  { name: 'keep-days', kind: 'int', default: 0, value: 'DAYS', help: 'delete snapshots older than this (0 = no age limit; the newest is always kept)' },
  { name: 'force', kind: 'bool', default: false, help: 'write a snapshot even if the newest one is already at the log tail' },
  { name: 'if-due', kind: 'bool', default: false, help: 'only if the schedule below says so; otherwise print {"status":"not-due",…} and exit 0' },
  { name: 'snapshot-every-entries', kind: 'int', default: 100_000, value: 'N', help: 'with --if-due: log entries since the newest snapshot (0 = not a criterion)' },
  { name: 'snapshot-every-bytes', kind: 'bytes', default: 64 * 1024 * 1024, value: 'BYTES', help: 'with --if-due: log payload bytes since the newest snapshot (0 = not a criterion)' },
  { name: 'snapshot-interval', kind: 'int', default: 3600, value: 'SECONDS', help: 'with --if-due: age of the newest snapshot (0 = not a criterion)' },
];

export function storeSettings(values: FlagValues): S3Settings {
  return { endpoint: values['s3-endpoint'] as string, region: values['s3-region'] as string, forcePathStyle: values['s3-path-style'] as boolean };
}

/** The store named by --snapshot-store, default <dir>/snapshots. */
export function storeFromFlags(values: FlagValues, dir: string): SnapshotStore {
  const spec = (values['snapshot-store'] as string) || join(dir, 'snapshots');
  return openStore(spec, storeSettings(values), defaultSnapshotLimits);
}

/** The flags a `keel snapshot` child needs to use the same store and key as this process. */
export function snapshotChildArgs(values: FlagValues, dir: string): string[] {
  const store = (values['snapshot-store'] as string) || join(dir, 'snapshots');
  const args = ['--snapshot-store', store.startsWith('s3://') ? store : resolve(store), '--databases', String(values.databases ?? 16)];
  if (values['encryption-key-file']) args.push('--encryption-key-file', resolve(values['encryption-key-file'] as string));
  if (values['s3-endpoint']) args.push('--s3-endpoint', values['s3-endpoint'] as string);
  args.push('--s3-region', values['s3-region'] as string, '--s3-path-style', values['s3-path-style'] ? 'yes' : 'no');
  return args;
}

export function keyFromFlags(values: FlagValues): EncryptionKey | null {
  const path = values['encryption-key-file'] as string;
  return path ? EncryptionKey.fromFile(path) : null;
}

function makeLogger(values: FlagValues, component: string): Logger {
  return pino({ level: values['log-level'] as string, base: { component } }, pino.destination(2));
}

/** Runs a command body, mapping expected failures to exit codes with one clear line. */
async function guarded(logger: Logger, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ err: message }, 'failed');
    process.stderr.write(`keel: ${message}\n`);
    if (error instanceof SnapshotError) return exitCodes.snapshot;
    if (error instanceof LogError && ['QUORUM_UNAVAILABLE', 'TIMEOUT', 'CLOSED', 'NOT_LEADER'].includes(error.code)) return exitCodes.logUnavailable;
    return exitCodes.failed;
  }
}

const exitCodesHelp = '\nExit codes: 0 done (or already up to date), 1 unexpected failure, 2 usage, 3 log service unreachable, 4 snapshot problem (corrupt, wrong key, verification failed).\nOn success it prints one JSON line on stdout.';

export async function snapshotMain(args: string[]): Promise<number> {
  const { values, help } = parseFlags(snapshotFlags, args);
  if (help) {
    console.log(formatHelp('keel snapshot --log ADDRS [--shard N] [--snapshot-store DIR|s3://…] [flags]',
      'Takes a snapshot of one shard off-box: loads the latest snapshot, replays the log to its current tail, writes and verifies the new snapshot, marks it in the log, trims the log behind it and prunes old snapshots. Never talks to the primary.', snapshotFlags) + exitCodesHelp);
    return 0;
  }
  const logNodes = values.log as string[];
  if (logNodes.length === 0) throw new UsageError('--log is required (host:port of the log nodes)');
  const keep = values.keep as number;
  if (keep < 1) throw new UsageError('--keep must be at least 1');
  if ((values['retain-entries'] as number) < 0 || (values['keep-days'] as number) < 0) throw new UsageError('--retain-entries and --keep-days must not be negative');
  assertSnapshotLimits(defaultSnapshotLimits);
  const logger = makeLogger(values, 'snapshotter');
  return guarded(logger, async () => {
    const key = keyFromFlags(values);
    const store = storeFromFlags(values, values.dir as string);
    const client = new LogClient({ nodes: logNodes, writerId: `snapshotter-${process.pid}-${Date.now()}` });
    try {
      if (values['if-due'] as boolean) {
        const schedule = { everyEntries: values['snapshot-every-entries'] as number, everyBytes: values['snapshot-every-bytes'] as number, intervalMs: 1000 * (values['snapshot-interval'] as number) };
        const check = await checkSnapshotDue(client, `shard-${values.shard as number}`, store, values.shard as number, schedule, defaultSnapshotLimits.replayEntriesMax);
        logger.info(check, check.due ? 'snapshot due' : 'snapshot not due');
        if (!check.due) {
          process.stdout.write(`${JSON.stringify({ status: 'not-due', shard: values.shard, ...check })}\n`);
          return;
        }
      }
      const result = await runSnapshotJob({
        client, shard: values.shard as number, store, key, limits: defaultSnapshotLimits, databases: values.databases as number, logger,
        mark: values.mark as boolean, retainEntries: values['retain-entries'] as number, keep, keepDays: values['keep-days'] as number, force: values.force as boolean,
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      client.close();
      closeStore(store);
    }
  });
}

const restoreFlags: FlagSpec[] = [
  { name: 'from', kind: 'string', default: '', value: 'PATH|s3://BUCKET/KEY', help: 'the snapshot file to restore — required' },
  { name: 'shard', kind: 'int', default: -1, value: 'N', help: 'shard of the new cluster (default: the snapshot\'s)' },
  ...commonFlags,
  { name: 'force', kind: 'bool', default: false, help: 'seed even if the target store already holds snapshots of the shard' },
];

export async function restoreMain(args: string[]): Promise<number> {
  const { values, help } = parseFlags(restoreFlags, args);
  if (help) {
    console.log(formatHelp('keel restore --from PATH|s3://BUCKET/KEY --dir NEW_CLUSTER_DIR [flags]',
      'Seeds a NEW cluster from a snapshot (disaster recovery): verifies it and writes it into the new cluster\'s snapshot store as the state before the first entry of its new log. Start the new cluster with the same --dir (or --snapshot-store) afterwards.', restoreFlags) + exitCodesHelp);
    return 0;
  }
  const from = values.from as string;
  if (!from) throw new UsageError('--from is required');
  const dir = values.dir as string;
  if (existsSync(join(dir, 'log')) && !(values.force as boolean)) {
    throw new UsageError(`${dir}/log exists: restore seeds a new cluster, whose log must be empty (use a new --dir, or --force)`);
  }
  const logger = makeLogger(values, 'restore');
  return guarded(logger, async () => {
    const key = keyFromFlags(values);
    const source = openLocation(from, storeSettings(values), defaultSnapshotLimits);
    const target = storeFromFlags(values, dir);
    try {
      const shard = values.shard as number;
      const result = await restoreSnapshot({
        source, target, shard: shard >= 0 ? shard : null, databases: values.databases as number, key, limits: defaultSnapshotLimits, logger, force: values.force as boolean,
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      closeStore(source.store);
      closeStore(target);
    }
  });
}

const backupFlags: FlagSpec[] = [
  { name: 'to', kind: 'string', default: '', value: 'DIR|s3://BUCKET/PREFIX', help: 'where to copy the snapshot — required' },
  { name: 'shard', kind: 'int', default: 0, value: 'N', help: 'shard number' },
  ...commonFlags,
];

export async function backupMain(args: string[]): Promise<number> {
  const { values, help } = parseFlags(backupFlags, args);
  if (help) {
    console.log(formatHelp('keel backup --to DIR|s3://BUCKET/PREFIX [--snapshot-store …] [flags]',
      'Copies the latest snapshot that passes every checksum out of the cluster\'s store, and checks the copy.', backupFlags) + exitCodesHelp);
    return 0;
  }
  const to = values.to as string;
  if (!to) throw new UsageError('--to is required');
  const logger = makeLogger(values, 'backup');
  return guarded(logger, async () => {
    const key = keyFromFlags(values);
    const source = storeFromFlags(values, values.dir as string);
    const target = openStore(to, storeSettings(values), defaultSnapshotLimits);
    try {
      const result = await backupLatest({ source, target, shard: values.shard as number, key, limits: defaultSnapshotLimits, logger });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      closeStore(source);
      closeStore(target);
    }
  });
}
