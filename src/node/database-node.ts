// A database node: the RESP server plus its place in the shard's log. It loads its data by
// replaying the log, then serves as the primary (appending effects, conditional on the tail)
// or as a replica (tailing the log). When an append fails it never guesses: fenced (someone
// else wrote) → it becomes a replica and rebuilds; outcome unknown (no quorum) → it fails
// the held replies, keeps serving committed keys, and reconciles with the log when it can.
import { setTimeout as sleep } from 'node:timers/promises';
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
import { LogError } from '../../log-service/errors.js';
import { Election, type ElectionAction, type ElectionConfig } from '../replication/election.js';
import type { Reply } from '../resp/reply.js';
import type { SnapshotStore } from '../snapshot/store.js';
import { openPayload, sealPayload, type EncryptionKey } from '../snapshot/encryption.js';
import { loadLatestSnapshot } from '../snapshot/loader.js';
import { checkSnapshotAgainstLog } from '../snapshot/log-check.js';
import { defaultSnapshotLimits } from '../snapshot/limits.js';
import { SnapshotError } from '../snapshot/errors.js';
import { ChildSnapshotter } from '../snapshot/child-snapshotter.js';
import { ReplayProgress } from './replay-progress.js';

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
  /** Lease and campaign timings (replication/election.ts); asserted safe at start-up. */
  election: ElectionConfig;
  commitTimeoutMs: number;
  /** Entries read per request while replaying the log. */
  replayEntriesMax: number;
  /** Where snapshots live: loading starts from the latest valid one (null: replay the whole log). */
  snapshotStore?: SnapshotStore | null;
  /** Key for encrypted snapshots (and log payloads) at rest. */
  encryptionKey?: EncryptionKey | null;
  /** Store/key/S3 flags for the `keel snapshot` child that SAVE and BGSAVE run (null: SAVE is unavailable). */
  snapshotCommandArgs?: string[] | null;
}

const REPLAY_PROGRESS_INTERVAL_MS = 1000;
const ELECTION_TICK_MS = 20;
/** Room kept in a log entry for the record's own encoding (type, timestamps, array headers). */
const LOG_ENTRY_FRAMING_BYTES = 64 * 1024;
const EMBEDDED_PRIMARY_WAIT_MS = 10_000;
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
  private election: Election | null = null;
  private electionTimer: NodeJS.Timeout | null = null;
  /** Control records applied before the election started (while loading). */
  private readonly pendingObservations: ShardRecord[] = [];
  private failoverInProgress = false;
  /** Set between appending Handoff and following: no lease renewal may follow it. */
  private handingOff = false;
  /** LSN of our winning Leader record. */
  private leaderLsn = 0;
  /** The latest commit failure being handled, so that one failure triggers one recovery. */
  private recovering: Promise<void> | null = null;

  private constructor(readonly options: DatabaseNodeOptions) {
    this.server = new KeelServer(options.settings, options.logger, new ReadOnlyCommitter());
    this.server.state = 'loading';
    this.server.durabilityName = options.logNodes.length === 0 ? 'embedded-log' : 'quorum-log';
    this.logName = `shard-${options.shard}`;
    this.role = 'replica';
    if (options.snapshotStore && options.snapshotCommandArgs) {
      let changesAtStart = 0;
      this.server.snapshots = new ChildSnapshotter({
        logNodes: () => this.client.options.nodes, shard: options.shard, storeArgs: options.snapshotCommandArgs,
        logger: options.logger.child({ component: 'save' }),
        // As Redis's dirty counter: changes made while the snapshot ran still count after it.
        onStarted: () => { changesAtStart = this.server.engine.changesTotal; },
        onSaved: () => {
          this.server.lastSaveSeconds = Math.floor(Date.now() / 1000);
          this.server.changesAtLastSave = changesAtStart;
        },
      });
    }
  }

  static async start(options: DatabaseNodeOptions): Promise<DatabaseNode> {
    const node = new DatabaseNode(options);
    await node.server.listen();
    node.server.replication = node;
    await node.connectLog();
    // One write's effects must fit one log entry (with room for the record's framing).
    node.server.writeBytesMax = node.client.limits.entryBytesMax - LOG_ENTRY_FRAMING_BYTES;
    await node.loadFromLog();
    await node.becomeReplica();
    node.startElection();
    if (node.embeddedLog) await node.becomePrimaryAlone();
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
    let engine = new Engine({ databases: this.options.settings.databases });
    const startedAt = Date.now();
    let applied = 0;
    let tailLsn = 0;
    let firstLsn = 1;
    for (let attempt = 0; ; attempt++) {
      try {
        ({ tailLsn, firstLsn } = await this.client.tail(this.logName));
        break;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: (error as Error).message, attempt }, 'log unreachable while loading; retrying');
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
    }
    // Start from the latest valid snapshot (a corrupt one is skipped loudly for the one
    // before it); then replay only the log after it.
    const store = this.options.snapshotStore;
    const snapshot = store ? await loadLatestSnapshot(store, {
      shard: this.options.shard, databases: this.options.settings.databases, key: this.options.encryptionKey ?? null,
      limits: defaultSnapshotLimits, logger: this.logger,
      checkHeader: (header, what) => checkSnapshotAgainstLog(this.client, this.logName, header, what),
    }) : null;
    if (snapshot) {
      engine = snapshot.engine;
      applied = snapshot.header.lsn;
      this.epoch = Math.max(this.epoch, snapshot.header.control?.epoch ?? 0);
      if (snapshot.header.control?.primary) this.primary = snapshot.header.control.primary;
      this.server.lastSaveSeconds = Math.floor(snapshot.header.createdAtMs / 1000);
      this.logger.info({ location: snapshot.location, lsn: applied, keys: snapshot.header.keyCount }, 'snapshot loaded');
    } else if (firstLsn > 1) {
      throw new SnapshotError('SNAPSHOT_NOT_FOUND', `log ${this.logName} is trimmed to LSN ${firstLsn} and no valid snapshot covers it${store ? ` in ${store.url}` : ' (no --snapshot-store)'}`);
    }
    // Progress counts only what this replay does: the snapshot's entries are not replayed.
    const progress = new ReplayProgress(applied, tailLsn);
    this.logger.info({ tailLsn, fromLsn: applied + 1, startLsn: applied, entriesToReplay: tailLsn - applied }, 'loading data set from the log');
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
        this.logger.info({ appliedLsn: applied, ...progress.at(applied, lastReport) }, 'loading progress');
      }
    }
    this.appliedLsn = applied;
    this.server.replaceEngine(engine);
    this.server.changesAtLastSave = engine.changesTotal; // as Redis after loading: nothing unsaved
    const { startLsn, replayed, entriesPerSecond } = progress.at(applied, Date.now());
    this.logger.info({ appliedLsn: applied, startLsn, replayed, entriesPerSecond, ms: Date.now() - startedAt }, 'data set loaded');
  }

  /** Applies one log entry to `engine` (the same code on replicas, on restart and at load). */
  private applyEntry(engine: Engine, entry: LogEntry): void {
    const record = decodeRecord(openPayload(this.options.encryptionKey ?? null, this.logName, entry.payload, entry.lsn));
    this.observeRecord(record);
    if (record.t === 'effects') {
      engine.applyEffects(record.batch);
      this.election?.noteActivity(performance.now(), this.jitter());
      if (record.ms !== undefined) this.lastAppliedWrittenAtMs = record.ms;
    }
    if (entry.lsn > this.knownTailLsn) this.knownTailLsn = entry.lsn;
  }

  private observeRecord(record: ShardRecord): void {
    if (record.t === 'effects' || record.t === 'snapshot') return;
    if (record.t === 'leader') this.primary = { nodeId: record.nodeId, addr: record.addr, epoch: record.epoch };
    this.epoch = Math.max(this.epoch, record.epoch);
    this.observeForElection(record);
  }

  // --- roles: everything below is driven by the election (replication/election.ts) --------

  /** Every node starts as a replica; the election decides, through the log, who serves. */
  private startElection(): void {
    const config = this.options.election;
    this.election = new Election(config, performance.now(), this.jitter());
    for (const record of this.pendingObservations.splice(0)) this.observeForElection(record);
    this.electionTimer = setInterval(() => this.perform(this.election!.tick(performance.now())), ELECTION_TICK_MS);
    this.electionTimer.unref();
  }

  /** A node on its own embedded log is the only possible writer: it takes the log at once. */
  private async becomePrimaryAlone(): Promise<void> {
    this.election!.campaignNow(performance.now());
    const deadline = Date.now() + EMBEDDED_PRIMARY_WAIT_MS;
    while (this.role !== 'primary' && Date.now() < deadline) await sleep(10);
    assert(this.role === 'primary', `node on an embedded log did not become primary within ${EMBEDDED_PRIMARY_WAIT_MS} ms`);
  }

  /** With --encryption-key-file, every record is sealed (AES-256-GCM) before it reaches the log. */
  private seal(payload: Uint8Array): Uint8Array {
    const key = this.options.encryptionKey;
    return key ? sealPayload(key, this.logName, payload) : payload;
  }

  private jitter(): number {
    return Math.random() * this.options.election.campaignJitterMs;
  }

  private observeForElection(record: ShardRecord): void {
    if (!this.election) {
      this.pendingObservations.push(record);
      return;
    }
    this.perform(this.election.observe(record, performance.now(), this.jitter()));
  }

  /** Carries out what the election decided. */
  private perform(actions: ElectionAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'campaign': void this.campaign(action.epoch); break;
        case 'won': this.becomePrimary(action.epoch); break;
        case 'renew': this.renewLease(action.epoch); break;
        case 'startServing': this.server.leaseValidUntilMs = this.election!.leaseValidUntilMs; break;
        case 'stopServing':
          this.server.leaseValidUntilMs = 0;
          this.logger.warn({ epoch: this.epoch }, 'lease expired: not serving until it is renewed or another node takes over');
          break;
        case 'stepDown': this.stepDown(); break;
      }
    }
  }

  /** Appends Leader{epoch} conditionally on everything we applied (or, as primary, wrote). */
  private async campaign(epoch: number): Promise<void> {
    const election = this.election!;
    if (this.stopped || this.recovering) {
      election.campaignAbandoned(performance.now(), this.jitter());
      return;
    }
    const prevLsn = this.committer ? this.committer.lastLsn : this.appliedLsn;
    const record: ShardRecord = { t: 'leader', nodeId: this.options.nodeId, addr: this.advertisedAddress, epoch };
    const sentAtMs = performance.now();
    this.logger.info({ epoch, prevLsn }, 'campaigning');
    try {
      const outcome = await this.client.append(this.logName, [this.seal(encodeRecord(record))], { prevLsn });
      if (this.election !== election) return;
      const actions = election.campaignWon(epoch, sentAtMs, performance.now());
      if (actions.some((action) => action.type === 'won')) {
        this.primary = { nodeId: this.options.nodeId, addr: this.advertisedAddress, epoch };
        this.leaderLsn = outcome.lastLsn;
      }
      this.perform(actions);
    } catch (error) {
      if (this.election !== election) return;
      const conflict = error instanceof LogError && error.code === 'LOG_CONFLICT';
      this.logger.info({ epoch, reason: conflict ? 'another node appended first' : (error as Error).message }, 'campaign lost');
      this.perform(election.campaignLost(performance.now(), this.jitter(), epoch));
    }
  }

  private becomePrimary(epoch: number): void {
    this.stopReplica();
    this.epoch = epoch;
    this.appliedLsn = Math.max(this.appliedLsn, this.leaderLsn);
    if (!this.committer) {
      const committer = new LogCommitter(this.client, this.logName, this.appliedLsn, this.options.commitTimeoutMs, (failure) => this.onCommitFailure(committer, failure), undefined, (payload) => this.seal(payload),
        // The embedded log's per-entry work runs on our CPU: one append in flight, larger entries.
        this.embeddedLog ? 1 : Infinity);
      // Every committed append proves we still owned the log when we sent it (see election.ts).
      committer.onLeaseProof((sentAtMs) => {
        if (this.committer !== committer || !this.election) return;
        this.perform(this.election.leaseProof(sentAtMs, performance.now()));
        if (this.election.isServing) this.server.leaseValidUntilMs = this.election.leaseValidUntilMs;
      });
      this.committer = committer;
      this.server.setCommitter(committer);
    }
    this.role = 'primary';
    this.server.policy = 'primary';
    this.server.leaseValidUntilMs = this.election!.leaseValidUntilMs;
    this.server.state = 'serving';
    this.acks.forget();
    this.committer.submitRecord({ t: 'noop', nodeId: this.options.nodeId, epoch });
    this.logger.info({ epoch, lsn: this.leaderLsn }, 'won the election: serving as primary');
  }

  private renewLease(epoch: number): void {
    const committer = this.committer;
    // Nothing may follow a Handoff: the target campaigns conditionally on its LSN.
    if (!committer || committer.failed || this.handingOff) return;
    const sentAtMs = performance.now();
    committer.submitRecord({ t: 'lease', nodeId: this.options.nodeId, epoch, leaseMs: this.options.election.leaseMs }, () => {
      // The lease itself is extended only by the committed prefix (onLeaseProof): this append's
      // own commit says nothing about earlier appends of ours that may have been lost.
      if (this.committer === committer) this.election!.renewalSettled();
    });
  }

  private async becomeReplica(): Promise<void> {
    this.role = 'replica';
    this.server.setCommitter(new ReadOnlyCommitter());
    this.server.policy = 'replica';
    this.server.leaseValidUntilMs = null;
    const node = await this.azLogNode().catch(() => undefined);
    if (this.stopped) return;
    this.subscription = this.client.subscribe(this.logName, this.appliedLsn + 1, (entries) => this.applyAsReplica(entries), {
      node,
      onError: (error) => {
        this.logger.error({ err: error.message }, 'log subscription ended; reloading');
        void this.recover(false);
      },
    });
    this.ackSender ??= new AckSender(this, this.logger);
    this.server.state = 'serving';
    this.logger.info({ appliedLsn: this.appliedLsn, logNode: node ?? 'any' }, 'following the log as a replica');
  }

  private applyAsReplica(entries: LogEntry[]): void {
    if (this.role !== 'replica') return;
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

  /** Someone else owns the log: throw away what may be uncommitted and follow. */
  private stepDown(): void {
    if (this.role !== 'primary' && !this.committer) return;
    this.logger.warn({ epoch: this.epoch }, 'stepping down: another node is primary');
    this.server.failAllPending('TRYAGAIN this node is no longer the primary; the write may not have happened');
    void this.recover(true);
  }

  // --- failures -------------------------------------------------------------------------------

  private onCommitFailure(committer: LogCommitter, failure: CommitFailure): void {
    if (committer !== this.committer) return;
    if (failure.kind === 'fenced') {
      this.logger.warn({ tailLsn: failure.tailLsn }, 'append rejected: another writer owns the log; stepping down');
      this.server.failAllPending('TRYAGAIN this node is no longer the primary (fenced); the write may not have happened');
      this.perform(this.election?.renewFailed(true) ?? []);
      void this.recover(true);
      return;
    }
    this.logger.error({ reason: failure.reason }, 'commit failed: outcome unknown; degrading until the log answers');
    this.server.failAllPending(`TRYAGAIN write not confirmed by the log quorum (${failure.reason}); it may or may not have happened`);
    this.server.degradedReason = 'the log quorum is unreachable; writes are refused until it answers';
    this.server.state = 'degraded';
    this.election?.setSettled(false);
    void this.recover(false);
  }

  /**
   * Brings the node back in line with the log. A primary whose batches all turn out to be
   * committed keeps its exact state (and may campaign again); anything else rebuilds.
   */
  private recover(fenced: boolean): Promise<void> {
    this.recovering ??= (async () => {
      const committer = this.committer;
      this.committer = null;
      committer?.stop();
      this.stopReplica();
      this.client.close();
      this.connectLogAgain();
      const exact = !fenced && committer !== null && (await this.batchesAllCommitted(committer));
      if (exact) {
        this.appliedLsn = committer.lastLsn;
        this.logger.info({ appliedLsn: this.appliedLsn }, 'log reachable again: every batch committed; no rebuild needed');
      } else {
        await this.loadFromLog();
      }
      this.server.state = 'loading';
      this.server.leaseValidUntilMs = null;
      this.role = 'replica';
      this.election?.setSettled(true);
      this.resetElection();
      await this.becomeReplica();
    })().finally(() => { this.recovering = null; });
    return this.recovering;
  }

  /** A fresh election state after a rebuild (the old one may hold a stale primary view). */
  private resetElection(): void {
    if (!this.election) return;
    const previous = this.election;
    this.election = new Election(this.options.election, performance.now(), this.jitter());
    this.election.epoch = Math.max(previous.epoch, this.epoch);
    this.election.leaderId = previous.leaderId;
  }

  private connectLogAgain(): void {
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

  // --- planned failover ----------------------------------------------------------------------

  /**
   * FAILOVER: stop taking writes, wait until everything is committed, append Handoff{to},
   * stop serving and follow. `to` (a node id) campaigns as soon as it applies the handoff.
   */
  async failover(to: string | null, timeoutMs: number): Promise<string> {
    const committer = this.committer;
    if (this.role !== 'primary' || !committer || !this.election) throw new Error('ERR FAILOVER is not valid when server is a replica.');
    const replicas = this.acks.connected().sort(([, a], [, b]) => b.appliedLsn - a.appliedLsn);
    const target = to ?? replicas[0]?.[0];
    if (!target) throw new Error('ERR FAILOVER requires connected replicas.');
    this.server.degradedReason = 'a failover is in progress';
    this.server.state = 'degraded';
    try {
      await withTimeout(committer.whenAllCommitted(), timeoutMs, 'ERR FAILOVER target replica is not online.');
      this.handingOff = true;
      // Stop serving before the Handoff exists: its target may serve as soon as it applies it.
      this.perform(this.election.handOff(performance.now()));
      this.server.leaseValidUntilMs = 0;
      const handoffLsn = committer.submitRecord({ t: 'handoff', nodeId: this.options.nodeId, epoch: this.epoch, to: target });
      await withTimeout(committer.whenAllCommitted(), timeoutMs, 'ERR FAILOVER timed out before the handoff was committed');
      this.committer = null;
      committer.stop();
      this.appliedLsn = handoffLsn;
      this.server.leaseValidUntilMs = null;
      this.resetElection();
      this.logger.info({ to: target, lsn: handoffLsn }, 'handed off: following the new primary');
      await this.becomeReplica();
      return target;
    } finally {
      this.handingOff = false;
      if (this.server.state === 'degraded') this.server.state = 'serving';
    }
  }

  // --- replication hooks: WAIT, REPLCONF, ROLE, INFO replication ------------------------------

  waitForReplicas(lsn: number, count: number, timeoutMs: number): Promise<number> {
    return this.acks.waitFor(lsn, count, timeoutMs);
  }

  replicasAt(lsn: number): number {
    return this.acks.countAt(lsn);
  }

  isCommitted(lsn: number): boolean {
    return this.server.committer.committedLsn >= lsn;
  }

  startFailover(to: string | null, timeoutMs: number, _force: boolean): void {
    if (this.role !== 'primary' || !this.committer) throw new Error('ERR FAILOVER is not valid when server is a replica.');
    if (this.failoverInProgress) throw new Error('ERR FAILOVER already in progress.');
    const replicas = this.acks.connected();
    if (replicas.length === 0) throw new Error('ERR FAILOVER requires connected replicas.');
    let target: string | null = null;
    if (to !== null) {
      const match = replicas.find(([, state]) => state.address === to);
      if (!match) throw new Error('ERR FAILOVER target HOST and PORT is not a replica.');
      target = match[0];
    }
    this.failoverInProgress = true;
    this.failover(target, timeoutMs || 10_000).then(
      (chosen) => this.logger.info({ to: chosen }, 'failover done'),
      (error: unknown) => this.logger.error({ err: (error as Error).message }, 'failover failed'),
    ).finally(() => { this.failoverInProgress = false; });
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
      ['keel_lease_remaining_ms', this.role === 'primary' && this.server.leaseValidUntilMs !== null ? Math.max(0, Math.round(this.server.leaseValidUntilMs - performance.now())) : 0],
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
    if (this.electionTimer) clearInterval(this.electionTimer);
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

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  if (timeoutMs <= 0) return promise;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), timeoutMs);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}

export { encodeRecord };
