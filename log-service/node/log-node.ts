// One log node process: its store, identity, Raft driver, peer links and TCP server.

import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { assert } from '../assert.js';
import { LogError } from '../errors.js';
import { assertLogLimits, assertLogTimings, defaultLogLimits, defaultLogTimings, type LogLimits, type LogTimings } from '../limits.js';
import { RaftCore } from '../raft/index.js';
import type { LogStore } from '../store/log-store.js';
import { LevelLogStore } from '../store/level-store.js';
import type { IdentityResult, NodeStatus } from '../wire/protocol.js';
import { derivedClusterId, resolveNewIdentity } from './identity.js';
import { LogServer } from './log-server.js';
import { identityOp, loadState, type LoadedState, type NodeIdentity } from './node-storage.js';
import { StateCapture } from './state-capture.js';
import { PeerTransport } from './peer-transport.js';
import { RaftDriver } from './raft-driver.js';

export interface LogNodeConfig {
  id: string;
  /** host:port to listen on (port 0 picks a free one, for tests). */
  listen: string;
  /** Data directory (LevelDB); ignored when `store` is given. */
  dir: string;
  /** Every node, this one included: id -> host:port. */
  peers: Map<string, string>;
  limits?: Partial<LogLimits>;
  timings?: Partial<LogTimings>;
  logger: Logger;
  store?: LogStore;
}

export class LogNode {
  private driver: RaftDriver | null = null;
  private transport: PeerTransport | null = null;
  private identity: NodeIdentity | null = null;
  /**
   * How far boot got, for the identity answer: until this node has read its store it cannot
   * say whether it holds data, and a peer with an empty directory must not take it for an empty
   * node (it would bootstrap and vote as if its log were intact).
   */
  private bootPhase: 'reading-store' | 'resolving-empty' | 'identified' = 'reading-store';
  /** Whether the store held Raft state when boot read it (until the driver can tell). */
  private storeHadRaftState = false;
  private stopped = false;

  private constructor(
    readonly config: LogNodeConfig,
    readonly limits: LogLimits,
    readonly timings: LogTimings,
    private readonly store: LogStore,
    readonly server: LogServer,
  ) {}

  static async start(config: LogNodeConfig): Promise<LogNode> {
    const limits: LogLimits = { ...defaultLogLimits, ...config.limits };
    const timings: LogTimings = { ...defaultLogTimings, ...config.timings };
    assertLogLimits(limits);
    assertLogTimings(timings);
    assert(config.peers.has(config.id), `--peers must include this node's own id ${config.id}`);
    const store = config.store ?? new LevelLogStore(config.dir, { writeBufferBytes: limits.storeWriteBufferBytes });
    if (!config.store) await mkdir(config.dir, { recursive: true });
    await store.open();
    let node: LogNode | null = null;
    const server = new LogServer(
      {
        nodeId: config.id,
        addresses: config.peers,
        limits,
        logger: config.logger,
        clusterId: () => node?.identity?.clusterId ?? null,
        identity: () => node?.identityAnswer() ?? { clusterId: null, hasData: false, starting: true },
        driver: () => node?.driver ?? null,
      },
      (message, hints) => node?.driver?.step(message, hints),
    );
    node = new LogNode(config, limits, timings, store, server);
    try {
      await server.listen(config.listen);
      await node.boot();
    } catch (error) {
      await node.close();
      throw error;
    }
    return node;
  }

  get port(): number {
    return this.server.port;
  }

  get clusterId(): string | null {
    return this.identity?.clusterId ?? null;
  }

  status(): NodeStatus {
    return this.server.status();
  }

  /** How this node's applied appends got their checksums (node/chain-hints.ts); null while starting. */
  checksumWork(): { appendsHashed: number; chainsTaken: number } | null {
    return this.driver?.checksumWork ?? null;
  }

  /** AppendEntries carrying entries this node received (node/lazy-followers.ts); null while starting. */
  appendsWithEntriesReceived(): number | null {
    return this.driver?.appendsWithEntriesReceived ?? null;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.transport?.close();
    await this.driver?.stop();
    await this.server.close();
    await this.store.close().catch(() => undefined);
  }

  private identityAnswer(): Omit<IdentityResult, 'nodeId'> {
    if (this.bootPhase === 'reading-store') return { clusterId: null, hasData: false, starting: true };
    // Empty and asking its peers too: it must answer "empty", or three new nodes would wait
    // for each other forever.
    if (this.bootPhase === 'resolving-empty') return { clusterId: null, hasData: false };
    assert(this.identity !== null, 'an identified node has an identity');
    return { clusterId: this.identity.clusterId, hasData: this.hasData(this.identity) };
  }

  private hasData(identity: NodeIdentity): boolean {
    if (identity.catchingUp) return true;
    const status = this.driver?.status();
    if (status === undefined) return this.storeHadRaftState;
    return status.term > 0 || status.lastIndex > 0;
  }

  private async boot(): Promise<void> {
    const { config, limits, timings } = this;
    const loaded = await loadState(this.store);
    const others = new Map([...config.peers].filter(([id]) => id !== config.id));
    let identity = loaded.identity;
    const hasRaftState = loaded.hardState.term > 0 || loaded.entries.length > 0 || loaded.snapshot !== null;
    this.storeHadRaftState = hasRaftState;
    if (identity) {
      if (identity.nodeId !== config.id) {
        throw new LogError('BAD_REQUEST', `data directory belongs to node ${identity.nodeId}, not ${config.id}`);
      }
    } else {
      if (!hasRaftState) this.bootPhase = 'resolving-empty';
      identity = hasRaftState
        ? { clusterId: derivedClusterId(config.peers.keys()), nodeId: config.id, catchingUp: false }
        : await resolveNewIdentity({
            nodeId: config.id, peers: others, frameBytesMax: limits.frameBytesMax, probeTimeoutMs: 1000, retryMs: 250,
            logger: config.logger, isStopped: () => this.stopped,
          });
      await this.store.batch([identityOp(identity)], { sync: true });
    }
    this.identity = identity;
    this.bootPhase = 'identified';
    const initialCapture = this.initialCapture(loaded);
    this.transport = new PeerTransport({
      selfId: config.id, clusterId: identity.clusterId, peers: others, peerFrameBytesMax: limits.peerFrameBytesMax,
      peerQueueBytesMax: limits.peerQueueBytesMax, reconnectBackoffMinMs: timings.reconnectBackoffMinMs,
      reconnectBackoffMaxMs: timings.reconnectBackoffMaxMs, logger: config.logger,
    });
    const transport = this.transport;
    this.driver = new RaftDriver(
      {
        nodeId: config.id,
        peerIds: [...config.peers.keys()],
        store: this.store,
        loaded,
        limits,
        timings,
        votingDisabledUntilCaughtUp: identity.catchingUp,
        createCore: (raftConfig, persisted) => new RaftCore(raftConfig, persisted),
        send: (message, hints) => transport.send(message, hints),
        logger: config.logger,
        onLogChanged: (log) => this.server.logChanged(log),
        onVotingEnabled: () => void this.markCaughtUp(),
      },
      initialCapture,
    );
    this.driver.start();
    config.logger.info(
      { id: config.id, listen: config.listen, port: this.port, clusterId: identity.clusterId, catchingUp: identity.catchingUp, appliedIndex: loaded.appliedIndex, term: loaded.hardState.term },
      'log node started',
    );
  }

  private async markCaughtUp(): Promise<void> {
    if (!this.identity?.catchingUp || this.stopped) return;
    const identity = { ...this.identity, catchingUp: false };
    try {
      await this.store.batch([identityOp(identity)], { sync: true });
      this.identity = identity;
    } catch (error) {
      this.config.logger.error({ err: error }, 'could not record that this node caught up');
    }
  }

  /** The state machine at the applied index, for a follower that needs compacted entries. */
  private initialCapture(loaded: LoadedState): StateCapture {
    const snapshotIndex = loaded.snapshot?.index ?? 0;
    const term = loaded.appliedIndex === snapshotIndex
      ? (loaded.snapshot?.term ?? 0)
      : loaded.entries.find((entry) => entry.index === loaded.appliedIndex)?.term;
    assert(term !== undefined, `no term known for the applied index ${loaded.appliedIndex}`);
    return StateCapture.ofStore(loaded.appliedIndex, term, this.store.snapshot(), loaded.logs.cloneMetas());
  }
}
