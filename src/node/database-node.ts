// A database node: the RESP server plus its place in the shard's log. It loads its data by
// replaying the log, then serves as the primary (appending effects, conditional on the tail)
// or as a replica (tailing the log). When an append fails it never guesses: fenced (someone
// else wrote) → it becomes a replica and rebuilds; outcome unknown (no quorum) → it fails
// the held replies, keeps serving committed keys, and reconciles with the log when it can.
import type { Logger } from 'pino';
import { join } from 'node:path';
import { LogClient } from '../../log-service/client/log-client.js';
import type { LogSubscription } from '../../log-service/client/subscription.js';
import { LogNode } from '../../log-service/node/log-node.js';
import type { LogEntry } from '../../log-service/state/types.js';
import { Engine } from '../engine/engine.js';
import { KeelServer, type ReplicationHooks } from '../server/server.js';
import { ReadOnlyCommitter } from '../server/commit.js';
import type { ServerSettings } from '../server/settings.js';
import { LogCommitter, type CommitFailure } from '../replication/log-committer.js';
import { decodeRecord, encodeRecord, type ShardRecord } from '../replication/records.js';
import { ReplicaAcks } from '../replication/replica-acks.js';
import { AckSender } from '../replication/ack-sender.js';
import { assert } from '../util/assert.js';
import type { Reply } from '../resp/reply.js';

export type NodeRole = 'primary' | 'replica';

export interface DatabaseNodeOptions {
  settings: ServerSettings;
  logger: Logger;
  /** host:port of each log node; empty = run a single-node log in-process under settings.dir. */
  logNodes: string[];
  nodeId: string;
  shard: number;
  /** Availability zone (= id of the log node to tail from, when it exists). */
  az: string | null;
  role: NodeRole;
  commitTimeoutMs: number;
  /** Entries read per request while replaying the log. */
  replayEntriesMax: number;
}

const REPLAY_PROGRESS_INTERVAL_MS = 1000;
const RECONCILE_RETRY_MS = 250;

export class DatabaseNode implements ReplicationHooks {
  readonly server: KeelServer;
  readonly logName: string;
  role: NodeRole;
  appliedLsn = 0;
  /** The primary as the log last named it (leader record), for replicas' acks and ROLE. */
  primary: { nodeId: string; addr: string; epoch: number } | null = null;
  epoch = 0;
  readonly acks = new ReplicaAcks();
  private client!: LogClient;
  private embeddedLog: LogNode | null = null;
  private committer: LogCommitter | null = null;
  private subscription: LogSubscription | null = null;
  private ackSender: AckSender | null = null;
  private stopped = false;
  /** The log's tail as last seen (replica lag), and when the last applied entry was written. */
  private knownTailLsn = 0;
  private lastAppliedWrittenAtMs = 0;
  private logNodesReachable = 0;
  private statusTimer: NodeJS.Timeout | null = null;
  /** The latest commit failure being handled, so that one failure triggers one recovery. */
  private recovering: Promise<void> | null = null;

  private constructor(readonly options: DatabaseNodeOptions) {
    this.server = new KeelServer(options.settings, options.logger, new ReadOnlyCommitter());
    this.server.state = 'loading';
    this.server.durabilityName = options.logNodes.length === 0 ? 'embedded-log' : 'quorum-log';
    this.logName = `shard-${options.shard}`;
    this.role = options.role;
  }

  static async start(options: DatabaseNodeOptions): Promise<DatabaseNode> {
    const node = new DatabaseNode(options);
    await node.server.listen();
    node.server.replication = node;
    await node.connectLog();
    await node.loadFromLog();
    await node.takeRole();
    node.startStatusPolling();
    return node;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get advertisedAddress(): string {
    return `${this.options.settings.host}:${this.options.settings.port}`;
  }

  // --- log connection ----------------------------------------------------------------------------

  private async connectLog(): Promise<void> {
    let nodes = this.options.logNodes;
    if (nodes.length === 0) {
      this.embeddedLog = await LogNode.start({
        id: 'local', listen: '127.0.0.1:0', dir: join(this.options.settings.dir, 'log'),
        peers: new Map([['local', '127.0.0.1:0']]), logger: this.logger.child({ component: 'embedded-log' }),
      });
      nodes = [`127.0.0.1:${this.embeddedLog.port}`];
    }
    this.client = new LogClient({ nodes, writerId: `${this.options.nodeId}-${process.pid}-${Date.now()}` });
  }

  /** The log node of our AZ, if any answers with that id. */
  private async azLogNode(): Promise<string | undefined> {
    if (!this.options.az) return undefined;
    const statuses = await this.client.statusAll();
    const index = statuses.findIndex((status) => status?.id === this.options.az);
    return index === -1 ? undefined : this.client.options.nodes[index];
  }

  // --- loading --------------------------------------------------------------------------------

  /** Rebuilds the data set from the log: replays every entry up to the tail seen at start. */
  private async loadFromLog(): Promise<void> {
    this.server.state = 'loading';
    const engine = new Engine({ databases: this.options.settings.databases });
    const startedAt = Date.now();
    let applied = 0;
    let tailLsn = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        tailLsn = (await this.client.tail(this.logName)).tailLsn;
        break;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: (error as Error).message, attempt }, 'log unreachable while loading; retrying');
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
    }
    this.logger.info({ tailLsn }, 'loading data set from the log');
    let lastReport = Date.now();
    while (applied < tailLsn) {
      let entries: LogEntry[];
      try {
        entries = (await this.client.read(this.logName, applied + 1, { entriesMax: this.options.replayEntriesMax })).entries;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: (error as Error).message }, 'log read failed while loading; retrying');
        await sleep(RECONCILE_RETRY_MS);
        continue;
      }
      assert(entries.length > 0, `log returned no entries after ${applied} below its tail ${tailLsn}`);
      for (const entry of entries) {
        if (entry.lsn > tailLsn) break;
        this.applyEntry(engine, entry);
        applied = entry.lsn;
      }
      if (Date.now() - lastReport >= REPLAY_PROGRESS_INTERVAL_MS) {
        lastReport = Date.now();
        const seconds = (lastReport - startedAt) / 1000;
        this.logger.info({ appliedLsn: applied, tailLsn, percent: ((100 * applied) / tailLsn).toFixed(1), entriesPerSecond: Math.round(applied / seconds) }, 'loading progress');
      }
    }
    this.appliedLsn = applied;
    this.server.replaceEngine(engine);
    this.logger.info({ appliedLsn: applied, ms: Date.now() - startedAt }, 'data set loaded');
  }

  /** Applies one log entry to `engine` (the same code on replicas, on restart and at load). */
  private applyEntry(engine: Engine, entry: LogEntry): void {
    const record = decodeRecord(entry.payload);
    this.observeRecord(record);
    if (record.t === 'effects') {
      engine.applyEffects(record.batch);
      if (record.ms !== undefined) this.lastAppliedWrittenAtMs = record.ms;
    }
    if (entry.lsn > this.knownTailLsn) this.knownTailLsn = entry.lsn;
  }

  private observeRecord(record: ShardRecord): void {
    if (record.t === 'leader') {
      this.primary = { nodeId: record.nodeId, addr: record.addr, epoch: record.epoch };
      this.epoch = Math.max(this.epoch, record.epoch);
    }
  }

  // --- roles ----------------------------------------------------------------------------------

  private async takeRole(): Promise<void> {
    if (this.stopped) return;
    if (this.role === 'primary') this.becomePrimary();
    else await this.becomeReplica();
  }

  private becomePrimary(): void {
    this.stopReplica();
    const committer = new LogCommitter(this.client, this.logName, this.appliedLsn, this.options.commitTimeoutMs, (failure) => this.onCommitFailure(committer, failure));
    this.committer = committer;
    this.server.setCommitter(committer);
    this.server.policy = 'primary';
    this.epoch += 1;
    this.primary = { nodeId: this.options.nodeId, addr: this.advertisedAddress, epoch: this.epoch };
    committer.submitRecord({ t: 'leader', ...this.primary });
    this.server.state = 'serving';
    this.logger.info({ epoch: this.epoch, appliedLsn: this.appliedLsn }, 'serving as primary');
  }

  private async becomeReplica(): Promise<void> {
    this.server.setCommitter(new ReadOnlyCommitter());
    this.server.policy = 'replica';
    const node = await this.azLogNode().catch(() => undefined);
    this.subscription = this.client.subscribe(this.logName, this.appliedLsn + 1, (entries) => this.applyAsReplica(entries), {
      node,
      onError: (error) => {
        this.logger.error({ err: error.message }, 'log subscription ended; reloading');
        void this.recover();
      },
    });
    this.ackSender = new AckSender(this, this.logger);
    this.server.state = 'serving';
    this.logger.info({ appliedLsn: this.appliedLsn, logNode: node ?? 'any' }, 'serving as replica');
  }

  private applyAsReplica(entries: LogEntry[]): void {
    for (const entry of entries) {
      if (entry.lsn <= this.appliedLsn) continue;
      assert(entry.lsn === this.appliedLsn + 1, `replica expected LSN ${this.appliedLsn + 1}, got ${entry.lsn}`);
      this.applyEntry(this.server.engine, entry);
      this.appliedLsn = entry.lsn;
    }
    this.ackSender?.noteApplied(this.appliedLsn);
  }

  private stopReplica(): void {
    this.subscription?.close();
    this.subscription = null;
    this.ackSender?.stop();
    this.ackSender = null;
  }

  // --- failures -------------------------------------------------------------------------------

  private onCommitFailure(committer: LogCommitter, failure: CommitFailure): void {
    if (committer !== this.committer) return;
    if (failure.kind === 'fenced') {
      this.logger.warn({ tailLsn: failure.tailLsn }, 'append rejected: another writer owns the log; stepping down');
      this.server.failAllPending('TRYAGAIN this node is no longer the primary (fenced); the write may not have happened');
      this.role = 'replica';
      void this.recover();
      return;
    }
    this.logger.error({ reason: failure.reason }, 'commit failed: outcome unknown; degrading until the log answers');
    this.server.failAllPending(`TRYAGAIN write not confirmed by the log quorum (${failure.reason}); it may or may not have happened`);
    this.server.degradedReason = `the log quorum is unreachable; writes are refused until it answers`;
    this.server.state = 'degraded';
    void this.recover();
  }

  /**
   * Brings the node back in line with the log. If every batch we handed out turns out to be
   * committed, as it is, our state is exact and we continue; otherwise we rebuild.
   */
  private recover(): Promise<void> {
    this.recovering ??= (async () => {
      const committer = this.committer;
      this.committer = null;
      committer?.stop();
      this.stopReplica();
      this.client.close();
      await this.connectLogAgain();
      if (committer && this.role === 'primary' && (await this.batchesAllCommitted(committer))) {
        this.appliedLsn = committer.lastLsn;
        this.logger.info({ appliedLsn: this.appliedLsn }, 'log reachable again: every batch committed; no rebuild needed');
      } else {
        await this.loadFromLog();
      }
      this.server.state = 'loading';
      await this.takeRole();
    })().finally(() => { this.recovering = null; });
    return this.recovering;
  }

  private async connectLogAgain(): Promise<void> {
    const nodes = this.client.options.nodes;
    this.client = new LogClient({ nodes, writerId: `${this.options.nodeId}-${process.pid}-${Date.now()}` });
  }

  /** Whether the log holds exactly our batches after what we knew committed (compares bytes). */
  private async batchesAllCommitted(committer: LogCommitter): Promise<boolean> {
    while (!this.stopped) {
      try {
        const tail = (await this.client.tail(this.logName)).tailLsn;
        if (tail !== committer.lastLsn) return false;
        if (committer.committedLsn === committer.lastLsn) return true;
        const entries = await this.client.readAll(this.logName, committer.committedLsn + 1);
        const ours = committer.unconfirmedPayloads();
        return entries.length === ours.length && entries.every((entry, index) => Buffer.compare(Buffer.from(entry.payload), Buffer.from(ours[index]!)) === 0);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'log still unreachable');
        await sleep(RECONCILE_RETRY_MS);
      }
    }
    return false;
  }

  // --- replication hooks: WAIT, REPLCONF, ROLE, INFO replication ------------------------------

  waitForReplicas(lsn: number, count: number, timeoutMs: number): Promise<number> {
    return this.acks.waitFor(lsn, count, timeoutMs);
  }

  isCommitted(lsn: number): boolean {
    return this.server.committer.committedLsn >= lsn;
  }

  ack(nodeId: string, address: string, appliedLsn: number): void {
    this.acks.ack(nodeId, address, appliedLsn);
  }

  private get lastLsn(): number {
    return this.role === 'primary' && this.committer ? this.committer.lastLsn : this.appliedLsn;
  }

  roleReply(): Reply {
    if (this.role === 'primary') {
      return ['master', this.lastLsn, this.acks.connected().map(([, state]) => {
        const [host, port] = splitAddress(state.address);
        return [host, port, String(state.appliedLsn)];
      })];
    }
    const [host, port] = splitAddress(this.primary?.addr ?? ':0');
    return ['slave', host, Number(port), this.server.state === 'serving' ? 'connected' : 'connecting', this.appliedLsn];
  }

  infoFields(): [string, string | number][] {
    const committed = this.role === 'primary' ? this.server.committer.committedLsn : this.appliedLsn;
    const fields: [string, string | number][] = [['role', this.role === 'primary' ? 'master' : 'slave']];
    if (this.role === 'primary') {
      const replicas = this.acks.connected();
      fields.push(['connected_slaves', replicas.length]);
      replicas.forEach(([nodeId, state], index) => {
        const [host, port] = splitAddress(state.address);
        fields.push([`slave${index}`, `ip=${host},port=${port},state=online,offset=${state.appliedLsn},lag=${Math.max(0, this.lastLsn - state.appliedLsn)},node_id=${nodeId}`]);
      });
    } else {
      const [host, port] = splitAddress(this.primary?.addr ?? ':0');
      fields.push(['master_host', host], ['master_port', port], ['master_link_status', this.server.state === 'serving' ? 'up' : 'down']);
    }
    const lagEntries = Math.max(0, this.knownTailLsn - this.appliedLsn);
    fields.push(
      ['keel_node_id', this.options.nodeId],
      ['keel_shard', this.options.shard],
      ['keel_state', this.server.state],
      ['keel_epoch', this.epoch],
      ['keel_primary_node_id', this.primary?.nodeId ?? ''],
      ['keel_applied_lsn', this.role === 'primary' ? committed : this.appliedLsn],
      ['keel_committed_lsn', committed],
      ['keel_last_lsn', this.lastLsn],
      ['keel_log_tail_lsn', Math.max(this.knownTailLsn, committed)],
      ['keel_lag_entries', this.role === 'primary' ? 0 : lagEntries],
      ['keel_lag_ms', this.role === 'primary' || lagEntries === 0 ? 0 : Math.max(0, Date.now() - this.lastAppliedWrittenAtMs)],
      ['keel_log_nodes', this.client?.options.nodes.length ?? 0],
      ['keel_log_nodes_reachable', this.logNodesReachable],
    );
    return fields;
  }

  /** Every second: which log nodes answer, and the log's tail (replica lag). */
  private startStatusPolling(): void {
    const poll = async (): Promise<void> => {
      const statuses = await this.client.statusAll().catch(() => []);
      this.logNodesReachable = statuses.filter((status) => status !== null).length;
      for (const status of statuses) {
        const tail = status?.logs?.[this.logName]?.tailLsn;
        if (typeof tail === 'number' && tail > this.knownTailLsn) this.knownTailLsn = tail;
      }
    };
    void poll();
    this.statusTimer = setInterval(() => void poll(), 1000);
    this.statusTimer.unref();
  }

  // --- shutdown -------------------------------------------------------------------------------

  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.stopped = true;
    this.committer?.stop();
    this.stopReplica();
    await this.server.close();
    this.client?.close();
    await this.embeddedLog?.close();
  }
}

function splitAddress(address: string): [string, string] {
  const separator = address.lastIndexOf(':');
  return [address.slice(0, separator), address.slice(separator + 1)];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { encodeRecord };
