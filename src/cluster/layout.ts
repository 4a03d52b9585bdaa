// The cluster's layout: which processes `keel up` runs, on which ports, with which data
// directories. Recorded as <dir>/cluster.json so that `keel status|failover|snapshot --dir D`
// find the cluster, and so that running `keel up` again on the same directory brings back the
// same nodes (same ids, same ports, same data).
import { readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { assert } from '../util/assert.js';

export const LAYOUT_FILE = 'cluster.json';
export const LAYOUT_VERSION = 1;
export const AZS = ['a', 'b', 'c'] as const;

export interface LogNodeLayout {
  /** Log node id = its AZ (a, b, c). */
  id: string;
  addr: string;
  /** Data directory, relative to the cluster directory. */
  dir: string;
  pid: number | null;
}

export interface DbNodeLayout {
  id: string;
  az: string;
  addr: string;
  dir: string;
  pid: number | null;
}

export interface ClusterLayout {
  version: number;
  host: string;
  shard: number;
  logNodes: LogNodeLayout[];
  dbNodes: DbNodeLayout[];
  sentinel: { addr: string; masterName: string };
  /** Where snapshots go (a directory relative to the cluster directory, an absolute one, or an s3:// URL). */
  snapshotStore: string;
  /** Per-process stderr logs, relative to the cluster directory. */
  logsDir: string;
  supervisorPid: number | null;
}

export interface LayoutPlan {
  host: string;
  port: number;
  logPort: number;
  replicas: number;
  sentinelPort: number;
  sentinelMasterName: string;
  shard: number;
}

/** The layout for a fresh cluster: db nodes db-1…, in AZs a, b, c in turn, on consecutive ports. */
export function planLayout(plan: LayoutPlan): ClusterLayout {
  assert(plan.replicas >= 0 && Number.isSafeInteger(plan.replicas), `replicas must be a non-negative integer, got ${plan.replicas}`);
  const addr = (port: number) => `${plan.host}:${port}`;
  return {
    version: LAYOUT_VERSION,
    host: plan.host,
    shard: plan.shard,
    logNodes: AZS.map((az, i) => ({ id: az, addr: addr(plan.logPort + i), dir: `log-${az}`, pid: null })),
    dbNodes: Array.from({ length: plan.replicas + 1 }, (_, i) => ({
      id: `db-${i + 1}`, az: AZS[i % AZS.length]!, addr: addr(plan.port + i), dir: `db-${i + 1}`, pid: null,
    })),
    sentinel: { addr: addr(plan.sentinelPort), masterName: plan.sentinelMasterName },
    snapshotStore: 'snapshots',
    logsDir: 'logs',
    supervisorPid: null,
  };
}

/** Every port the layout uses, so a plan can be checked for clashes before anything starts. */
export function layoutPorts(layout: ClusterLayout): number[] {
  return [...layout.logNodes, ...layout.dbNodes, layout.sentinel].map((node) => portOf(node.addr));
}

export function assertLayout(layout: ClusterLayout): void {
  assert(layout.version === LAYOUT_VERSION, `cluster layout version ${layout.version} is not ${LAYOUT_VERSION}`);
  assert(layout.logNodes.length === AZS.length, 'a cluster has exactly three log nodes');
  assert(layout.dbNodes.length >= 1, 'a cluster has at least one db node');
  const ports = layoutPorts(layout);
  assert(new Set(ports).size === ports.length, `cluster ports clash: ${ports.join(',')}`);
  const ids = layout.dbNodes.map((node) => node.id);
  assert(new Set(ids).size === ids.length, `db node ids repeat: ${ids.join(',')}`);
}

export function splitAddr(addr: string): { host: string; port: number } {
  const separator = addr.lastIndexOf(':');
  assert(separator > 0, `address '${addr}' is not host:port`);
  const port = Number(addr.slice(separator + 1));
  assert(Number.isInteger(port) && port >= 0 && port < 65536, `address '${addr}' has a bad port`);
  return { host: addr.slice(0, separator), port };
}

export function portOf(addr: string): number {
  return splitAddr(addr).port;
}

/** The cluster's one snapshot store: a directory under the cluster directory, or an s3:// URL. */
export function snapshotStoreOf(dir: string, layout: ClusterLayout): string {
  const store = layout.snapshotStore;
  return store.startsWith('s3://') || isAbsolute(store) ? store : join(dir, store);
}

export function layoutPath(dir: string): string {
  return join(dir, LAYOUT_FILE);
}

/** Reads <dir>/cluster.json; null when there is none. */
export function readLayout(dir: string): ClusterLayout | null {
  let text: string;
  try {
    text = readFileSync(layoutPath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const layout = JSON.parse(text) as ClusterLayout;
  assertLayout(layout);
  return layout;
}

/** Writes <dir>/cluster.json atomically (temporary file, fsync, rename): a reader never sees half. */
export function writeLayout(dir: string, layout: ClusterLayout): void {
  assertLayout(layout);
  const path = layoutPath(dir);
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(layout, null, 2)}\n`);
  const fd = openSync(temporary, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(temporary, path);
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function processAlive(pid: number | null): boolean {
  if (pid === null || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process that exited but was not yet reaped still answers kill(pid, 0). Its parent may
 * never reap it (an orphan adopted by an init that does not, as in some containers), so on
 * Linux its state letter decides.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
