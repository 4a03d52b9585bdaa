// `keel up`'s engine: given a layout and a directory, starts the three log nodes and the db
// nodes under a Supervisor, watches them with Discovery, serves the Sentinel endpoint, and
// keeps <dir>/cluster.json current (pids). The db nodes elect the primary; this only asks.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Supervisor } from './supervisor.js';
import { Discovery } from './discovery.js';
import { SentinelServer } from './sentinel-server.js';
import { snapshotStoreOf, splitAddr, writeLayout, type ClusterLayout, type DbNodeLayout } from './layout.js';
import type { ClusterLimits } from './limits.js';
import type { Topology } from './topology.js';
import { SnapshotScheduler } from './snapshot-schedule.js';
import type { SnapshotSchedule } from '../snapshot/schedule.js';
import { defaultSnapshotLimits } from '../snapshot/limits.js';
import { defaultS3Settings, openStore, storeChildArgs, type S3Settings } from '../snapshot/open-store.js';

export interface ClusterRunOptions {
  dir: string;
  layout: ClusterLayout;
  limits: ClusterLimits;
  logLevel: string;
  /** When `keel snapshot` runs: the same criteria as `keel snapshot --if-due`. */
  snapshotSchedule: SnapshotSchedule;
  /** Log entries each snapshot keeps before its LSN when it trims (keel snapshot --retain-entries). */
  snapshotRetainEntries: number;
  /** Store, key and retention settings forwarded to every db node and snapshot run (not recorded). */
  settings?: ClusterSettings;
  /** Supervisor messages (restarts, primary changes) go here, one line each. */
  say: (line: string) => void;
}

/**
 * What `keel up` forwards to its children but does not record in cluster.json: the same flags
 * as `keel server`/`keel snapshot` (--encryption-key-file, --s3-*), and the retention of the
 * snapshot runs (--keep, --keep-days). The store itself is the layout's (snapshotStore).
 */
export interface ClusterSettings {
  /** Absolute path of the key file, or '' for none. */
  encryptionKeyFile: string;
  s3: S3Settings;
  /** Snapshots kept per shard (keel snapshot --keep). */
  keep: number;
  /** keel snapshot --keep-days (0 = no age limit). */
  keepDays: number;
}

export const defaultClusterSettings: ClusterSettings = { encryptionKeyFile: '', s3: defaultS3Settings, keep: 3, keepDays: 0 };

/** The store, key and S3 flags shared by db nodes and snapshot runs. */
function storeArgs(dir: string, layout: ClusterLayout, settings: ClusterSettings): string[] {
  return storeChildArgs(snapshotStoreOf(dir, layout), settings.s3, settings.encryptionKeyFile);
}

export interface RunningCluster {
  layout: ClusterLayout;
  supervisor: Supervisor;
  discovery: Discovery;
  sentinel: SentinelServer;
  /** Waits until discovery sees a serving primary; null after timeoutMs. */
  waitForPrimary(timeoutMs: number): Promise<Topology | null>;
  stop(): Promise<void>;
}

export function logNodeArgs(dir: string, layout: ClusterLayout, id: string, logLevel: string): string[] {
  const node = layout.logNodes.find((candidate) => candidate.id === id)!;
  const peers = layout.logNodes.map((peer) => `${peer.id}=${peer.addr}`).join(',');
  return ['log-node', '--id', node.id, '--listen', node.addr, '--dir', join(dir, node.dir), '--peers', peers, '--log-level', logLevel];
}

export function dbNodeArgs(dir: string, layout: ClusterLayout, node: DbNodeLayout, logLevel: string, settings: ClusterSettings = defaultClusterSettings): string[] {
  const { host, port } = splitAddr(node.addr);
  return [
    'server', '--port', String(port), '--bind', host, '--dir', join(dir, node.dir),
    '--log', layout.logNodes.map((logNode) => logNode.addr).join(','),
    '--node-id', node.id, '--shard', String(layout.shard), '--az', node.az, '--log-level', logLevel,
    ...storeArgs(dir, layout, settings),
  ];
}

export function snapshotArgs(dir: string, layout: ClusterLayout, logLevel: string, retainEntries: number, settings: ClusterSettings = defaultClusterSettings): string[] {
  return [
    '--log', layout.logNodes.map((logNode) => logNode.addr).join(','), '--shard', String(layout.shard),
    '--dir', dir, ...storeArgs(dir, layout, settings), '--log-level', logLevel, '--retain-entries', String(retainEntries),
    '--keep', String(settings.keep), '--keep-days', String(settings.keepDays),
  ];
}

export async function runCluster(options: ClusterRunOptions): Promise<RunningCluster> {
  const { dir, layout, limits, say } = options;
  const settings = options.settings ?? defaultClusterSettings;
  mkdirSync(join(dir, layout.logsDir), { recursive: true });
  layout.supervisorPid = process.pid;
  const saveLayout = () => writeLayout(dir, layout);
  const nameOf = (node: { id: string }) => (layout.logNodes.some((logNode) => logNode === node) ? `log-${node.id}` : node.id);
  const discovery = new Discovery({
    nodes: layout.dbNodes.map((node) => ({ id: node.id, addr: node.addr })),
    pollMs: limits.discoveryPollMs,
    pollFastMs: limits.discoveryPollFastMs,
    requestTimeoutMs: limits.discoveryRequestTimeoutMs,
  });
  const supervisor = new Supervisor(join(dir, layout.logsDir), limits, {
    spawned: (name, pid, restarts) => {
      const node = [...layout.logNodes, ...layout.dbNodes].find((candidate) => nameOf(candidate) === name);
      if (node) node.pid = pid;
      saveLayout();
      if (restarts > 0) say(`${name} started again (pid ${pid})`);
    },
    restarting: (name, exit, delayMs, restarts) => say(`${name} ended (${exit}); starting it again in ${delayMs} ms (restart ${restarts}; log ${join(dir, layout.logsDir, `${name}.log`)})`),
  });
  const sentinelAddr = splitAddr(layout.sentinel.addr);
  const sentinel = new SentinelServer({ host: sentinelAddr.host, port: sentinelAddr.port, masterName: layout.sentinel.masterName, discovery, limits });
  discovery.onEvent((event, topology) => {
    if (event.kind === 'switch-master') say(`primary is now ${event.toId} at ${event.to.host}:${event.to.port} (epoch ${topology.primary?.epoch ?? '?'})`);
  });

  const startDb = (node: DbNodeLayout) => supervisor.start({
    name: node.id,
    readyPattern: /keel server listening on/,
    args: () => dbNodeArgs(dir, layout, node, options.logLevel, settings),
  });

  try {
    await sentinel.listen();
    discovery.start();
    for (const logNode of layout.logNodes) {
      await supervisor.start({ name: `log-${logNode.id}`, args: () => logNodeArgs(dir, layout, logNode.id, options.logLevel) });
    }
    // Every db node starts as a replica; they elect the primary through the log (DESIGN.md §4).
    await withTimeout(Promise.all(layout.dbNodes.map(startDb)), limits.dbNodeReadyMs, 'db nodes not ready');
  } catch (error) {
    discovery.stop();
    await sentinel.close().catch(() => undefined);
    await supervisor.stop(layout.dbNodes.map((node) => node.id));
    throw error;
  }

  // The S3 SDK is loaded only once an s3:// store is used (s3-store.ts).
  const snapshots = new SnapshotScheduler({
    schedule: options.snapshotSchedule, checkMs: limits.snapshotCheckMs, retryMs: limits.snapshotRetryMs,
    args: snapshotArgs(dir, layout, options.logLevel, options.snapshotRetainEntries, settings), logNodes: layout.logNodes.map((logNode) => logNode.addr),
    store: openStore(snapshotStoreOf(dir, layout), settings.s3), shard: layout.shard, readEntriesMax: defaultSnapshotLimits.replayEntriesMax,
    logsDir: join(dir, layout.logsDir), say, orphanExitMs: limits.orphanExitMs,
  });
  // All thresholds 0 means no snapshots (for `keel snapshot --if-due` it means "always").
  const { everyEntries, everyBytes, intervalMs } = options.snapshotSchedule;
  if (everyEntries > 0 || everyBytes > 0 || intervalMs > 0) snapshots.start();

  let stopped: Promise<void> | null = null;
  return {
    layout,
    supervisor,
    discovery,
    sentinel,
    waitForPrimary: (timeoutMs) => discovery.waitFor((topology) => topology.primary !== null, timeoutMs),
    stop: () => {
      stopped ??= (async () => {
        discovery.stop();
        await snapshots.stop(limits.stopGraceMs);
        await sentinel.close();
        // db nodes first: they shut down cleanly while their log is still there.
        await supervisor.stop(layout.dbNodes.map((node) => node.id));
        for (const node of [...layout.logNodes, ...layout.dbNodes]) node.pid = null;
        layout.supervisorPid = null;
        saveLayout();
      })();
      return stopped;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs); }),
  ]).finally(() => clearTimeout(timer));
}
