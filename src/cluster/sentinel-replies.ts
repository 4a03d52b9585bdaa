// The Sentinel protocol's answers, computed from discovery's topology — pure, no I/O. Only the
// parts clients use to find and follow the primary exist: one master (the shard), its replicas,
// this endpoint as the only sentinel. Keel has no Sentinel failover of its own: the db nodes
// elect through the log and the endpoint reports the outcome.
import { ErrorReply, MapReply, type Reply } from '../resp/reply.js';
import { splitAddr } from './layout.js';
import type { DbNodeReport, Topology } from './topology.js';

export interface SentinelView {
  masterName: string;
  /** 40 hex characters, as a Sentinel's run id. */
  runId: string;
  sentinelAddr: string;
  topology: Topology | null;
  /** The primary announced last (reported, flagged s_down, while no primary serves). */
  lastPrimary: DbNodeReport | null;
  /** How many primary changes this endpoint has seen (Sentinel's config-epoch). */
  configEpoch: number;
  downAfterMs: number;
}

const REDIS_VERSION = '7.2.0';

function noSuchMaster(): ErrorReply {
  return new ErrorReply('ERR No such master with that name');
}

function primaryOf(view: SentinelView): { report: DbNodeReport; down: boolean } | null {
  const serving = view.topology?.primary ?? null;
  if (serving) return { report: serving, down: false };
  return view.lastPrimary ? { report: view.lastPrimary, down: true } : null;
}

function masterFields(view: SentinelView): Reply | null {
  const primary = primaryOf(view);
  if (!primary) return null;
  const { host, port } = splitAddr(primary.report.addr);
  const replicas = view.topology?.replicas ?? [];
  return new MapReply([
    'name', view.masterName,
    'ip', host,
    'port', String(port),
    'runid', primary.report.nodeId ?? '',
    'flags', primary.down ? 'master,s_down,o_down' : 'master',
    'link-pending-commands', '0',
    'link-refcount', '1',
    'last-ping-sent', '0',
    'last-ok-ping-reply', '0',
    'last-ping-reply', '0',
    'down-after-milliseconds', String(view.downAfterMs),
    'info-refresh', '0',
    'role-reported', 'master',
    'role-reported-time', '0',
    'config-epoch', String(view.configEpoch),
    'num-slaves', String(replicas.length),
    'num-other-sentinels', '0',
    'quorum', '1',
    'failover-timeout', '180000',
    'parallel-syncs', '1',
  ]);
}

function replicaFields(view: SentinelView, replica: DbNodeReport): Reply {
  const { host, port } = splitAddr(replica.addr);
  const primary = primaryOf(view);
  const master = primary ? splitAddr(primary.report.addr) : null;
  const linkUp = replica.state === 'serving' && master !== null;
  return new MapReply([
    'name', replica.addr,
    'ip', host,
    'port', String(port),
    'runid', replica.nodeId ?? '',
    'flags', replica.reachable ? 'slave' : 'slave,s_down,disconnected',
    'link-pending-commands', '0',
    'link-refcount', '1',
    'last-ping-sent', '0',
    'last-ok-ping-reply', '0',
    'last-ping-reply', '0',
    'down-after-milliseconds', String(view.downAfterMs),
    'info-refresh', '0',
    'role-reported', 'slave',
    'role-reported-time', '0',
    'master-link-down-time', '0',
    'master-link-status', linkUp ? 'ok' : 'err',
    'master-host', master?.host ?? '?',
    'master-port', String(master?.port ?? 0),
    'slave-priority', '100',
    'slave-repl-offset', String(replica.appliedLsn ?? 0),
    'replica-announced', '1',
  ]);
}

/** `SENTINEL <subcommand> …` */
export function sentinelReply(view: SentinelView, args: string[]): Reply {
  const sub = (args[0] ?? '').toLowerCase();
  const nameMatches = (name: string | undefined) => name === view.masterName;
  switch (sub) {
    case 'get-master-addr-by-name': {
      if (args.length !== 2) return arityError(sub);
      if (!nameMatches(args[1])) return null;
      const primary = primaryOf(view);
      if (!primary) return null;
      const { host, port } = splitAddr(primary.report.addr);
      return [host, String(port)];
    }
    case 'masters': {
      const fields = masterFields(view);
      return fields ? [fields] : [];
    }
    case 'master': {
      if (args.length !== 2) return arityError(sub);
      if (!nameMatches(args[1])) return noSuchMaster();
      return masterFields(view) ?? noSuchMaster();
    }
    case 'replicas':
    case 'slaves': {
      if (args.length !== 2) return arityError(sub);
      if (!nameMatches(args[1])) return noSuchMaster();
      const primaryAddr = view.topology?.primary?.addr ?? view.lastPrimary?.addr;
      const others = (view.topology?.nodes ?? []).filter((node) => node.addr !== primaryAddr && (node.role !== 'master' || !node.reachable));
      return others.map((node) => replicaFields(view, node));
    }
    case 'sentinels': {
      if (args.length !== 2) return arityError(sub);
      if (!nameMatches(args[1])) return noSuchMaster();
      return []; // this endpoint is the only sentinel, and SENTINEL SENTINELS lists the others
    }
    case 'myid':
      return view.runId;
    case 'ckquorum': {
      if (args.length !== 2) return arityError(sub);
      if (!nameMatches(args[1])) return noSuchMaster();
      return primaryOf(view) ? 'OK 1 usable Sentinels. Quorum and failover authorization can be reached' : new ErrorReply('NOQUORUM no primary is serving');
    }
    default:
      return new ErrorReply(`ERR Unknown sentinel subcommand '${args[0] ?? ''}'`);
  }
}

function arityError(sub: string): ErrorReply {
  return new ErrorReply(`ERR wrong number of arguments for 'sentinel|${sub}' command`);
}

/** `INFO [section]` as a Sentinel answers it. */
export function sentinelInfo(view: SentinelView, section: string | undefined, uptimeSeconds: number): string {
  const wanted = (section ?? 'default').toLowerCase();
  const include = (name: string) => ['default', 'all', 'everything', name].includes(wanted);
  const lines: string[] = [];
  if (include('server')) {
    const { port } = splitAddr(view.sentinelAddr);
    lines.push('# Server', `redis_version:${REDIS_VERSION}`, 'redis_mode:sentinel', `process_id:${process.pid}`, `run_id:${view.runId}`, `tcp_port:${port}`, `uptime_in_seconds:${uptimeSeconds}`, 'keel_sentinel:1', '');
  }
  if (include('sentinel')) {
    const primary = primaryOf(view);
    const status = primary && !primary.down ? 'ok' : 'odown';
    const address = primary ? primary.report.addr : '0.0.0.0:0';
    const replicas = view.topology?.replicas.length ?? 0;
    lines.push('# Sentinel', 'sentinel_masters:1', 'sentinel_tilt:0', 'sentinel_running_scripts:0', 'sentinel_scripts_queue_length:0', 'sentinel_simulate_failure_flags:0',
      `master0:name=${view.masterName},status=${status},address=${address},slaves=${replicas},sentinels=1`, '');
  }
  return lines.join('\r\n');
}
