// Who this node is, and whether its (empty) directory is a brand-new cluster or a lost disk.
// A node that finds its directory empty asks its peers: if any of them holds Raft state, the
// cluster exists and this node is a replacement — it must not vote until it holds the log
// again (its old votes and acknowledgements are gone). If the peers that answer are empty
// too, the cluster is new and this node bootstraps with them.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { LogError } from '../errors.js';
import { NodeConnection } from '../client/node-connection.js';
import type { IdentityResult } from '../wire/protocol.js';
import type { NodeIdentity } from './node-storage.js';

export function derivedClusterId(peerIds: Iterable<string>): string {
  return createHash('sha256').update([...peerIds].sort().join(',')).digest('hex').slice(0, 16);
}

export async function askPeerIdentity(address: string, frameBytesMax: number, timeoutMs: number): Promise<IdentityResult | null> {
  const connection = new NodeConnection(address, frameBytesMax, timeoutMs);
  try {
    return await connection.request<IdentityResult>({ op: 'identity' }, timeoutMs);
  } catch {
    return null;
  } finally {
    connection.close();
  }
}

export interface IdentityResolution {
  nodeId: string;
  peers: Map<string, string>; // other nodes: id -> host:port
  frameBytesMax: number;
  probeTimeoutMs: number;
  retryMs: number;
  logger: Logger;
  isStopped(): boolean;
}

/** Decides the identity of a node whose store holds nothing. */
export async function resolveNewIdentity(options: IdentityResolution): Promise<NodeIdentity> {
  const allIds = [options.nodeId, ...options.peers.keys()];
  // A one-node group (a database node's embedded log) has nobody to ask: it is the cluster.
  if (options.peers.size === 0) return { clusterId: derivedClusterId(allIds), nodeId: options.nodeId, catchingUp: false };
  let lastLog = 0;
  for (;;) {
    if (options.isStopped()) throw new LogError('CLOSED', 'stopped while resolving identity');
    // A peer still reading its own store cannot tell yet: it counts as not answering.
    const answers = (
      await Promise.all([...options.peers.values()].map((address) => askPeerIdentity(address, options.frameBytesMax, options.probeTimeoutMs)))
    ).filter((answer): answer is IdentityResult => answer !== null && answer.starting !== true);
    const established = answers.find((answer) => answer.hasData && answer.clusterId !== null);
    if (established) {
      options.logger.warn(
        { clusterId: established.clusterId, peer: established.nodeId },
        'empty data directory but the cluster exists: joining as a replacement, voting disabled until caught up',
      );
      return { clusterId: established.clusterId!, nodeId: options.nodeId, catchingUp: true };
    }
    if (answers.length > 0) {
      const clusterId = answers.find((answer) => answer.clusterId !== null)?.clusterId ?? derivedClusterId(allIds);
      options.logger.info({ clusterId }, 'empty data directory and no peer holds data: bootstrapping a new cluster');
      return { clusterId, nodeId: options.nodeId, catchingUp: false };
    }
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      options.logger.warn('empty data directory: waiting for a peer to answer (new cluster or replacement?)');
    }
    await new Promise((resolve) => setTimeout(resolve, options.retryMs));
  }
}
