// What the cluster looks like from the outside, computed from each db node's answer to
// `INFO replication` — pure functions, no I/O. The db nodes decide roles (through the log);
// discovery only reads what they say and picks the one primary that serves.
import { splitAddr } from './layout.js';

export interface DbNodeReport {
  /** Layout id of the node asked (db-1 …). */
  id: string;
  addr: string;
  /** False when the node did not answer. */
  reachable: boolean;
  role: 'master' | 'slave' | null;
  /** keel_state: loading | serving | degraded … */
  state: string | null;
  epoch: number;
  nodeId: string | null;
  primaryNodeId: string | null;
  /** The primary this node names (master_host:master_port on a replica). */
  masterAddr: string | null;
  appliedLsn: number | null;
  committedLsn: number | null;
  lagEntries: number | null;
  /** keel_lease_remaining_ms when the node reports it; null otherwise. */
  leaseRemainingMs: number | null;
}

export interface Topology {
  /** The serving primary, or null when none serves right now. */
  primary: DbNodeReport | null;
  replicas: DbNodeReport[];
  nodes: DbNodeReport[];
}

/** Parses the text of `INFO replication` (`field:value` lines) into a report. */
export function parseReplicationInfo(id: string, addr: string, text: string): DbNodeReport {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const number = (name: string): number | null => {
    const value = fields.get(name);
    if (value === undefined || value === '' || !/^-?[0-9]+$/.test(value)) return null;
    return Number(value);
  };
  const role = fields.get('role');
  const masterHost = fields.get('master_host');
  const masterPort = fields.get('master_port');
  return {
    id,
    addr,
    reachable: true,
    role: role === 'master' || role === 'slave' ? role : null,
    state: fields.get('keel_state') ?? null,
    epoch: number('keel_epoch') ?? 0,
    nodeId: fields.get('keel_node_id') || null,
    primaryNodeId: fields.get('keel_primary_node_id') || null,
    masterAddr: masterHost && masterPort && masterPort !== '0' ? `${masterHost}:${masterPort}` : null,
    appliedLsn: number('keel_applied_lsn'),
    committedLsn: number('keel_committed_lsn'),
    lagEntries: number('keel_lag_entries'),
    leaseRemainingMs: number('keel_lease_remaining_ms'),
  };
}

export function unreachableReport(id: string, addr: string): DbNodeReport {
  return {
    id, addr, reachable: false, role: null, state: null, epoch: 0, nodeId: null, primaryNodeId: null,
    masterAddr: null, appliedLsn: null, committedLsn: null, lagEntries: null, leaseRemainingMs: null,
  };
}

/**
 * The serving primary: a reachable node that says `role:master` and serves. If two say so
 * (an old primary whose lease has not yet run out on its own clock), the higher epoch wins:
 * the log has fenced the other one.
 */
export function computeTopology(reports: DbNodeReport[]): Topology {
  const masters = reports.filter((report) => report.reachable && report.role === 'master' && (report.state === null || report.state === 'serving'));
  masters.sort((x, y) => y.epoch - x.epoch);
  const primary = masters[0] ?? null;
  return {
    primary,
    replicas: reports.filter((report) => report !== primary && report.reachable && report.role === 'slave'),
    nodes: reports,
  };
}

export type TopologyEvent =
  | { kind: 'switch-master'; from: { host: string; port: number } | null; to: { host: string; port: number }; toId: string }
  | { kind: 'sdown'; addr: { host: string; port: number }; id: string }
  | { kind: 'sdown-cleared'; addr: { host: string; port: number }; id: string };

/**
 * The events one poll implies, given the primary clients were last told about (`announced`,
 * kept across primary-less polls so that `+switch-master` names the old address).
 */
export function topologyEvents(announced: DbNodeReport | null, previous: Topology | null, next: Topology): TopologyEvent[] {
  const events: TopologyEvent[] = [];
  for (const node of next.nodes) {
    const before = previous?.nodes.find((report) => report.id === node.id);
    if (before && before.reachable && !node.reachable) events.push({ kind: 'sdown', addr: splitAddr(node.addr), id: node.id });
    if (before && !before.reachable && node.reachable) events.push({ kind: 'sdown-cleared', addr: splitAddr(node.addr), id: node.id });
  }
  if (next.primary && next.primary.addr !== announced?.addr) {
    events.push({ kind: 'switch-master', from: announced ? splitAddr(announced.addr) : null, to: splitAddr(next.primary.addr), toId: next.primary.id });
  }
  return events;
}
