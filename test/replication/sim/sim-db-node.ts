// A database node's use of the election core, mirrored step by step from the real driver
// (src/node/database-node.ts: startElection, perform, campaign, becomePrimary, renewLease,
// applyEntry/observeRecord, stepDown, onCommitFailure, recover, failover) and its committer
// (src/replication/log-committer.ts: chained conditional appends, commit timeout, lease proof
// from the send time of the newest committed append), over the simulated log and a local
// clock of its own: local = offset + rate × real time. Everything in memory is lost on a
// crash; a restart replays the log. While paused, the node handles nothing (its clock runs
// on); what arrived meanwhile is handled, in order, when it resumes.
import { Election, type ElectionAction, type ElectionConfig } from '../../../src/replication/election.js';
import type { ShardRecord } from '../../../src/replication/records.js';
import type { Rng } from '../../log-service/raft/sim/rng.js';
import type { EventQueue } from './event-queue.js';
import { describeRecord, type AppendReply, type SimLogEntry, type SimShardLog } from './shard-log.js';

/**
 * Which driver the simulation runs. 'fixed' is the real driver with the three fixes this
 * simulation found to be needed (see DRIVER_FIXES); 'current' is the driver as it is; the
 * others leave out one fix each, or break the lease rule on purpose (to show the checker
 * catches it).
 */
export type DriverVariant =
  | 'fixed'
  | 'current'
  /** Without fix 1: a campaign's outcome is applied even after a newer campaign started. */
  | 'stale-campaign-outcome'
  /** Without fix 2: FAILOVER stops serving only once its Handoff is known committed. */
  | 'handoff-after-commit'
  /** Without fix 3: a renewal's own commit extends the lease, even above a lost earlier append. */
  | 'renewal-ack-proof'
  /** 'fixed', but a replica campaigns at the log's tail, not at what it applied (not caught up). */
  | 'campaign-at-tail'
  /** 'fixed', but the lease counts from when an append's reply arrived, not when it was sent. */
  | 'lease-from-ack';

interface DriverFixes {
  /** 1. Apply a campaign's outcome only if it is the node's latest campaign (a win: only while still a candidate). */
  ignoreStaleCampaign: boolean;
  /** 2. FAILOVER: stop serving (handOff + a fresh election) before sending Handoff. */
  stopBeforeHandoff: boolean;
  /**
   * 3. The lease grows only when the committed prefix of our appends does (onLeaseProof), and
   * a primary campaigns again only when all its appends are committed.
   */
  proofFromPrefixOnly: boolean;
  /** 4. A primary that wins again appends after its own Leader record. */
  committerAfterRewin: boolean;
}

export const DRIVER_FIXES: Record<DriverVariant, DriverFixes> = {
  'fixed': { ignoreStaleCampaign: true, stopBeforeHandoff: true, proofFromPrefixOnly: true, committerAfterRewin: true },
  'current': { ignoreStaleCampaign: false, stopBeforeHandoff: false, proofFromPrefixOnly: false, committerAfterRewin: false },
  'stale-campaign-outcome': { ignoreStaleCampaign: false, stopBeforeHandoff: true, proofFromPrefixOnly: true, committerAfterRewin: true },
  'handoff-after-commit': { ignoreStaleCampaign: true, stopBeforeHandoff: false, proofFromPrefixOnly: true, committerAfterRewin: true },
  'renewal-ack-proof': { ignoreStaleCampaign: true, stopBeforeHandoff: true, proofFromPrefixOnly: false, committerAfterRewin: true },
  'campaign-at-tail': { ignoreStaleCampaign: true, stopBeforeHandoff: true, proofFromPrefixOnly: true, committerAfterRewin: true },
  'lease-from-ack': { ignoreStaleCampaign: true, stopBeforeHandoff: true, proofFromPrefixOnly: true, committerAfterRewin: true },
};

export interface NodeTimings {
  tickMs: number;
  commitTimeoutMs: number;
  /** The log client's append deadline (appendTimeoutMs): a campaign retries until then. */
  campaignTimeoutMs: number;
  /** One attempt of a request (requestTimeoutMs): then the log client tries again. */
  requestTimeoutMs: number;
  requestRetryMs: number;
  failoverTimeoutMs: number;
  /** Client writes submitted per tick while serving, at most. */
  writesPerTickMax: number;
}

/** What the node reports to the world (checker, stats, trace). */
export interface NodeWorld {
  readonly queue: EventQueue;
  readonly log: SimShardLog;
  readonly variant: DriverVariant;
  trace(line: string): void;
  nextWriteId(): number;
  acknowledged(node: SimDbNode, writeId: number, lsn: number): void;
  becamePrimary(node: SimDbNode, epoch: number, leaderLsn: number, prevLsn: number): void;
  recovered(node: SimDbNode, exact: boolean): void;
  count(stat: 'campaigns' | 'primaryCampaigns' | 'primaryRewins' | 'campaignsLost' | 'stepDowns' | 'failoversDone' | 'failoversFailed' | 'fencedCommits' | 'unknownCommits'): void;
}

export type CommitFailure = { kind: 'fenced'; tailLsn: number } | { kind: 'unknown'; reason: string };

export class SimDbNode {
  alive = false;
  incarnation = 0;
  pausedUntilMs = -Infinity;
  election: Election | null = null;
  role: 'replica' | 'primary' = 'replica';
  appliedLsn = 0;
  /** Write ids in the node's in-memory data set, in log order (a primary's include its uncommitted ones). */
  data: number[] = [];
  dataIds = new Set<number>();
  epoch = 0;
  committer: SimCommitter | null = null;
  recovering = false;
  degraded = false;
  loading = false;
  failoverInProgress = false;
  private backlog: (() => void)[] = [];
  private pendingObservations: ShardRecord[] = [];
  private leaderLsn = 0;
  private campaignSeq = 0;
  /** Client writes waiting for their commit (the server's held replies), by LSN. */
  private heldWrites = new Map<number, number>();

  constructor(
    readonly id: string,
    readonly config: ElectionConfig,
    readonly clock: { offsetMs: number; rate: number },
    readonly timings: NodeTimings,
    private readonly rng: Rng,
    private readonly world: NodeWorld,
  ) {}

  /** This node's monotonic clock (performance.now()). */
  localNow(): number {
    return this.clock.offsetMs + this.clock.rate * this.world.queue.now;
  }

  /** Real time at which this node's clock reads `localMs`. */
  realAt(localMs: number): number {
    return (localMs - this.clock.offsetMs) / this.clock.rate;
  }

  isPaused(): boolean {
    return this.world.queue.now < this.pausedUntilMs;
  }

  /** Serving reads or writes right now: the election says so and the lease is valid on our clock. */
  isServingNow(): boolean {
    const election = this.election;
    return this.alive && election !== null && election.isServing && this.localNow() < election.leaseValidUntilMs;
  }

  // --- the process: crash, restart, pause ----------------------------------------------------

  start(): void {
    this.alive = true;
    this.incarnation++;
    this.pausedUntilMs = -Infinity;
    this.backlog = [];
    this.election = null;
    this.role = 'replica';
    this.appliedLsn = 0;
    this.setData([]);
    this.epoch = 0;
    this.committer = null;
    this.recovering = false;
    this.degraded = false;
    this.failoverInProgress = false;
    this.pendingObservations = [];
    this.leaderLsn = 0;
    this.heldWrites = new Map();
    this.trace('start: loading the log');
    this.loadFromLog(() => {
      this.becomeReplica();
      this.startElection();
    });
  }

  crash(): void {
    this.trace(`crash${this.isServingNow() ? ' (while serving)' : ''}`);
    this.alive = false;
    this.incarnation++;
    this.world.log.unsubscribe(this.id);
    this.election = null;
    this.committer = null;
    this.backlog = [];
  }

  pause(untilMs: number, what: string): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs);
    this.trace(`${what} paused until t=${untilMs.toFixed(1)}`);
    const incarnation = this.incarnation;
    this.world.queue.schedule(untilMs, () => {
      if (!this.alive || incarnation !== this.incarnation || this.isPaused()) return;
      this.trace('resumed');
      const held = this.backlog;
      this.backlog = [];
      for (const run of held) run();
    });
  }

  /** Wraps an event for this node: dropped after a crash, held while paused. */
  private handler<T extends unknown[]>(run: (...args: T) => void): (...args: T) => void {
    const incarnation = this.incarnation;
    return (...args: T) => {
      if (!this.alive || incarnation !== this.incarnation) return;
      if (this.isPaused()) {
        this.backlog.push(() => {
          if (this.alive && incarnation === this.incarnation) run(...args);
        });
        return;
      }
      run(...args);
    };
  }

  /** setTimeout on our clock. */
  after(localMs: number, run: () => void): void {
    this.world.queue.schedule(this.realAt(this.localNow() + localMs), this.handler(run));
  }

  private trace(line: string): void {
    this.world.trace(`${this.id}: ${line}`);
  }

  private jitter(): number {
    return this.rng.next() * this.config.campaignJitterMs;
  }

  private setData(data: number[]): void {
    this.data = data;
    this.dataIds = new Set(data);
  }

  // --- requests to the log, with the client's timeout ------------------------------------------

  sendAppend(prevLsn: number, record: ShardRecord, writeId: number | null, timeoutMs: number, onOutcome: (outcome: AppendReply | { kind: 'timeout' }) => void): void {
    let answered = false;
    this.world.log.append(this.id, prevLsn, record, writeId, this.handler((reply: AppendReply) => {
      if (answered) return;
      answered = true;
      onOutcome(reply);
    }));
    if (timeoutMs === Infinity) return;
    this.after(timeoutMs, () => {
      if (answered) return;
      answered = true;
      onOutcome({ kind: 'timeout' });
    });
  }

  /**
   * The log client's appender for one append: an attempt without an answer within
   * requestTimeoutMs is sent again (same prevLsn) until appendTimeoutMs; a retry that comes back
   * as a conflict counts as success if the entry at prevLsn+1 is ours (an earlier attempt
   * committed: the (writerId, batchSeq) lookup).
   */
  private appendWithRetries(prevLsn: number, record: ShardRecord, onOutcome: (outcome: AppendReply | { kind: 'timeout' }) => void): void {
    const deadlineMs = this.localNow() + this.timings.campaignTimeoutMs;
    let attempts = 0;
    const attempt = (): void => {
      attempts++;
      this.sendAppend(prevLsn, record, null, this.timings.requestTimeoutMs, (outcome) => {
        if (outcome.kind === 'ok') return onOutcome(outcome);
        if (outcome.kind === 'conflict') {
          if (attempts === 1) return onOutcome(outcome);
          this.readLog((entries) => {
            const entry = entries[prevLsn];
            onOutcome(entry?.record === record ? { kind: 'ok', lsn: prevLsn + 1 } : outcome);
          });
          return;
        }
        if (this.localNow() < deadlineMs) attempt();
        else onOutcome(outcome);
      });
    };
    attempt();
  }

  /** Reads the whole log, retrying until an answer comes (as loadFromLog's loops do). */
  private readLog(onEntries: (entries: readonly SimLogEntry[]) => void): void {
    let answered = false;
    const attempt = (): void => {
      this.world.log.read(this.id, this.handler((entries: readonly SimLogEntry[]) => {
        if (answered) return;
        answered = true;
        onEntries(entries);
      }));
      this.after(this.timings.requestRetryMs, () => {
        if (!answered) attempt();
      });
    };
    attempt();
  }

  // --- loading and applying (loadFromLog, applyEntry, observeRecord) ------------------------

  private loadFromLog(done: () => void): void {
    this.loading = true;
    this.readLog((entries) => {
      this.setData([]);
      for (const entry of entries) this.applyEntry(entry);
      this.appliedLsn = entries.length;
      this.loading = false;
      this.trace(`loaded the log up to ${this.appliedLsn}`);
      done();
    });
  }

  private applyEntry(entry: SimLogEntry): void {
    const record = entry.record;
    this.observeRecord(record);
    if (record.t === 'effects') {
      this.data.push(entry.writeId!);
      this.dataIds.add(entry.writeId!);
      this.election?.noteActivity(this.localNow(), this.jitter());
    }
  }

  private observeRecord(record: ShardRecord): void {
    if (record.t === 'effects' || record.t === 'snapshot') return;
    this.epoch = Math.max(this.epoch, record.epoch);
    if (!this.election) {
      this.pendingObservations.push(record);
      return;
    }
    this.perform(this.election.observe(record, this.localNow(), this.jitter()));
  }

  private becomeReplica(): void {
    this.role = 'replica';
    this.world.log.subscribe(this.id, this.appliedLsn + 1, this.handler((entry: SimLogEntry) => this.applyAsReplica(entry)));
  }

  private applyAsReplica(entry: SimLogEntry): void {
    if (this.role !== 'replica') return;
    if (entry.lsn <= this.appliedLsn) return;
    if (entry.lsn !== this.appliedLsn + 1) throw new Error(`${this.id} expected LSN ${this.appliedLsn + 1}, got ${entry.lsn}`);
    this.applyEntry(entry);
    this.appliedLsn = entry.lsn;
  }

  private stopReplica(): void {
    this.world.log.unsubscribe(this.id);
  }

  // --- the election, driven as the driver does ----------------------------------------------

  private startElection(): void {
    this.election = new Election(this.config, this.localNow(), this.jitter());
    for (const record of this.pendingObservations.splice(0)) this.perform(this.election.observe(record, this.localNow(), this.jitter()));
    const tick = (): void => {
      this.perform(this.election!.tick(this.localNow()));
      this.clientWrites();
      this.after(this.timings.tickMs, tick);
    };
    this.after(this.timings.tickMs, tick);
  }

  private perform(actions: ElectionAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'campaign': this.campaign(action.epoch); break;
        case 'won': this.becomePrimary(action.epoch); break;
        case 'renew': this.renewLease(action.epoch); break;
        case 'startServing': this.trace(`serving until local ${this.election!.leaseValidUntilMs.toFixed(1)} (now ${this.localNow().toFixed(1)})`); break;
        case 'stopServing': this.trace('lease expired: stopped serving'); break;
        case 'stepDown': this.stepDown(); break;
      }
    }
  }

  private campaign(epoch: number): void {
    const election = this.election!;
    if (this.recovering) {
      election.campaignAbandoned(this.localNow(), this.jitter());
      return;
    }
    if (this.fixes.proofFromPrefixOnly && this.committer && this.committer.committedLsn !== this.committer.lastLsn) {
      // Fix 3: with appends of ours still unanswered, the tail may match our last LSN by chance.
      election.campaignAbandoned(this.localNow(), this.jitter());
      return;
    }
    const prevLsn = this.committer ? this.committer.lastLsn : this.variant === 'campaign-at-tail' ? this.world.log.tailLsn : this.appliedLsn;
    this.world.count(this.committer ? 'primaryCampaigns' : 'campaigns');
    const record: ShardRecord = { t: 'leader', nodeId: this.id, addr: `${this.id}:6379`, epoch };
    const sentAtMs = this.localNow();
    this.trace(`campaign e${epoch} at prevLsn ${prevLsn}`);
    const seq = ++this.campaignSeq;
    this.appendWithRetries(prevLsn, record, (outcome) => {
      if (this.election !== election) return;
      // Fix 1: the outcome of an older campaign, or a win we learn of after having seen a
      // newer Leader record (we are no longer a candidate), changes nothing.
      if (this.fixes.ignoreStaleCampaign && (seq !== this.campaignSeq || (outcome.kind === 'ok' && election.role !== 'candidate'))) {
        this.trace(`campaign e${epoch}: outcome ${outcome.kind} of an older campaign ignored`);
        return;
      }
      if (outcome.kind === 'ok') {
        this.leaderLsn = outcome.lsn;
        const provedFromMs = this.variant === 'lease-from-ack' ? this.localNow() : sentAtMs;
        this.world.becamePrimary(this, epoch, outcome.lsn, prevLsn);
        this.perform(election.campaignWon(epoch, provedFromMs, this.localNow()));
      } else {
        this.world.count('campaignsLost');
        this.trace(`campaign e${epoch} lost (${outcome.kind})`);
        // The epoch lets a fixed election.ts ignore the loss of a campaign that is not its latest.
        const campaignLost = election.campaignLost as (nowMs: number, jitterMs: number, epoch: number) => ElectionAction[];
        this.perform(campaignLost.call(election, this.localNow(), this.jitter(), epoch));
      }
    });
  }

  private becomePrimary(epoch: number): void {
    this.stopReplica();
    this.epoch = epoch;
    this.appliedLsn = Math.max(this.appliedLsn, this.leaderLsn);
    if (this.committer && this.committer.lastLsn < this.leaderLsn) {
      // Won again as primary: our Leader record went around the committer.
      this.world.count('primaryRewins');
      if (this.fixes.committerAfterRewin) {
        this.committer.stop();
        this.committer = null;
      }
    }
    if (!this.committer) {
      const committer: SimCommitter = new SimCommitter(this, this.appliedLsn, (failure) => this.onCommitFailure(committer, failure));
      committer.onLeaseProof = (sentAtMs) => {
        if (this.committer !== committer || !this.election) return;
        this.perform(this.election.leaseProof(sentAtMs, this.localNow()));
      };
      committer.onCommitted = (committedLsn) => {
        if (this.committer !== committer) return;
        for (const [lsn, writeId] of this.heldWrites) {
          if (lsn > committedLsn) continue;
          this.heldWrites.delete(lsn);
          this.world.acknowledged(this, writeId, lsn);
        }
      };
      this.committer = committer;
    }
    this.role = 'primary';
    this.degraded = false;
    this.trace(`won e${epoch} at LSN ${this.leaderLsn}: primary`);
    this.committer.submit({ t: 'noop', nodeId: this.id, epoch }, null);
  }

  private renewLease(epoch: number): void {
    const committer = this.committer;
    if (!committer || committer.failure) return;
    const sentAtMs = this.localNow();
    committer.submit({ t: 'lease', nodeId: this.id, epoch, leaseMs: this.config.leaseMs }, null, () => {
      if (this.committer !== committer) return;
      // Fix 3: this reply proves only that *this* append landed at its LSN, maybe right after
      // another writer's entry; the prefix (onLeaseProof) proves nobody wrote in between.
      const provedFromMs = this.fixes.proofFromPrefixOnly ? -Infinity : this.variant === 'lease-from-ack' ? this.localNow() : sentAtMs;
      this.perform(this.election!.renewed(provedFromMs, this.localNow()));
    });
  }

  /** A client sends writes to the node while it serves them (as a client of the primary would). */
  private clientWrites(): void {
    const committer = this.committer;
    if (this.role !== 'primary' || !committer || committer.failure || this.degraded || this.recovering || !this.isServingNow()) return;
    const writes = this.rng.int(0, this.timings.writesPerTickMax);
    for (let index = 0; index < writes; index++) {
      const writeId = this.world.nextWriteId();
      this.data.push(writeId);
      this.dataIds.add(writeId);
      const record: ShardRecord = { t: 'effects', batch: [{ db: 0, argv: ['SET', 'k', String(writeId)] }] };
      this.heldWrites.set(committer.submit(record, writeId), writeId);
    }
  }

  private stepDown(): void {
    if (this.role !== 'primary' && !this.committer) return;
    this.world.count('stepDowns');
    this.trace('stepping down');
    this.recover(true);
  }

  private onCommitFailure(committer: SimCommitter, failure: CommitFailure): void {
    if (committer !== this.committer) return;
    if (failure.kind === 'fenced') {
      this.world.count('fencedCommits');
      this.trace(`append rejected (tail ${failure.tailLsn}): fenced`);
      this.perform(this.election?.renewFailed(true) ?? []);
      this.recover(true);
      return;
    }
    this.world.count('unknownCommits');
    this.trace(`commit outcome unknown (${failure.reason}): degraded`);
    this.degraded = true;
    this.election?.setSettled(false);
    this.recover(false);
  }

  private recover(fenced: boolean): void {
    if (this.recovering) return;
    this.recovering = true;
    this.heldWrites.clear(); // failAllPending: the client hears TRYAGAIN, not OK
    const committer = this.committer;
    this.committer = null;
    committer?.stop();
    this.stopReplica();
    const finish = (exact: boolean): void => {
      this.loading = false;
      this.degraded = false;
      this.role = 'replica';
      this.election?.setSettled(true);
      this.resetElection();
      this.world.recovered(this, exact);
      this.recovering = false;
      this.becomeReplica();
    };
    if (!fenced && committer !== null) {
      this.batchesAllCommitted(committer, (exact) => {
        if (exact) {
          this.appliedLsn = committer.lastLsn;
          this.trace(`every batch committed: kept state at ${this.appliedLsn}`);
          finish(true);
        } else {
          this.loadFromLog(() => finish(false));
        }
      });
    } else {
      this.loadFromLog(() => finish(false));
    }
  }

  private resetElection(): void {
    if (!this.election) return;
    const previous = this.election;
    this.election = new Election(this.config, this.localNow(), this.jitter());
    this.election.epoch = Math.max(previous.epoch, this.epoch);
    this.election.leaderId = previous.leaderId;
  }

  private batchesAllCommitted(committer: SimCommitter, done: (exact: boolean) => void): void {
    this.readLog((entries) => {
      if (entries.length !== committer.lastLsn) return done(false);
      if (committer.committedLsn === committer.lastLsn) return done(true);
      const ours = committer.unconfirmedRecords();
      const theirs = entries.slice(committer.committedLsn);
      done(theirs.length === ours.length && theirs.every((entry, index) => entry.record === ours[index]));
    });
  }

  // --- planned failover ----------------------------------------------------------------------

  /** FAILOVER arrives (from an admin client): handled like any other event of the node. */
  requestFailover(to: string): void {
    this.handler(() => this.failover(to))();
  }

  private failover(to: string): void {
    const committer = this.committer;
    const election = this.election;
    if (this.role !== 'primary' || !committer || !election || this.failoverInProgress || this.recovering) return;
    this.failoverInProgress = true;
    this.degraded = true;
    this.trace(`FAILOVER to ${to}`);
    let finished = false;
    const end = (ok: boolean): void => {
      if (finished) return;
      finished = true;
      this.failoverInProgress = false;
      this.world.count(ok ? 'failoversDone' : 'failoversFailed');
      if (this.degraded && !this.recovering) this.degraded = false;
    };
    this.after(this.timings.failoverTimeoutMs, () => end(false));
    committer.whenAllCommitted(() => {
      if (finished) return;
      const stopsFirst = this.fixes.stopBeforeHandoff;
      if (stopsFirst) {
        this.perform(election.handOff());
        this.resetElection();
      }
      const handoffLsn = committer.submit({ t: 'handoff', nodeId: this.id, epoch: this.epoch, to }, null);
      committer.whenAllCommitted(() => {
        if (finished) return;
        if (!stopsFirst) this.perform(election.handOff());
        this.committer = null;
        committer.stop();
        this.appliedLsn = handoffLsn;
        if (!stopsFirst) this.resetElection();
        this.trace(`handed off to ${to} at ${handoffLsn}`);
        this.becomeReplica();
        end(true);
      });
    });
  }

  // --- used by the committer --------------------------------------------------------------------

  get variant(): DriverVariant {
    return this.world.variant;
  }

  private get fixes(): DriverFixes {
    return DRIVER_FIXES[this.world.variant];
  }
}

/** The node's LogCommitter: one conditional append per record, chained on the LSN before it. */
export class SimCommitter {
  lastLsn: number;
  committedLsn: number;
  failure: CommitFailure | null = null;
  onLeaseProof: ((sentAtMs: number) => void) | null = null;
  onCommitted: ((committedLsn: number) => void) | null = null;
  private readonly acknowledgedLsns = new Set<number>();
  private readonly sentAtMs = new Map<number, number>();
  private readonly unconfirmed = new Map<number, ShardRecord>();
  private waiters: { lsn: number; resolve: () => void }[] = [];

  constructor(
    private readonly node: SimDbNode,
    startLsn: number,
    private readonly onFailure: (failure: CommitFailure) => void,
  ) {
    this.lastLsn = startLsn;
    this.committedLsn = startLsn;
  }

  /** Appends after everything before it; `onDone` runs once it commits (unless we failed meanwhile). */
  submit(record: ShardRecord, writeId: number | null, onDone?: () => void): number {
    const lsn = ++this.lastLsn;
    if (this.failure) return lsn;
    this.unconfirmed.set(lsn, record);
    this.sentAtMs.set(lsn, this.node.localNow());
    let acknowledged = false;
    this.node.sendAppend(lsn - 1, record, writeId, Infinity, (outcome) => {
      if (outcome.kind === 'ok') {
        acknowledged = true;
        this.acknowledge(lsn);
        if (!this.failure) onDone?.();
      } else if (outcome.kind === 'conflict') {
        this.fail({ kind: 'fenced', tailLsn: outcome.tailLsn });
      }
    });
    this.node.after(this.node.timings.commitTimeoutMs, () => {
      if (!acknowledged) this.fail({ kind: 'unknown', reason: `${describeRecord(record)} at ${lsn} not committed within ${this.node.timings.commitTimeoutMs} ms` });
    });
    return lsn;
  }

  whenAllCommitted(resolve: () => void): void {
    const target = this.lastLsn;
    if (this.committedLsn >= target) resolve();
    else this.waiters.push({ lsn: target, resolve });
  }

  unconfirmedRecords(): ShardRecord[] {
    const records: ShardRecord[] = [];
    for (let lsn = this.committedLsn + 1; lsn <= this.lastLsn; lsn++) {
      const record = this.unconfirmed.get(lsn);
      if (record === undefined) break;
      records.push(record);
    }
    return records;
  }

  stop(): void {
    if (!this.failure) this.failure = { kind: 'unknown', reason: 'committer stopped' };
  }

  private acknowledge(lsn: number): void {
    if (this.failure) return;
    this.acknowledgedLsns.add(lsn);
    let advanced = false;
    let newestSentAtMs = -Infinity;
    while (this.acknowledgedLsns.delete(this.committedLsn + 1)) {
      this.committedLsn++;
      this.unconfirmed.delete(this.committedLsn);
      newestSentAtMs = this.sentAtMs.get(this.committedLsn) ?? newestSentAtMs;
      this.sentAtMs.delete(this.committedLsn);
      advanced = true;
    }
    if (!advanced) return;
    if (newestSentAtMs > -Infinity) this.onLeaseProof?.(this.node.variant === 'lease-from-ack' ? this.node.localNow() : newestSentAtMs);
    this.onCommitted?.(this.committedLsn);
    const ready = this.waiters.filter((waiter) => waiter.lsn <= this.committedLsn);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.lsn > this.committedLsn);
    for (const waiter of ready) waiter.resolve();
  }

  private fail(failure: CommitFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.onFailure(failure);
  }
}
