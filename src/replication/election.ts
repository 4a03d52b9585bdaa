// Who may serve, decided only through the shard's log (DESIGN.md §4): a pure state machine,
// driven by the node with what it observes in the log and with the time of its monotonic
// clock. It reads no clock, does no I/O and draws no random numbers; the driver does.
//
// - A primary renews its lease by appending Lease every renewIntervalMs. A renewal counts from
//   the moment it was *sent*; the primary serves only while sentAt + leaseMs is ahead.
// - A replica restarts its backoff timer at every Leader/Lease/Noop/Handoff entry it applies
//   (observation time ≥ commit time ≥ send time). When campaignBackoffMs — strictly more than
//   leaseMs stretched by the worst clock-rate drift — passes with no newer entry, the old
//   lease is over on every clock, and it campaigns: Leader{epoch+1} appended conditionally on
//   the LSN it applied. The condition proves it saw every committed entry; one racer wins.
// - The winner appends a no-op, then renews. A Handoff{to} lets `to` campaign at once.
// - A primary whose lease ran out stops serving; once its own appends have settled it may
//   campaign again like anyone else (conditional on its own tail), so a long pause costs a
//   new epoch, not a rebuild — unless somebody else won meanwhile.
import type { ShardRecord } from './records.js';
import { assert } from '../util/assert.js';

export interface ElectionConfig {
  nodeId: string;
  /** How long a committed renewal lets the primary serve, from when it was sent. */
  leaseMs: number;
  /** Interval between renewals (leaseMs/3 by default). */
  renewIntervalMs: number;
  /** How long a replica waits after the last observed lease before campaigning. */
  campaignBackoffMs: number;
  /** Largest relative clock-rate difference between two nodes (0.1 = 10%). */
  clockDriftMax: number;
  /** Extra random wait before campaigning, up to this (set per campaign by the driver). */
  campaignJitterMs: number;
}

export function defaultElectionConfig(nodeId: string): ElectionConfig {
  return { nodeId, leaseMs: 700, renewIntervalMs: 200, campaignBackoffMs: 800, clockDriftMax: 0.1, campaignJitterMs: 100 };
}

/** Refuses unsafe timings: the backoff must outlast any lease on any clock. */
export function assertElectionConfig(config: ElectionConfig): void {
  const positive = ['leaseMs', 'renewIntervalMs', 'campaignBackoffMs'] as const;
  for (const name of positive) assert(Number.isFinite(config[name]) && config[name] > 0, `${name} must be positive`);
  assert(config.clockDriftMax >= 0 && config.clockDriftMax < 1, 'clock drift bound must be in [0, 1)');
  assert(config.renewIntervalMs * 2 <= config.leaseMs, `renew interval (${config.renewIntervalMs} ms) must be at most half the lease (${config.leaseMs} ms)`);
  const safeBackoffMs = config.leaseMs * (1 + config.clockDriftMax);
  assert(config.campaignBackoffMs > safeBackoffMs,
    `campaign backoff (${config.campaignBackoffMs} ms) must exceed the lease stretched by clock drift (${safeBackoffMs.toFixed(0)} ms): otherwise two primaries could serve at once`);
}

const RENEWALS_IN_FLIGHT_MAX = 3;

export type ElectionRole = 'follower' | 'candidate' | 'leader';

export type ElectionAction =
  /** Append Leader{nodeId, epoch} conditionally on the applied LSN (replica) or own tail (old primary). */
  | { type: 'campaign'; epoch: number }
  /** Append Noop then start renewing: we won. */
  | { type: 'won'; epoch: number }
  /** Append Lease{nodeId, epoch, leaseMs}; report its send time back with the result. */
  | { type: 'renew'; epoch: number }
  /** The lease ran out: stop serving now. */
  | { type: 'stopServing' }
  /** Start serving (lease valid again). */
  | { type: 'startServing' }
  /** Another node owns the log: drop uncommitted state and follow as a replica. */
  | { type: 'stepDown' };

export class Election {
  role: ElectionRole = 'follower';
  epoch = 0;
  leaderId: string | null = null;
  /** Monotonic time until which this node may serve as primary. */
  leaseValidUntilMs = 0;
  private lastObservedAtMs: number;
  private campaignAtMs: number;
  private serving = false;
  /** Renewals sent and not yet answered: pipelined, so one slow commit does not stall the next. */
  private renewalsInFlight = 0;
  private lastRenewSentAtMs = -Infinity;
  private handoffToMe = false;
  /** Epoch of the campaign in flight: a late outcome of an older one is ignored. */
  private campaignEpoch: number | null = null;
  /** A primary whose lease lapsed must not campaign before its own appends settle. */
  private settled = true;

  constructor(readonly config: ElectionConfig, nowMs: number, jitterMs = 0) {
    assertElectionConfig(config);
    this.lastObservedAtMs = nowMs;
    this.campaignAtMs = nowMs + config.campaignBackoffMs + jitterMs;
  }

  get isServing(): boolean {
    return this.serving;
  }

  /** The node applied a control record at `nowMs`. */
  observe(record: ShardRecord, nowMs: number, jitterMs = 0): ElectionAction[] {
    if (record.t !== 'leader' && record.t !== 'lease' && record.t !== 'noop' && record.t !== 'handoff') return [];
    const actions: ElectionAction[] = [];
    if (record.epoch > this.epoch || (record.t === 'leader' && record.epoch >= this.epoch)) {
      this.epoch = record.epoch;
      this.leaderId = record.nodeId;
      if (record.nodeId !== this.config.nodeId && this.role !== 'follower') {
        this.role = 'follower';
        actions.push(...this.stop());
        actions.push({ type: 'stepDown' });
      }
    }
    if (record.nodeId === this.config.nodeId) {
      // Our own Leader record consumes a handoff to us. Without this, a node that won after a
      // handoff and then restarted replays that Handoff and campaigns at once, ahead of the
      // replicas' backoff (seen: a kill -9'd primary restarted by keel up won again).
      if (record.t === 'leader' && this.handoffToMe) {
        this.handoffToMe = false;
        this.campaignAtMs = this.lastObservedAtMs + this.config.campaignBackoffMs + jitterMs;
      }
      return actions;
    }
    this.lastObservedAtMs = nowMs;
    this.handoffToMe = record.t === 'handoff' && record.to === this.config.nodeId && record.epoch === this.epoch;
    this.campaignAtMs = this.handoffToMe ? nowMs : nowMs + this.config.campaignBackoffMs + jitterMs;
    return actions;
  }

  /** Time passes. */
  tick(nowMs: number): ElectionAction[] {
    const actions: ElectionAction[] = [];
    if (this.role === 'leader') {
      if (this.serving && nowMs >= this.leaseValidUntilMs) actions.push(...this.stop());
      if (!this.serving && this.leaseValidUntilMs > nowMs) {
        this.serving = true;
        actions.push({ type: 'startServing' });
      }
      if (this.renewalsInFlight < RENEWALS_IN_FLIGHT_MAX && nowMs - this.lastRenewSentAtMs >= this.config.renewIntervalMs) {
        this.renewalsInFlight++;
        this.lastRenewSentAtMs = nowMs;
        actions.push({ type: 'renew', epoch: this.epoch });
      }
      if (!this.serving && nowMs >= this.leaseValidUntilMs && this.settled && this.renewalsInFlight === 0 && nowMs >= this.campaignAtMs) {
        // Our lease lapsed (a pause?) and nobody has taken over that we know of: try again.
        this.role = 'candidate';
        this.campaignEpoch = this.epoch + 1;
        actions.push({ type: 'campaign', epoch: this.epoch + 1 });
      }
      return actions;
    }
    if (this.role === 'follower' && this.settled && nowMs >= this.campaignAtMs) {
      this.role = 'candidate';
      this.campaignEpoch = this.epoch + 1;
      actions.push({ type: 'campaign', epoch: this.epoch + 1 });
    }
    return actions;
  }

  /** Our Leader{epoch} append committed (sent at sentAtMs). */
  campaignWon(epoch: number, sentAtMs: number, nowMs: number): ElectionAction[] {
    // Outcomes can arrive late (the log client retries for seconds): only the current one counts.
    if (this.role !== 'candidate' || epoch !== this.campaignEpoch) return [];
    this.campaignEpoch = null;
    this.role = 'leader';
    this.epoch = epoch;
    this.leaderId = this.config.nodeId;
    this.settled = true;
    this.handoffToMe = false;
    this.leaseValidUntilMs = sentAtMs + this.config.leaseMs;
    this.lastRenewSentAtMs = sentAtMs;
    const actions: ElectionAction[] = [{ type: 'won', epoch }];
    if (nowMs < this.leaseValidUntilMs) {
      this.serving = true;
      actions.push({ type: 'startServing' });
    }
    return actions;
  }

  /** The driver could not send our campaign (it is rebuilding): back to following. */
  campaignAbandoned(nowMs: number, jitterMs = 0): void {
    if (this.role === 'candidate') this.role = this.leaderId === this.config.nodeId ? 'leader' : 'follower';
    this.campaignAtMs = nowMs + this.config.campaignBackoffMs + jitterMs;
  }

  /** Our Leader append was refused (someone appended first): keep following. */
  campaignLost(nowMs: number, jitterMs = 0, epoch?: number): ElectionAction[] {
    if (this.role !== 'candidate' || (epoch !== undefined && epoch !== this.campaignEpoch)) return [];
    this.campaignEpoch = null;
    const wasLeader = this.leaderId === this.config.nodeId;
    this.role = 'follower';
    this.campaignAtMs = nowMs + this.config.campaignBackoffMs + jitterMs;
    return wasLeader ? [{ type: 'stepDown' }] : [];
  }

  /**
   * A replica applied an entry written by the primary (data, not only leases): the primary was
   * alive when it sent it, so the backoff restarts from now, as for a lease.
   */
  noteActivity(nowMs: number, jitterMs = 0): void {
    if (this.role !== 'follower' || this.handoffToMe) return;
    this.lastObservedAtMs = nowMs;
    this.campaignAtMs = nowMs + this.config.campaignBackoffMs + jitterMs;
  }

  /** Campaign at the next tick (a node alone on its own embedded log). */
  campaignNow(nowMs: number): void {
    if (this.role === 'follower') this.campaignAtMs = nowMs;
  }

  /**
   * Any append of ours sent at sentAtMs committed: nobody had taken the log from us when it
   * was sent, and a replica that saw it waits a full backoff from then (see noteActivity).
   */
  leaseProof(sentAtMs: number, nowMs: number): ElectionAction[] {
    if (this.role !== 'leader') return [];
    this.leaseValidUntilMs = Math.max(this.leaseValidUntilMs, sentAtMs + this.config.leaseMs);
    if (!this.serving && nowMs < this.leaseValidUntilMs) {
      this.serving = true;
      return [{ type: 'startServing' }];
    }
    return [];
  }

  /** A renewal was answered (its lease effect comes through leaseProof, from the committed prefix). */
  renewalSettled(): void {
    this.renewalsInFlight = Math.max(0, this.renewalsInFlight - 1);
  }

  /** A renewal sent at sentAtMs committed. */
  renewed(sentAtMs: number, nowMs: number): ElectionAction[] {
    this.renewalsInFlight = Math.max(0, this.renewalsInFlight - 1);
    return this.leaseProof(sentAtMs, nowMs);
  }

  /** A renewal failed (conflict → fenced; unknown → the lease simply runs out). */
  renewFailed(fenced: boolean): ElectionAction[] {
    this.renewalsInFlight = 0;
    if (!fenced || this.role !== 'leader') return [];
    this.role = 'follower';
    return [...this.stop(), { type: 'stepDown' }];
  }

  /** Whether our outstanding appends have settled (all committed, none unknown). */
  setSettled(settled: boolean): void {
    this.settled = settled;
  }

  /** Planned failover: stop serving and let `to` campaign (the driver appends Handoff). */
  handOff(nowMs?: number): ElectionAction[] {
    this.role = 'follower';
    this.leaseValidUntilMs = 0;
    // The target campaigns at once; we must not race it with a stale timer.
    if (nowMs !== undefined) this.campaignAtMs = nowMs + this.config.campaignBackoffMs + this.config.campaignJitterMs;
    return this.stop();
  }

  private stop(): ElectionAction[] {
    if (!this.serving) return [];
    this.serving = false;
    return [{ type: 'stopServing' }];
  }
}
