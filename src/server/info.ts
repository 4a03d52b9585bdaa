// INFO, with Redis's section and field names. Sections: server, clients, memory,
// persistence, stats, replication, cpu, commandstats, keyspace ("all"/"everything" add
// commandstats to the default set, as Redis does).
import os from 'node:os';
import type { KeelServer } from './server.js';
import { ReadOnlyCommitter } from './commit.js';
import { KEEL_RELEASE, KEEL_VERSION } from '../version.js';

const defaultSections = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'keyspace'];
const allSections = [...defaultSections.slice(0, 7), 'commandstats', 'keyspace'];

export type InfoSection = (server: KeelServer) => [string, string | number][];

/** Extra sections or fields contributed by other layers (replication, log), by section name. */
export const infoContributors = new Map<string, InfoSection[]>();

function lines(title: string, fields: [string, string | number][]): string {
  return `# ${title}\r\n${fields.map(([name, value]) => `${name}:${value}`).join('\r\n')}${fields.length ? '\r\n' : ''}`;
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  const units = ['K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${value.toFixed(2)}${units[unit]}`;
}

/**
 * keel_last_lsn and keel_committed_lsn. A replica (or a loading node) commits nothing itself:
 * its ReadOnlyCommitter reports committedLsn = MAX_SAFE_INTEGER so that nothing it says ever
 * waits; what it has is the LSN it applied, both its last and its committed one.
 */
function lsnFields(server: KeelServer): [string, number][] {
  if (server.committer instanceof ReadOnlyCommitter) {
    const applied = server.replication?.appliedLsn ?? 0;
    return [['keel_last_lsn', applied], ['keel_committed_lsn', applied]];
  }
  return [['keel_last_lsn', server.committer.lastLsn], ['keel_committed_lsn', server.committer.committedLsn]];
}

const sectionRenderers: Record<string, (server: KeelServer) => [string, string | number][]> = {
  server: (server) => {
    const uptime = Math.floor((Date.now() - server.startedAtMs) / 1000);
    return [
      ['redis_version', KEEL_VERSION],
      ['keel_version', KEEL_RELEASE],
      ['redis_mode', 'standalone'],
      ['os', `${os.type()} ${os.release()} ${os.arch()}`],
      ['arch_bits', 64],
      ['multiplexing_api', 'epoll'],
      ['process_id', process.pid],
      ['run_id', server.runId],
      ['tcp_port', server.settings.port],
      ['server_time_usec', Date.now() * 1000],
      ['uptime_in_seconds', uptime],
      ['uptime_in_days', Math.floor(uptime / 86400)],
      ['hz', Math.round(1000 / server.settings.limits.activeExpireIntervalMs)],
      ['executable', process.argv[1] ?? ''],
      ['config_file', ''],
      ['node_version', process.version],
    ];
  },
  clients: (server) => {
    let blocked = 0;
    let pubsub = 0;
    let watching = 0;
    for (const connection of server.connections.values()) {
      if (connection.blocked) blocked++;
      if (connection.subscriptionCount() > 0) pubsub++;
      if (connection.watched.size > 0) watching++;
    }
    return [
      ['connected_clients', server.connections.size],
      ['maxclients', server.settings.limits.maxClients],
      ['blocked_clients', blocked],
      ['pubsub_clients', pubsub],
      ['watching_clients', watching],
    ];
  },
  memory: () => {
    const usage = process.memoryUsage();
    return [
      ['used_memory', usage.heapUsed + usage.external],
      ['used_memory_human', human(usage.heapUsed + usage.external)],
      ['used_memory_rss', usage.rss],
      ['used_memory_rss_human', human(usage.rss)],
      ['used_memory_peak', usage.heapTotal],
      ['total_system_memory', os.totalmem()],
      ['total_system_memory_human', human(os.totalmem())],
      ['maxmemory', 0],
      ['maxmemory_policy', 'noeviction'],
      ['mem_allocator', 'v8'],
    ];
  },
  persistence: (server) => [
    ['loading', server.state === 'loading' ? 1 : 0],
    ['rdb_changes_since_last_save', server.engine.changesTotal - server.changesAtLastSave],
    ['rdb_bgsave_in_progress', server.snapshots?.inProgress ? 1 : 0],
    ['rdb_last_save_time', server.lastSaveSeconds],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['keel_durability', server.durabilityName],
    ...lsnFields(server),
  ],
  stats: (server) => [
    ['total_connections_received', server.stats.connectionsReceived],
    ['total_commands_processed', server.stats.commandsProcessed],
    ['rejected_connections', server.stats.rejectedConnections],
    ['expired_keys', server.stats.expiredKeys],
    ['pubsub_channels', server.pubsub.channelNames(null).length],
    ['pubsub_patterns', server.pubsub.patternCount()],
  ],
  replication: (server) => server.replication?.infoFields() ?? [
    ['role', 'master'],
    ['connected_slaves', 0],
  ],
  cpu: () => {
    const usage = process.cpuUsage();
    return [
      ['used_cpu_sys', (usage.system / 1e6).toFixed(6)],
      ['used_cpu_user', (usage.user / 1e6).toFixed(6)],
    ];
  },
  commandstats: (server) => [...server.commandStats.entries()].map(([name, stats]) => [
    `cmdstat_${name}`,
    `calls=${stats.calls},usec=${stats.micros},usec_per_call=${(stats.calls ? stats.micros / stats.calls : 0).toFixed(2)},rejected_calls=${stats.rejected},failed_calls=${stats.failed}`,
  ]),
  keyspace: (server) => server.engine.allDatabases().filter((db) => db.size > 0).map((db) => [
    `db${db.index}`, `keys=${db.size},expires=${db.volatile.size},avg_ttl=0`,
  ]),
};

export function renderInfo(server: KeelServer, requested: string[]): string {
  let sections: string[];
  if (requested.length === 0 || requested.includes('default')) sections = defaultSections;
  else if (requested.includes('all') || requested.includes('everything')) sections = allSections;
  else sections = requested;
  const parts: string[] = [];
  for (const section of sections) {
    const render = sectionRenderers[section];
    if (!render) continue;
    const fields = [...render(server)];
    for (const contributor of infoContributors.get(section) ?? []) fields.push(...contributor(server));
    const title = section === 'commandstats' ? 'Commandstats' : section.charAt(0).toUpperCase() + section.slice(1);
    parts.push(lines(title, fields));
  }
  return parts.join('\r\n');
}
