// `keel server`: one database node.
import pino from 'pino';
import { KeelServer } from '../server/server.js';
import { defaultSettings } from '../server/settings.js';
import { mkdir } from 'node:fs/promises';
import { formatHelp, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { DatabaseNode } from '../node/database-node.js';
import { keyFromFlags, snapshotChildArgs, snapshotStoreFlags, storeFromFlags } from './snapshot-command.js';
import { assertElectionConfig, defaultElectionConfig, type ElectionConfig } from '../replication/election.js';

const defaultElection = defaultElectionConfig('');
import { defaultServerLimits } from '../config/limits.js';

export const serverFlags: FlagSpec[] = [
  { name: 'port', kind: 'int', default: 6379, value: 'PORT', help: 'TCP port for RESP clients (0 = any free port)' },
  { name: 'bind', kind: 'string', default: '127.0.0.1', value: 'ADDR', help: 'address to listen on' },
  { name: 'dir', kind: 'string', default: 'data', value: 'DIR', help: 'data directory' },
  { name: 'requirepass', kind: 'string', default: '', value: 'PASSWORD', help: 'require AUTH with this password' },
  { name: 'databases', kind: 'int', default: 16, value: 'N', help: 'number of logical databases (SELECT 0..N-1)' },
  { name: 'maxclients', kind: 'int', default: defaultServerLimits.maxClients, value: 'N', help: 'maximum concurrent client connections' },
  { name: 'proto-max-bulk-len', kind: 'bytes', default: defaultServerLimits.protoMaxBulkLenBytes, value: 'BYTES', help: 'largest bulk string a client may send' },
  { name: 'max-multibulk-len', kind: 'int', default: defaultServerLimits.multibulkLenMax, value: 'N', help: 'largest number of arguments in one request' },
  { name: 'client-query-buffer-limit', kind: 'bytes', default: defaultServerLimits.queryBufferBytes, value: 'BYTES', help: 'unparsed input buffered per client before it is disconnected' },
  { name: 'client-output-buffer-limit-normal', kind: 'bytes', default: defaultServerLimits.outputBufferNormalBytes, value: 'BYTES', help: 'pending output per normal client before it is disconnected (0 = no limit)' },
  { name: 'client-output-buffer-limit-pubsub', kind: 'bytes', default: defaultServerLimits.outputBufferPubsubBytes, value: 'BYTES', help: 'pending output per pub/sub client before it is disconnected' },
  { name: 'log', kind: 'list', default: [], value: 'ADDR,ADDR,ADDR', help: 'log nodes (host:port); none given: a single-node log in-process under --dir (durable on this machine); `none`: no log at all (memory only, nothing survives a restart)' },
  { name: 'node-id', kind: 'string', default: '', value: 'ID', help: 'this node\'s id in the shard (default: derived from the port)' },
  { name: 'shard', kind: 'int', default: 0, value: 'N', help: 'shard number (the log named shard-N)' },
  { name: 'az', kind: 'string', default: '', value: 'AZ', help: 'availability zone: replicas tail the log node with this id (a, b, c)' },
  { name: 'lease-ms', kind: 'int', default: defaultElection.leaseMs, value: 'MS', help: 'how long a renewed lease lets the primary serve' },
  { name: 'renew-interval-ms', kind: 'int', default: defaultElection.renewIntervalMs, value: 'MS', help: 'how often the primary renews its lease (at most lease-ms/2)' },
  { name: 'campaign-backoff-ms', kind: 'int', default: defaultElection.campaignBackoffMs, value: 'MS', help: 'how long a replica waits after the last lease it saw before campaigning (must exceed lease-ms stretched by clock drift)' },
  { name: 'clock-drift-max', kind: 'string', default: String(defaultElection.clockDriftMax), value: 'RATIO', help: 'largest clock-rate difference between nodes, e.g. 0.05 for 5%' },
  { name: 'campaign-jitter-ms', kind: 'int', default: defaultElection.campaignJitterMs, value: 'MS', help: 'random extra wait before campaigning, so that replicas rarely collide' },
  { name: 'commit-timeout-ms', kind: 'int', default: 5000, value: 'MS', help: 'a write not committed to the log quorum within this time fails with -TRYAGAIN' },
  { name: 'replay-entries-max', kind: 'int', default: 1000, value: 'N', help: 'log entries read per request while loading' },
  { name: 'log-level', kind: 'string', default: 'info', value: 'LEVEL', help: 'log level: fatal, error, warn, info, debug, trace' },
  ...snapshotStoreFlags,
];

export async function serverMain(args: string[]): Promise<number> {
  const { values, help } = parseFlags(serverFlags, args);
  if (help) {
    console.log(formatHelp('keel server [flags]', 'Runs one Keel database node: a RESP server (redis-cli, ioredis, node-redis, redis-benchmark work unmodified).', serverFlags));
    return 0;
  }
  const settings = defaultSettings();
  settings.port = values.port as number;
  settings.host = values.bind as string;
  settings.dir = values.dir as string;
  settings.requirepass = values.requirepass as string;
  settings.databases = values.databases as number;
  settings.logLevel = values['log-level'] as string;
  settings.limits.maxClients = values.maxclients as number;
  settings.limits.protoMaxBulkLenBytes = values['proto-max-bulk-len'] as number;
  settings.limits.multibulkLenMax = values['max-multibulk-len'] as number;
  settings.limits.queryBufferBytes = values['client-query-buffer-limit'] as number;
  settings.limits.outputBufferNormalBytes = values['client-output-buffer-limit-normal'] as number;
  settings.limits.outputBufferPubsubBytes = values['client-output-buffer-limit-pubsub'] as number;
  const logNodes = values.log as string[];
  const commitTimeoutMs = values['commit-timeout-ms'] as number;
  if (commitTimeoutMs < 100) throw new UsageError('--commit-timeout-ms must be at least 100');
  const nodeId = (values['node-id'] as string) || `node-${settings.port}`;
  const drift = Number(values['clock-drift-max']);
  if (!Number.isFinite(drift)) throw new UsageError(`--clock-drift-max expects a ratio like 0.05, got '${values['clock-drift-max']}'`);
  const election: ElectionConfig = {
    nodeId,
    leaseMs: values['lease-ms'] as number,
    renewIntervalMs: values['renew-interval-ms'] as number,
    campaignBackoffMs: values['campaign-backoff-ms'] as number,
    clockDriftMax: drift,
    campaignJitterMs: values['campaign-jitter-ms'] as number,
  };
  try {
    assertElectionConfig(election);
  } catch (error) {
    throw new UsageError(`unsafe election timings: ${(error as Error).message}`);
  }
  // Synchronous: a node's last words before a crash or kill must reach the log.
  const logger = pino({ level: settings.logLevel, base: { node: nodeId } }, pino.destination({ fd: 2, sync: true }));
  let stopServing: () => Promise<void>;
  if (logNodes.length === 1 && logNodes[0] === 'none') {
    const server = new KeelServer(settings, logger);
    await server.listen();
    stopServing = () => server.close();
    logger.warn('no log attached (--log none): writes live in memory only');
  } else {
    await mkdir(settings.dir, { recursive: true });
    const node = await DatabaseNode.start({
      settings, logger, logNodes, nodeId, shard: values.shard as number, az: (values.az as string) || null,
      election, commitTimeoutMs, replayEntriesMax: values['replay-entries-max'] as number,
      snapshotStore: storeFromFlags(values, settings.dir), encryptionKey: keyFromFlags(values), snapshotCommandArgs: snapshotChildArgs(values, settings.dir),
    });
    stopServing = () => node.stop();
  }
  logger.info({ port: settings.port, host: settings.host }, 'ready to accept connections');
  // The line tests and supervisors wait for:
  process.stdout.write(`keel server listening on ${settings.host}:${settings.port}\n`);
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await stopServing();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return new Promise<number>(() => { /* runs until a signal */ });
}
