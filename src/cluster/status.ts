// `keel status`'s data: asks every log node for its Raft status and every db node for INFO
// replication, and shapes the answers into one object (the `--json` output) or a table.
import { LogClient } from '../../log-service/client/log-client.js';
import type { NodeStatus } from '../../log-service/wire/protocol.js';
import { askReplicationInfo } from './discovery.js';
import { RespClient } from './resp-client.js';
import { splitAddr } from './layout.js';
import { computeTopology, type DbNodeReport } from './topology.js';
import { LocalDirectoryStore } from '../snapshot/local-store.js';
import { listSnapshots } from '../snapshot/catalog.js';

export interface StatusTarget {
  id: string;
  addr: string;
  pid: number | null;
}

export interface ClusterStatus {
  logNodes: Array<{ id: string; addr: string; pid: number | null; role: string; term: number | null; commitIndex: number | null }>;
  dbNodes: Array<{ id: string; addr: string; pid: number | null; role: string; appliedLsn: number | null; lagEntries: number | null; leaseRemainingMs: number | null }>;
  shards: Array<{ id: number; firstLsn: number; tailLsn: number; lastSnapshot: null | LastSnapshot }>;
}

export interface LastSnapshot {
  lsn: number;
  location: string;
  createdAtMs: number;
}

const SHARD_LOG = /^shard-(\d+)$/;

/** The role a db node plays as status shows it: primary (the one serving), replica, or why neither. */
function dbRole(report: DbNodeReport, primary: DbNodeReport | null): string {
  if (!report.reachable) return 'unreachable';
  if (report === primary) return 'primary';
  if (report.role === 'master') return `stale-primary (${report.state ?? '?'})`;
  if (report.role === 'slave') return report.state === 'serving' ? 'replica' : `replica (${report.state ?? '?'})`;
  return 'unknown';
}

export function shapeStatus(logTargets: StatusTarget[], logStatuses: Array<NodeStatus | null>, dbTargets: StatusTarget[], dbReports: DbNodeReport[], lastSnapshots = new Map<number, LastSnapshot>()): ClusterStatus {
  const topology = computeTopology(dbReports);
  const logNodes = logTargets.map((target, index) => {
    const status = logStatuses[index] ?? null;
    return { id: status?.id ?? target.id, addr: target.addr, pid: target.pid, role: status?.role ?? 'unreachable', term: status?.term ?? null, commitIndex: status?.commitIndex ?? null };
  });
  const dbNodes = dbTargets.map((target, index) => {
    const report = dbReports[index]!;
    return {
      id: report.nodeId ?? target.id, addr: target.addr, pid: target.pid, role: dbRole(report, topology.primary),
      appliedLsn: report.appliedLsn, lagEntries: report.lagEntries, leaseRemainingMs: report.leaseRemainingMs,
    };
  });
  // The leader's view of each log is the freshest; without a leader, the highest tail seen.
  const ordered = [...logStatuses].filter((status): status is NodeStatus => status !== null).sort((x, y) => Number(y.role === 'leader') - Number(x.role === 'leader') || y.commitIndex - x.commitIndex);
  const shards = new Map<number, ClusterStatus['shards'][number]>();
  for (const status of ordered) {
    for (const [name, log] of Object.entries(status.logs)) {
      const match = SHARD_LOG.exec(name);
      if (!match || shards.has(Number(match[1]))) continue;
      shards.set(Number(match[1]), { id: Number(match[1]), firstLsn: log.firstLsn, tailLsn: log.tailLsn, lastSnapshot: lastSnapshots.get(Number(match[1])) ?? null });
    }
  }
  return { logNodes, dbNodes, shards: [...shards.values()].sort((x, y) => x.id - y.id) };
}

/** The newest snapshot of each shard in a local store directory (a layout's store). */
async function lastSnapshotsIn(storeDir: string, shards: number[]): Promise<Map<number, LastSnapshot>> {
  const store = new LocalDirectoryStore(storeDir);
  const found = new Map<number, LastSnapshot>();
  for (const shard of shards) {
    const newest = (await listSnapshots(store, shard).catch(() => []))[0];
    if (newest) found.set(shard, { lsn: newest.lsn, location: store.location(newest.name), createdAtMs: newest.createdAtMs });
  }
  return found;
}

export async function gatherStatus(logTargets: StatusTarget[], dbTargets: StatusTarget[], timeoutMs: number, snapshotStoreDir: string | null = null): Promise<ClusterStatus> {
  const logStatuses = logTargets.length === 0 ? [] : await (async () => {
    const client = new LogClient({ nodes: logTargets.map((target) => target.addr), timings: { requestTimeoutMs: timeoutMs } });
    try {
      return await client.statusAll();
    } finally {
      client.close();
    }
  })();
  const dbReports = await Promise.all(dbTargets.map(async (target) => {
    const { host, port } = splitAddr(target.addr);
    const client = new RespClient(host, port, timeoutMs);
    try {
      return await askReplicationInfo(client, target);
    } finally {
      client.close();
    }
  }));
  const shards = [...new Set(logStatuses.flatMap((status) => Object.keys(status?.logs ?? {})).map((name) => SHARD_LOG.exec(name)?.[1]).filter((id): id is string => id !== undefined).map(Number))];
  const lastSnapshots = snapshotStoreDir ? await lastSnapshotsIn(snapshotStoreDir, shards) : new Map<number, LastSnapshot>();
  return shapeStatus(logTargets, logStatuses, dbTargets, dbReports, lastSnapshots);
}

function table(header: string[], rows: Array<Array<string | number | null>>): string[] {
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

export function formatStatus(status: ClusterStatus): string {
  const lines: string[] = [];
  if (status.logNodes.length > 0) {
    lines.push('Log nodes', ...table(['ID', 'ADDRESS', 'PID', 'ROLE', 'TERM', 'COMMIT'], status.logNodes.map((node) => [node.id, node.addr, node.pid, node.role, node.term, node.commitIndex])), '');
  }
  lines.push('Db nodes', ...table(['ID', 'ADDRESS', 'PID', 'ROLE', 'APPLIED', 'LAG', 'LEASE MS'], status.dbNodes.map((node) => [node.id, node.addr, node.pid, node.role, node.appliedLsn, node.lagEntries, node.leaseRemainingMs])), '');
  if (status.shards.length > 0) {
    lines.push('Shards', ...table(['SHARD', 'FIRST LSN', 'TAIL LSN', 'LAST SNAPSHOT'], status.shards.map((shard) => [shard.id, shard.firstLsn, shard.tailLsn, shard.lastSnapshot ? `${shard.lastSnapshot.lsn} ${shard.lastSnapshot.location}` : null])), '');
  }
  return `${lines.join('\n')}\n`;
}
