// `keel up`: a whole local cluster in the foreground — three log nodes (AZs a, b, c), one
// primary and --replicas replicas, and a Sentinel endpoint — under --dir; Ctrl-C stops it.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatHelp, parseFlags, UsageError, type FlagSpec, type FlagValues } from './flags.js';
import { planLayout, processAlive, readLayout, layoutPath, layoutPorts, snapshotStoreOf, splitAddr, type ClusterLayout } from '../cluster/layout.js';
import { assertClusterLimits, defaultClusterLimits } from '../cluster/limits.js';
import { busyPorts } from '../cluster/ports.js';
import { runCluster } from '../cluster/cluster-runner.js';
import type { SnapshotSchedule } from '../snapshot/schedule.js';
import { EncryptionKey } from '../snapshot/encryption.js';
import { parseS3Url } from '../snapshot/s3-store.js';
import { snapshotStoreFlags, storeSettings } from './snapshot-command.js';
import type { ClusterSettings } from '../cluster/cluster-runner.js';

export const upFlags: FlagSpec[] = [
  { name: 'dir', kind: 'string', default: 'data', value: 'DIR', help: 'cluster directory: data of every node, logs/, and the layout file cluster.json' },
  { name: 'port', kind: 'int', default: 6379, value: 'PORT', help: 'port of the first db node; the others take the next ports' },
  { name: 'log-port', kind: 'int', default: 7101, value: 'PORT', help: 'port of the first log node (AZ a); b and c take the next two' },
  { name: 'replicas', kind: 'int', default: 1, value: 'N', help: 'number of replicas besides the primary' },
  { name: 'sentinel-port', kind: 'int', default: 26379, value: 'PORT', help: 'port of the Sentinel-protocol discovery endpoint' },
  { name: 'sentinel-master-name', kind: 'string', default: 'keel', value: 'NAME', help: 'the master name clients ask Sentinel for' },
  { name: 'bind', kind: 'string', default: '127.0.0.1', value: 'ADDR', help: 'address every process listens on' },
  { name: 'log-level', kind: 'string', default: 'info', value: 'LEVEL', help: 'log level of the nodes (their logs go to DIR/logs/NAME.log)' },
  { name: 'snapshot-every-entries', kind: 'int', default: 100_000, value: 'N', help: 'run `keel snapshot` once the log holds N entries past the last snapshot (0 = not by entries)' },
  { name: 'snapshot-every-bytes', kind: 'bytes', default: 64 * 1024 * 1024, value: 'BYTES', help: 'run `keel snapshot` once the log holds BYTES of entry payloads past the last snapshot, e.g. 64mb (0 = not by bytes)' },
  { name: 'snapshot-interval', kind: 'int', default: 3600, value: 'SECONDS', help: 'run `keel snapshot` when the last snapshot is this old and the log grew since (0 = not by time)' },
  { name: 'snapshot-retain-entries', kind: 'int', default: 1000, value: 'N', help: 'log entries kept before each snapshot when the log is trimmed behind it (keel snapshot --retain-entries)' },
  { name: 'snapshot-keep', kind: 'int', default: 3, value: 'N', help: 'snapshots kept in the store, newest first (keel snapshot --keep)' },
  { name: 'snapshot-keep-days', kind: 'int', default: 0, value: 'DAYS', help: 'delete snapshots older than this; the newest is always kept (keel snapshot --keep-days; 0 = no age limit)' },
  // The same store, key and S3 flags as `keel server` and `keel snapshot`, passed to every db node and snapshot run.
  ...snapshotStoreFlags.map((spec) => (spec.name === 'snapshot-store'
    ? { ...spec, help: 'where snapshots live, for a new cluster (default: DIR/snapshots); recorded in DIR/cluster.json, so later runs need not repeat it (a different one is refused)' }
    : { ...spec, help: `${spec.help}; not recorded: give it on every keel up` })),
  { name: 'primary-timeout-ms', kind: 'int', default: 60_000, value: 'MS', help: 'give up when no primary serves this long after start' },
];

const usageLine = 'keel up [flags]';
const description = `Starts a local Keel cluster in the foreground: three log nodes (AZs a, b, c), a primary and
--replicas replicas, and a Sentinel endpoint for clients that discover the primary. Processes
that die are started again (with backoff); Ctrl-C stops everything. Running it again on the same
--dir brings the same cluster and data back (the layout is kept in DIR/cluster.json).
Snapshots: every few seconds keel up checks the log since the last snapshot (the same decision
as \`keel snapshot --if-due\`) and runs \`keel snapshot\` when any --snapshot-* threshold is
reached, or at once if the store holds no snapshot yet; the log is trimmed behind each one.
With all three thresholds 0 it takes none. --snapshot-keep/--snapshot-keep-days prune old
snapshots. --encryption-key-file and the --s3-* flags go to every db node and every snapshot
run; they are not recorded, so give them again on every keel up (the store is recorded).`;

export async function upMain(args: string[]): Promise<number> {
  const { values, help, positional } = parseFlags(upFlags, args);
  if (help) {
    console.log(formatHelp(usageLine, description, upFlags));
    return 0;
  }
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const dir = resolve(values.dir as string);
  const replicas = values.replicas as number;
  if (replicas < 0 || replicas > 16) throw new UsageError('--replicas must be between 0 and 16');
  const snapshotSchedule = {
    everyEntries: values['snapshot-every-entries'] as number, everyBytes: values['snapshot-every-bytes'] as number, intervalMs: (values['snapshot-interval'] as number) * 1000,
  };
  for (const name of ['snapshot-every-entries', 'snapshot-every-bytes', 'snapshot-interval', 'snapshot-retain-entries', 'snapshot-keep-days']) {
    if ((values[name] as number) < 0) throw new UsageError(`--${name} must not be negative`);
  }
  if ((values['snapshot-keep'] as number) < 1) throw new UsageError('--snapshot-keep must be at least 1');
  const settings = clusterSettings(values);
  const storeGiven = storeSpec(values);
  const limits = { ...defaultClusterLimits };
  assertClusterLimits(limits);
  mkdirSync(dir, { recursive: true });

  const layout = chooseLayout(dir, {
    host: values.bind as string, port: values.port as number, logPort: values['log-port'] as number, replicas,
    sentinelPort: values['sentinel-port'] as number, sentinelMasterName: values['sentinel-master-name'] as string, shard: 0,
  }, storeGiven);
  if ((values['s3-endpoint'] || values['s3-path-style']) && !layout.snapshotStore.startsWith('s3://')) {
    throw new UsageError(`--s3-endpoint and --s3-path-style apply to an s3:// store; this cluster's store is ${layout.snapshotStore} (--snapshot-store s3://BUCKET/PREFIX for a new cluster)`);
  }
  const busy = await busyPorts(layout.host, layoutPorts(layout));
  if (busy.length > 0) {
    console.error(`keel up: port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} already in use (another keel up or redis-server?); choose others with --port, --log-port, --sentinel-port, or stop what holds them`);
    return 1;
  }
  const say = (line: string) => process.stdout.write(`keel up: ${line}\n`);
  say(`starting in ${dir} (logs in ${resolve(dir, layout.logsDir)}; snapshots in ${layout.snapshotStore} ${describeSchedule(snapshotSchedule)}${settings.encryptionKeyFile ? `, encrypted with ${settings.encryptionKeyFile}` : ''})`);
  // A signal during start-up ends this process at once: the children see their IPC channel
  // close and stop themselves (child-guard). Afterwards it stops the cluster in order.
  let cluster: Awaited<ReturnType<typeof runCluster>> | null = null;
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!cluster) {
      say(`${signal} during start-up: stopping`);
      process.exit(130);
    }
    say(`${signal}: stopping every process`);
    await cluster.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
  cluster = await runCluster({ dir, layout, limits, snapshotSchedule, snapshotRetainEntries: values['snapshot-retain-entries'] as number, settings, logLevel: values['log-level'] as string, say });
  const running = cluster;
  process.on('exit', () => running.supervisor.killAllNow());

  const topology = await cluster.waitForPrimary(values['primary-timeout-ms'] as number);
  if (!topology?.primary) {
    say(`no primary serves after ${values['primary-timeout-ms']} ms; see the logs in ${resolve(dir, layout.logsDir)}`);
    await cluster.stop();
    return 1;
  }
  printWhereToConnect(layout, topology.primary.id, dir);
  return new Promise<number>(() => { /* runs until a signal */ });
}

/** The settings forwarded to the children; a key file that cannot be read or parsed is a usage error. */
function clusterSettings(values: FlagValues): ClusterSettings {
  const keyFile = values['encryption-key-file'] as string;
  const encryptionKeyFile = keyFile ? resolve(keyFile) : '';
  if (encryptionKeyFile) {
    try {
      EncryptionKey.fromFile(encryptionKeyFile);
    } catch (error) {
      throw new UsageError(`--encryption-key-file: ${(error as Error).message}`);
    }
  }
  return { encryptionKeyFile, s3: storeSettings(values), keep: values['snapshot-keep'] as number, keepDays: values['snapshot-keep-days'] as number };
}

/** --snapshot-store as the layout records it: an s3:// URL, or an absolute directory; null if not given. */
function storeSpec(values: FlagValues): string | null {
  const given = values['snapshot-store'] as string;
  if (!given) return null;
  if (!given.startsWith('s3://')) return resolve(given);
  try {
    parseS3Url(given);
  } catch (error) {
    throw new UsageError(`--snapshot-store: ${(error as Error).message}`);
  }
  return given.replace(/\/+$/, '');
}


/** "after 100000 entries, 64 MiB or 3600 s": the criteria that are on. */
export function describeSchedule(schedule: SnapshotSchedule): string {
  const criteria = [
    schedule.everyEntries > 0 ? `${schedule.everyEntries} entries` : null,
    schedule.everyBytes > 0 ? formatBytes(schedule.everyBytes) : null,
    schedule.intervalMs > 0 ? `${schedule.intervalMs / 1000} s` : null,
  ].filter((criterion) => criterion !== null);
  return criteria.length === 0 ? 'never (every --snapshot-* threshold is 0)' : `after ${criteria.join(', ').replace(/, ([^,]*)$/, ' or $1')}`;
}

function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

/**
 * The recorded layout when the directory holds one (same ids, ports and data), else a new
 * plan. A new cluster takes the given store (`store`: from --snapshot-store, null if not
 * given); a recorded one keeps its own, since its snapshots are what the db nodes load from.
 */
function chooseLayout(dir: string, plan: Parameters<typeof planLayout>[0], store: string | null): ClusterLayout {
  const recorded = readLayout(dir);
  if (!recorded) {
    const layout = planLayout(plan);
    if (store !== null) layout.snapshotStore = store === resolve(dir, 'snapshots') ? 'snapshots' : store;
    return layout;
  }
  if (processAlive(recorded.supervisorPid) && recorded.supervisorPid !== process.pid) {
    throw new UsageError(`a keel up (pid ${recorded.supervisorPid}) already runs this cluster (${layoutPath(dir)})`);
  }
  if (store !== null && snapshotStoreOf(dir, recorded) !== store) {
    throw new UsageError(`--snapshot-store ${store} differs from the store recorded in ${layoutPath(dir)} (${snapshotStoreOf(dir, recorded)}): its snapshots are what the db nodes load from; drop the flag, or lay out a new cluster (new --dir)`);
  }
  const planned = planLayout(plan);
  const differs = planned.dbNodes.length !== recorded.dbNodes.length
    || planned.dbNodes[0]!.addr !== recorded.dbNodes[0]!.addr
    || planned.logNodes[0]!.addr !== recorded.logNodes[0]!.addr
    || planned.sentinel.addr !== recorded.sentinel.addr
    || planned.sentinel.masterName !== recorded.sentinel.masterName;
  if (differs) {
    process.stdout.write(`keel up: using the layout recorded in ${layoutPath(dir)} (its ports and nodes), not the flags; delete that file to lay the cluster out anew (the data stays)\n`);
  }
  return recorded;
}

function printWhereToConnect(layout: ClusterLayout, primaryId: string, dir: string): void {
  const rows: string[][] = [];
  for (const node of layout.dbNodes) rows.push([node.id === primaryId ? 'primary' : 'replica', node.id, node.addr, `AZ ${node.az}`]);
  rows.push(['sentinel', '', layout.sentinel.addr, `master name '${layout.sentinel.masterName}'`]);
  for (const node of layout.logNodes) rows.push(['log node', node.id, node.addr, `AZ ${node.id}`]);
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const primary = splitAddr(layout.dbNodes.find((node) => node.id === primaryId)!.addr);
  const sentinel = splitAddr(layout.sentinel.addr);
  process.stdout.write([
    `keel up: cluster ready in ${dir}`,
    ...rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd()),
    '',
    `Connect:   redis-cli -h ${primary.host} -p ${primary.port}`,
    `Sentinel:  new Redis({ sentinels: [{ host: '${sentinel.host}', port: ${sentinel.port} }], name: '${layout.sentinel.masterName}' })   (ioredis)`,
    `Status:    keel status --dir ${dir}      Failover: keel failover --dir ${dir}`,
    'Ctrl-C stops the cluster.',
    '',
  ].join('\n'));
}
