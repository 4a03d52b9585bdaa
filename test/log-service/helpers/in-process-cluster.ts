// Three log nodes inside the test process (real sockets, LevelDB or memory stores), for
// tests of the protocol, client and driver that do not need separate processes.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LogNode } from '../../../log-service/node/log-node.js';
import { LevelLogStore } from '../../../log-service/store/level-store.js';
import type { LogStore } from '../../../log-service/store/log-store.js';
import { defaultLogLimits, type LogLimits, type LogTimings } from '../../../log-service/limits.js';
import { freePorts } from './ports.js';

export interface InProcessCluster {
  ids: string[];
  addresses: Map<string, string>;
  nodes: Map<string, LogNode>;
  dirs: Map<string, string>;
  start(id: string): Promise<LogNode>;
  stop(id: string): Promise<void>;
  close(): Promise<void>;
  leader(timeoutMs?: number): Promise<LogNode>;
}

export interface InProcessClusterOptions {
  limits?: Partial<LogLimits>;
  timings?: Partial<LogTimings>;
  /** Wraps each node's LevelDB store (a simulated disk twin, e.g. one that stalls its flushes). */
  wrapStore?: (id: string, store: LogStore) => LogStore;
}

export async function startInProcessCluster(options: InProcessClusterOptions = {}): Promise<InProcessCluster> {
  const ids = ['a', 'b', 'c'];
  const ports = await freePorts(3);
  const addresses = new Map(ids.map((id, i) => [id, `127.0.0.1:${ports[i]}`]));
  const root = await mkdtemp(join(tmpdir(), 'keel-log-cluster-'));
  const dirs = new Map(ids.map((id) => [id, join(root, `log-${id}`)]));
  const nodes = new Map<string, LogNode>();
  const logger = pino({ level: process.env.KEEL_TEST_LOG_LEVEL ?? 'silent' });
  /** A wrapped store is built here, so it must get the limit the node would give its own. */
  const writeBufferBytes = options.limits?.storeWriteBufferBytes ?? defaultLogLimits.storeWriteBufferBytes;
  const start = async (id: string) => {
    const node = await LogNode.start({
      id, listen: addresses.get(id)!, dir: dirs.get(id)!, peers: addresses, logger: logger.child({ node: id }),
      ...(options.wrapStore ? { store: options.wrapStore(id, new LevelLogStore(dirs.get(id)!, { writeBufferBytes })) } : {}),
      ...(options.limits ? { limits: options.limits } : {}), ...(options.timings ? { timings: options.timings } : {}),
    });
    nodes.set(id, node);
    return node;
  };
  const cluster: InProcessCluster = {
    ids, addresses, nodes, dirs, start,
    async stop(id) {
      await nodes.get(id)?.close();
      nodes.delete(id);
    },
    async close() {
      await Promise.all([...nodes.values()].map((node) => node.close()));
      nodes.clear();
      await rm(root, { recursive: true, force: true });
    },
    async leader(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        for (const node of nodes.values()) if (node.status().role === 'leader') return node;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('no leader elected');
    },
  };
  await Promise.all(ids.map(start));
  return cluster;
}
