// `keel snapshot`, `keel restore`, `keel backup`: the off-box snapshotter and the disaster
// recovery tools. Each prints one JSON line with its result on stdout (for supervisors and
// scripts), progress on a terminal (stderr) and structured logs on stderr.
//
// Exit codes: 0 done (or nothing to do), 1 unexpected failure, 2 usage, 3 the log service is
// unreachable, 4 a snapshot problem (corrupt, wrong key, verification failed, none found).
// The heavy modules (pino, the log client, the engine behind the snapshotter, restore) are
// imported only after the command has lowered its CPU priority: loading and compiling them is
// a good part of a short snapshot's CPU time, and it must not run at the primary's priority.
import type { Logger } from 'pino';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { LogError } from '../../log-service/errors.js';
import { formatHelp, parseFlags, UsageError, type FlagSpec, type FlagValues } from './flags.js';
import { EncryptionKey } from '../snapshot/encryption.js';
import { SnapshotError } from '../snapshot/errors.js';
import { assertSnapshotLimits, defaultSnapshotLimits } from '../snapshot/limits.js';
import { closeStore, openLocation, openStore, storeChildArgs, type S3Settings } from '../snapshot/open-store.js';
import type { SnapshotStore } from '../snapshot/store.js';
import { lowerChildPriority, lowerOwnPriority, NICE_MAX, NICE_MIN } from '../snapshot/priority.js';
import { keelMainPath } from '../snapshot/child-snapshotter.js';
import type { ReadFrom } from '../snapshot/log-reader.js';
import { PACE_BYTES_PER_SEC_MIN } from '../snapshot/pace.js';
import { layoutPath, processAlive, readLayout, snapshotStoreOf, type ClusterLayout } from '../cluster/layout.js';

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
  { name: 'dir', kind: 'string', default: 'data', value: 'DIR', help: 'cluster or data directory: a `keel up` cluster\'s DIR/cluster.json gives the log nodes, shard and store; otherwise the default store is <DIR>/snapshots' },
  ...snapshotStoreFlags,
  { name: 'databases', kind: 'int', default: 16, value: 'N', help: 'number of logical databases' },
  { name: 'log-level', kind: 'string', default: 'info', value: 'LEVEL', help: 'log level: fatal, error, warn, info, debug, trace' },
];

/** Flags that keep a snapshot from slowing the primary down (see src/snapshot/README.md). */
const niceFlag: FlagSpec = { name: 'nice', kind: 'int', default: NICE_MAX, value: `${NICE_MIN}..${NICE_MAX}`, help: 'CPU niceness of this process and all its threads (19 = lowest priority)' };

const politeFlags: FlagSpec[] = [
  niceFlag,
  { name: 'background', kind: 'bool', default: false, help: 'do the work in a child in its own session and process group (own scheduling autogroup, niced too; no terminal signals); this process relays its output and exit code' },
];

export const snapshotFlags: FlagSpec[] = [
  { name: 'log', kind: 'list', value: 'ADDR,ADDR,ADDR', help: 'log nodes (host:port); default: those of the cluster in --dir (DIR/cluster.json)' },
  { name: 'shard', kind: 'int', value: 'N', help: 'shard number (the log named shard-N); default: the cluster\'s in --dir, else 0' },
  ...commonFlags,
  { name: 'read-from', kind: 'string', default: 'follower', value: 'follower|leader', help: 'which log node the replay reads: a follower keeps the load off the leader that takes the primary\'s appends (the leader if no follower keeps up)' },
  { name: 'bytes-per-sec', kind: 'bytes', default: 0, value: 'BYTES', help: `pace of all the job reads and writes (the newest snapshot, the log, the new snapshot, its read-back), e.g. 8mb (0 = no limit; else at least ${PACE_BYTES_PER_SEC_MIN / 1024}kb)` },
  ...politeFlags,
  { name: 'mark', kind: 'bool', default: true, help: 'record the snapshot in the log (MarkSnapshot: moves the trim guard, takes no LSN, safe while a primary serves) and trim; `no`: only write and verify' },
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
  const keyFile = values['encryption-key-file'] ? resolve(values['encryption-key-file'] as string) : '';
  return [...storeChildArgs(store.startsWith('s3://') ? store : resolve(store), storeSettings(values), keyFile), '--databases', String(values.databases ?? 16)];
}

/** The cluster a command works on: --log/--shard/--snapshot-store, else the layout in --dir. */
export interface ClusterSource {
  logNodes: string[];
  shard: number;
  /** The store spec (directory or s3:// URL). */
  store: string;
  /** The layout file used, if any. */
  layoutFile: string | null;
}

function readLayoutOrUsage(dir: string): ClusterLayout | null {
  try {
    return readLayout(dir);
  } catch (error) {
    throw new UsageError(`cannot read the cluster layout ${layoutPath(dir)}: ${(error as Error).message}`);
  }
}

/** --snapshot-store if given, else the store of the cluster laid out in `dir`, else <dir>/snapshots. */
function storeSpecOf(values: FlagValues, dir: string, layout: ClusterLayout | null): string {
  return (values['snapshot-store'] as string) || (layout ? snapshotStoreOf(dir, layout) : join(dir, 'snapshots'));
}

/**
 * What `keel status --dir D` does for snapshots: flags given win; what they leave out comes
 * from D/cluster.json (written by `keel up`) when there is one; the store falls back to
 * <D>/snapshots and the shard to 0.
 */
export function clusterFromFlags(values: FlagValues): ClusterSource {
  const dir = resolve(values.dir as string);
  const layout = readLayoutOrUsage(dir);
  const given = (values.log as string[] | undefined) ?? [];
  const shard = (values.shard as number | undefined) ?? layout?.shard ?? 0;
  if (!Number.isSafeInteger(shard) || shard < 0) throw new UsageError(`--shard must be a non-negative integer, got ${shard}`);
  return {
    logNodes: given.length > 0 ? given : layout?.logNodes.map((node) => node.addr) ?? [],
    shard,
    store: storeSpecOf(values, dir, layout),
    layoutFile: layout ? layoutPath(dir) : null,
  };
}

function niceFromFlags(values: FlagValues): number {
  const nice = values.nice as number;
  if (nice < NICE_MIN || nice > NICE_MAX) throw new UsageError(`--nice must be in ${NICE_MIN}..${NICE_MAX} (it only lowers priority), got ${nice}`);
  return nice;
}

/** Checks --nice, --read-from and --bytes-per-sec: a one-line usage error when wrong. */
function politeSettings(values: FlagValues): { nice: number; readFrom: ReadFrom; bytesPerSec: number } {
  const nice = niceFromFlags(values);
  const readFrom = values['read-from'] as string;
  if (readFrom !== 'follower' && readFrom !== 'leader') throw new UsageError(`--read-from must be follower or leader, got '${readFrom}'`);
  const bytesPerSec = values['bytes-per-sec'] as number;
  if (bytesPerSec !== 0 && bytesPerSec < PACE_BYTES_PER_SEC_MIN) {
    throw new UsageError(`--bytes-per-sec must be 0 (no limit) or at least ${PACE_BYTES_PER_SEC_MIN} (64kb), got ${bytesPerSec}`);
  }
  return { nice, readFrom, bytesPerSec };
}

/**
 * --background: runs `keel <command> … --background no` in its own session and process group
 * (setsid: Ctrl-C and the terminal's job control do not reach it, and under autogroup
 * scheduling it is its own group, which it then nices). This process only relays: the child's
 * stdout/stderr are ours, its exit code is ours, and SIGINT/SIGTERM are passed on to it.
 */
function runInBackground(command: string, args: string[], nice: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [keelMainPath, command, ...args, '--background', 'no'], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
    lowerChildPriority(child.pid, nice); // its start-up too; it renices all its threads itself
    const forward = (signal: NodeJS.Signals) => () => { if (child.pid !== undefined) { try { process.kill(-child.pid, signal); } catch { /* gone */ } } };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolvePromise(code ?? (signal ? exitCodes.failed : exitCodes.ok));
    });
  });
}

export function keyFromFlags(values: FlagValues): EncryptionKey | null {
  const path = values['encryption-key-file'] as string;
  return path ? EncryptionKey.fromFile(path) : null;
}

async function makeLogger(values: FlagValues, component: string): Promise<Logger> {
  const { default: pino } = await import('pino');
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
  const { values, help, positional } = parseFlags(snapshotFlags, args);
  if (help) {
    console.log(formatHelp('keel snapshot [--dir CLUSTER_DIR | --log ADDRS [--shard N] [--snapshot-store DIR|s3://…]] [flags]',
      'Takes a snapshot of one shard off-box: loads the latest snapshot, replays the log (from a follower log node) to its current tail, writes and verifies the new snapshot, marks it in the log, trims the log behind it and prunes old snapshots. Never talks to the primary, and runs at the lowest CPU priority (--nice).', snapshotFlags) + exitCodesHelp);
    return 0;
  }
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const source = clusterFromFlags(values);
  if (source.logNodes.length === 0) {
    throw new UsageError(`--log is required (host:port of the log nodes), or --dir of a \`keel up\` cluster (no ${layoutPath(resolve(values.dir as string))})`);
  }
  const keep = values.keep as number;
  if (keep < 1) throw new UsageError('--keep must be at least 1');
  if ((values['retain-entries'] as number) < 0 || (values['keep-days'] as number) < 0) throw new UsageError('--retain-entries and --keep-days must not be negative');
  const polite = politeSettings(values);
  assertSnapshotLimits(defaultSnapshotLimits);
  if (values.background as boolean) return runInBackground('snapshot', args, polite.nice);
  const priority = lowerOwnPriority(polite.nice);
  const [logger, { LogClient }, { runSnapshotJob }, { checkSnapshotDue }] = await Promise.all([
    makeLogger(values, 'snapshotter'), import('../../log-service/client/log-client.js'), import('../snapshot/snapshotter.js'), import('../snapshot/schedule.js'),
  ]);
  logger.info({ ...priority, layout: source.layoutFile, log: source.logNodes, shard: source.shard, store: source.store, readFrom: polite.readFrom, bytesPerSec: polite.bytesPerSec }, 'snapshot: starting');
  return guarded(logger, async () => {
    const key = keyFromFlags(values);
    const store = openStore(source.store, storeSettings(values), defaultSnapshotLimits);
    const client = new LogClient({ nodes: source.logNodes, writerId: `snapshotter-${process.pid}-${Date.now()}` });
    try {
      if (values['if-due'] as boolean) {
        const schedule = { everyEntries: values['snapshot-every-entries'] as number, everyBytes: values['snapshot-every-bytes'] as number, intervalMs: 1000 * (values['snapshot-interval'] as number) };
        const check = await checkSnapshotDue(client, `shard-${source.shard}`, store, source.shard, schedule, defaultSnapshotLimits.replayEntriesMax);
        logger.info(check, check.due ? 'snapshot due' : 'snapshot not due');
        if (!check.due) {
          process.stdout.write(`${JSON.stringify({ status: 'not-due', shard: source.shard, ...check })}\n`);
          return;
        }
      }
      const result = await runSnapshotJob({
        client, shard: source.shard, store, key, limits: defaultSnapshotLimits, databases: values.databases as number, logger,
        mark: values.mark as boolean, retainEntries: values['retain-entries'] as number, keep, keepDays: values['keep-days'] as number, force: values.force as boolean,
        readFrom: polite.readFrom, bytesPerSec: polite.bytesPerSec,
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
  { name: 'shard', kind: 'int', value: 'N', help: 'shard of the new cluster (default: the layout\'s in --dir, else the snapshot\'s)' },
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
  const dir = resolve(values.dir as string);
  // A `keel up` layout in --dir (say, laid out for the new cluster) names the store, the shard
  // and the log directories that must still be empty.
  const layout = readLayoutOrUsage(dir);
  if (layout && processAlive(layout.supervisorPid) && !(values.force as boolean)) {
    throw new UsageError(`the cluster in ${dir} is running (keel up pid ${layout.supervisorPid}): restore seeds a new cluster (stop it, use a new --dir, or --force)`);
  }
  const logDirs = layout ? layout.logNodes.map((node) => join(dir, node.dir)) : [join(dir, 'log')];
  const used = logDirs.find((logDir) => existsSync(logDir) && readdirSync(logDir).length > 0);
  if (used !== undefined && !(values.force as boolean)) {
    throw new UsageError(`${used} exists: restore seeds a new cluster, whose log must be empty (use a new --dir, or --force)`);
  }
  const shardGiven = values.shard as number | undefined;
  if (shardGiven !== undefined && shardGiven < 0) throw new UsageError(`--shard must be a non-negative integer, got ${shardGiven}`);
  const shard = shardGiven ?? layout?.shard ?? null;
  const targetSpec = storeSpecOf(values, dir, layout);
  const [logger, { restoreSnapshot }] = await Promise.all([makeLogger(values, 'restore'), import('../snapshot/restore.js')]);
  return guarded(logger, async () => {
    const key = keyFromFlags(values);
    const source = openLocation(from, storeSettings(values), defaultSnapshotLimits);
    const target = openStore(targetSpec, storeSettings(values), defaultSnapshotLimits);
    try {
      const result = await restoreSnapshot({
        source, target, shard, databases: values.databases as number, key, limits: defaultSnapshotLimits, logger, force: values.force as boolean,
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
  { name: 'shard', kind: 'int', value: 'N', help: 'shard number (default: the cluster\'s in --dir, else 0)' },
  ...commonFlags,
  niceFlag,
];

export async function backupMain(args: string[]): Promise<number> {
  const { values, help } = parseFlags(backupFlags, args);
  if (help) {
    console.log(formatHelp('keel backup --to DIR|s3://BUCKET/PREFIX [--dir CLUSTER_DIR | --snapshot-store …] [flags]',
      'Copies the latest snapshot that passes every checksum out of the cluster\'s store, and checks the copy.', backupFlags) + exitCodesHelp);
    return 0;
  }
  const to = values.to as string;
  if (!to) throw new UsageError('--to is required');
  const nice = niceFromFlags(values);
  const cluster = clusterFromFlags(values);
  const priority = lowerOwnPriority(nice);
  const [logger, { backupLatest }] = await Promise.all([makeLogger(values, 'backup'), import('../snapshot/restore.js')]);
  logger.info({ ...priority, layout: cluster.layoutFile, store: cluster.store, shard: cluster.shard }, 'backup: starting');
  return guarded(logger, async () => {
    const key = keyFromFlags(values);
    const source = openStore(cluster.store, storeSettings(values), defaultSnapshotLimits);
    const target = openStore(to, storeSettings(values), defaultSnapshotLimits);
    try {
      const result = await backupLatest({ source, target, shard: cluster.shard, key, limits: defaultSnapshotLimits, logger });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      closeStore(source);
      closeStore(target);
    }
  });
}
