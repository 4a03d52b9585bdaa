// Database nodes on a real log cluster, for integration tests: start them, talk to them with
// clients that never retry on their own, wait for conditions, read INFO fields.
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { startProcessCluster, type ProcessCluster } from '../log-service/helpers/process-cluster.js';
import { freePort, startKeel, tempDir, type KeelProcess } from './server.js';
import { RawClient } from './resp-client.js';

export class DbNodes {
  readonly servers: KeelProcess[] = [];

  constructor(private readonly logNodes: () => string[]) {}

  static on(cluster: () => ProcessCluster): DbNodes {
    return new DbNodes(() => cluster().nodeList);
  }

  async start(nodeId: string, extra: string[] = [], options: { port?: number; dir?: string; logNodes?: string[] } = {}): Promise<KeelProcess> {
    const server = await startKeel([
      '--log', (options.logNodes ?? this.logNodes()).join(','), '--node-id', nodeId, '--commit-timeout-ms', '1500',
      '--port', String(options.port ?? await freePort()), '--dir', options.dir ?? tempDir(), ...extra,
    ]);
    this.servers.push(server);
    return server;
  }

  /** Starts a node and waits until the election made it primary (it must be alone on its shard). */
  async startPrimary(nodeId: string, extra: string[] = [], options: { port?: number; dir?: string; logNodes?: string[] } = {}): Promise<KeelProcess> {
    const server = await this.start(nodeId, extra, options);
    await waitFor(() => info(server, 'role'), (role) => role === 'master');
    return server;
  }

  killAll(): void {
    for (const server of this.servers) server.kill('SIGKILL');
  }
}

export interface LogClusterFixture {
  readonly cluster: ProcessCluster;
  /** A client of the cluster's log service (tails, reads, appends by "another writer"). */
  readonly logClient: LogClient;
  /** Db nodes on the cluster; `nodes.servers` also takes servers a test starts itself. */
  readonly nodes: DbNodes;
}

/**
 * For a test file: one log cluster of three real processes for all its tests, a log client,
 * and the db nodes the tests start on it; all stopped after the file's last test.
 */
export function logClusterForFile(): LogClusterFixture {
  let cluster: ProcessCluster | undefined;
  let logClient: LogClient | undefined;
  const nodes = DbNodes.on(() => cluster!);
  beforeAll(async () => {
    cluster = await startProcessCluster();
    logClient = new LogClient({ nodes: cluster.nodeList });
  }, 60_000);
  afterAll(async () => {
    nodes.killAll();
    logClient?.close();
    await cluster?.close();
  });
  return { get cluster() { return cluster!; }, get logClient() { return logClient!; }, nodes };
}

/** A client that never retries, queues or resends: tests see every failure as it happens. */
export function client(server: { port: number }): Redis {
  const redis = new Redis({
    port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0, enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false, retryStrategy: () => null, lazyConnect: true,
  });
  redis.on('error', () => { /* each command reports its own failure */ });
  return redis;
}

export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

/** One field of INFO replication ('' when absent). */
export async function info(server: { port: number }, field: string): Promise<string> {
  const raw = await RawClient.connect(server.port);
  try {
    const text = await raw.call('INFO', 'replication');
    return new RegExp(`${field}:(\\S*)`).exec(text)?.[1] ?? '';
  } finally {
    raw.close();
  }
}
