// Deterministic simulation of the election/lease core (src/replication/election.ts) as the
// db node drives it (sim/sim-db-node.ts), over a simulated shard log (sim/shard-log.ts), with
// per-node clocks that drift within the configured bound. One seed fixes every choice, so a
// failing seed replays exactly: KEEL_ELECTION_SEED=<seed> npx vitest run test/replication
//
// A run has two phases:
//   1. faults (faultPhaseMs of real time): pauses of a node (process or VM: it handles
//      nothing, its clock runs on), cuts and slow-downs of a node's link to the log, crashes
//      and restarts, planned failovers, while clients write to whoever serves;
//   2. heal: every fault ends; within settleMsMax some node must be primary again, a new write
//      must be acknowledged, and every replica must apply the log up to it.
// Checked on every event: at most one node serves (its election says so and its lease is
// valid on its own clock) at any real instant; every acknowledged write is in the log at the
// LSN it was acknowledged at; a node that wins holds exactly the log before its Leader record
// (it was caught up), so it holds every acknowledged write. At the end, every node's data is
// the log's.
// This module must not import vitest.
import { defaultElectionConfig, type ElectionConfig } from '../../src/replication/election.js';
import { Rng } from '../log-service/raft/sim/rng.js';
import { EventQueue } from './sim/event-queue.js';
import { SimShardLog, type LogTimings } from './sim/shard-log.js';
import { SimDbNode, type DriverVariant, type NodeTimings, type NodeWorld } from './sim/sim-db-node.js';

export interface ElectionSimulationOptions {
  seed: number;
  /** Db nodes (3–5); default: chosen by the seed. */
  nodeCount?: number;
  faultPhaseMs?: number;
  settleMsMax?: number;
  variant?: DriverVariant;
  /**
   * Clock rates are drawn within [1, 1 + clockDriftMax × rateSpreadFactor]: 1 keeps them within
   * the configured bound; more breaks the assumption the lease relies on.
   */
  rateSpreadFactor?: number;
  traceLinesMax?: number;
  /** Planned failovers among the faults (default true). */
  failovers?: boolean;
}

export interface FaultProfile {
  config: ElectionConfig;
  log: LogTimings;
  rates: number[];
  faultIntervalMeanMs: number;
  pauseMsMax: number;
  cutMsMax: number;
  slowExtraMsMax: number;
  downMsMax: number;
  weights: { pause: number; cut: number; slow: number; crash: number; failover: number };
  /** Chance that a fault aims at the node that serves now. */
  aimAtPrimary: number;
}

export interface ElectionSimulationStats {
  nodes: number;
  events: number;
  primariesElected: number;
  campaigns: number;
  primaryCampaigns: number;
  primaryRewins: number;
  campaignsLost: number;
  stepDowns: number;
  fencedCommits: number;
  unknownCommits: number;
  recoveriesExact: number;
  recoveriesRebuilt: number;
  failoversDone: number;
  failoversFailed: number;
  pauses: number;
  cuts: number;
  slowdowns: number;
  crashes: number;
  writesAcknowledged: number;
  logEntries: number;
  messagesLost: number;
  /** Real ms from the heal to the first acknowledged write submitted after it. */
  settleMs: number;
}

export interface ElectionSimulationResult {
  seed: number;
  ok: boolean;
  violation: string | null;
  trace: string[];
  replay: string;
  profile: FaultProfile;
  stats: ElectionSimulationStats;
}

class Violation extends Error {}

const nodeTimings: NodeTimings = { tickMs: 20, commitTimeoutMs: 1000, campaignTimeoutMs: 15_000, requestTimeoutMs: 1000, requestRetryMs: 250, failoverTimeoutMs: 3000, writesPerTickMax: 2 };

export function chooseProfile(seed: number, nodeCount: number, rateSpreadFactor: number, failovers: boolean): FaultProfile {
  const rng = new Rng(seed * 2654435761 + 91);
  const config: ElectionConfig = rng.chance(0.5)
    ? defaultElectionConfig('?')
    // Short leases, a wider drift bound, the backoff just above what it must exceed.
    : { nodeId: '?', leaseMs: 300, renewIntervalMs: 100, campaignBackoffMs: 376, clockDriftMax: 0.25, campaignJitterMs: 40 };
  const spread = config.clockDriftMax * rateSpreadFactor;
  // Favour the extremes of the allowed spread: that is where an unsafe timing would show.
  const rates = Array.from({ length: nodeCount }, () => 1 + spread * rng.pick([0, 1, 1, rng.next()]));
  const delayMaxMs = rng.pick([2, 10, 40, 120]);
  return {
    config,
    log: {
      linkDelayMinMs: rng.pick([0.1, 1]),
      linkDelayMaxMs: delayMaxMs,
      commitLatencyMinMs: rng.pick([0.5, 2]),
      commitLatencyMaxMs: rng.pick([3, 20, 80]),
    },
    rates,
    faultIntervalMeanMs: rng.pick([150, 400, 1000]),
    pauseMsMax: rng.pick([300, 1500, 4000]),
    cutMsMax: rng.pick([300, 1500, 4000]),
    slowExtraMsMax: rng.pick([100, 600, 2000]),
    downMsMax: rng.pick([200, 2000]),
    weights: { pause: 3, cut: 3, slow: 2, crash: rng.pick([0, 1, 2]), failover: failovers ? rng.pick([0, 1, 2]) : 0 },
    aimAtPrimary: rng.pick([0.3, 0.7]),
  };
}

export function runElectionSimulation(options: ElectionSimulationOptions): ElectionSimulationResult {
  const seed = options.seed;
  const rng = new Rng(seed);
  const nodeCount = options.nodeCount ?? rng.int(3, 5);
  const faultPhaseMs = options.faultPhaseMs ?? 20_000;
  const settleMsMax = options.settleMsMax ?? 10_000;
  const variant = options.variant ?? 'fixed';
  const rateSpreadFactor = options.rateSpreadFactor ?? 1;
  const traceLinesMax = options.traceLinesMax ?? 60;
  const failovers = options.failovers ?? true;
  const profile = chooseProfile(seed, nodeCount, rateSpreadFactor, failovers);

  const queue = new EventQueue();
  const traceLines: string[] = [];
  const trace = (line: string): void => {
    traceLines.push(`t=${queue.now.toFixed(1)} ${line}`);
    if (traceLines.length > traceLinesMax) traceLines.shift();
  };
  const log = new SimShardLog(queue, rng.fork(), profile.log, trace);
  const stats: ElectionSimulationStats = {
    nodes: nodeCount, events: 0, primariesElected: 0, campaigns: 0, primaryCampaigns: 0, primaryRewins: 0, campaignsLost: 0, stepDowns: 0,
    fencedCommits: 0, unknownCommits: 0, recoveriesExact: 0, recoveriesRebuilt: 0, failoversDone: 0, failoversFailed: 0,
    pauses: 0, cuts: 0, slowdowns: 0, crashes: 0, writesAcknowledged: 0, logEntries: 0, messagesLost: 0, settleMs: -1,
  };
  /** Acknowledged writes: id → the LSN it was acknowledged at. */
  const acknowledged = new Map<number, number>();
  let writeIds = 0;
  let healAtMs = Infinity;
  let firstWriteAfterHeal: number | null = null;
  let settledWriteLsn: number | null = null;

  const fail = (message: string): never => {
    throw new Violation(message);
  };

  /** Data write ids in the log up to lsn, in order. */
  const logDataUpTo = (lsn: number): number[] => log.entries.slice(0, lsn).filter((entry) => entry.writeId !== null).map((entry) => entry.writeId!);

  const world: NodeWorld = {
    queue, log, variant, trace,
    nextWriteId: () => ++writeIds,
    acknowledged(node, writeId, lsn) {
      const entry = log.entries[lsn - 1];
      if (entry?.writeId !== writeId) fail(`write ${writeId} acknowledged by ${node.id} at LSN ${lsn}, but the log holds ${entry ? `write ${entry.writeId}` : 'nothing'} there`);
      acknowledged.set(writeId, lsn);
      stats.writesAcknowledged++;
      if (queue.now >= healAtMs && firstWriteAfterHeal === null) {
        firstWriteAfterHeal = writeId;
        settledWriteLsn = lsn;
        stats.settleMs = queue.now - healAtMs;
        trace(`${node.id}: first write acknowledged after the heal (LSN ${lsn})`);
      }
    },
    becamePrimary(node, epoch, leaderLsn, prevLsn) {
      stats.primariesElected++;
      // The conditional Leader append is the proof of being caught up: our data is exactly
      // the log before our Leader record, so it holds every acknowledged write.
      // (A replica may have applied entries after its own Leader record before the reply came.)
      const expected = logDataUpTo(node.committer ? leaderLsn - 1 : Math.max(node.appliedLsn, leaderLsn));
      if (prevLsn !== leaderLsn - 1 || node.data.length !== expected.length || node.data.some((id, index) => id !== expected[index])) {
        fail(`${node.id} won e${epoch} at LSN ${leaderLsn} but its data (${node.data.length} writes) is not the log before it (${expected.length} writes); first difference at write #${firstDifference(node.data, expected)}: ${node.data.slice(firstDifference(node.data, expected), firstDifference(node.data, expected) + 4).join(",")} vs ${expected.slice(firstDifference(node.data, expected), firstDifference(node.data, expected) + 4).join(",")}`);
      }
      for (const [writeId, lsn] of acknowledged) {
        if (lsn < leaderLsn && !node.dataIds.has(writeId)) fail(`${node.id} won e${epoch} without acknowledged write ${writeId} (LSN ${lsn})`);
      }
    },
    recovered(node, exact) {
      if (exact) stats.recoveriesExact++;
      else stats.recoveriesRebuilt++;
      const expected = logDataUpTo(node.appliedLsn);
      if (node.data.length !== expected.length || node.data.some((id, index) => id !== expected[index])) {
        fail(`${node.id} recovered (${exact ? 'kept its state' : 'rebuilt'}) with data that is not the log up to ${node.appliedLsn}`);
      }
    },
    count(stat) {
      stats[stat]++;
    },
  };

  const ids = Array.from({ length: nodeCount }, (_, index) => String.fromCharCode('a'.charCodeAt(0) + index));
  const nodes = ids.map((id, index) => new SimDbNode(
    id, { ...profile.config, nodeId: id },
    { offsetMs: rng.next() * 1e6, rate: profile.rates[index]! },
    nodeTimings, rng.fork(), world,
  ));

  const servingNow = (): SimDbNode[] => nodes.filter((node) => node.isServingNow());
  const checkAtMostOneServes = (): void => {
    const serving = servingNow();
    if (serving.length > 1) {
      fail(`${serving.length} nodes serve at t=${queue.now.toFixed(3)}: ${serving.map((node) =>
        `${node.id} (e${node.election!.epoch}, lease to local ${node.election!.leaseValidUntilMs.toFixed(1)} = t ${node.realAt(node.election!.leaseValidUntilMs).toFixed(1)})`).join(', ')}`);
    }
  };

  // --- faults ---------------------------------------------------------------------------------
  const downUntil = new Map<string, number>();
  const faultRng = rng.fork();
  const pickTarget = (): SimDbNode => {
    const serving = servingNow()[0] ?? nodes.find((node) => node.role === 'primary' && node.alive);
    if (serving && faultRng.chance(profile.aimAtPrimary)) return serving;
    return faultRng.pick(nodes);
  };
  const injectFault = (): void => {
    if (queue.now >= faultPhaseMs) return;
    const { weights } = profile;
    const total = weights.pause + weights.cut + weights.slow + weights.crash + weights.failover;
    let roll = faultRng.next() * total;
    const target = pickTarget();
    const link = log.link(target.id);
    if ((roll -= weights.pause) < 0) {
      if (target.alive) {
        stats.pauses++;
        target.pause(queue.now + faultRng.next() * profile.pauseMsMax, faultRng.chance(0.5) ? 'process (SIGSTOP)' : 'VM');
      }
    } else if ((roll -= weights.cut) < 0) {
      stats.cuts++;
      link.cutUntilMs = Math.max(link.cutUntilMs, queue.now + faultRng.next() * profile.cutMsMax);
      trace(`${target.id}: link to the log cut until t=${link.cutUntilMs.toFixed(1)}`);
    } else if ((roll -= weights.slow) < 0) {
      stats.slowdowns++;
      link.slowUntilMs = queue.now + faultRng.next() * profile.cutMsMax;
      link.slowExtraMsMax = faultRng.next() * profile.slowExtraMsMax;
      trace(`${target.id}: link slowed by up to ${link.slowExtraMsMax.toFixed(0)} ms until t=${link.slowUntilMs.toFixed(1)}`);
    } else if ((roll -= weights.crash) < 0) {
      if (target.alive) {
        stats.crashes++;
        target.crash();
        const restartAtMs = queue.now + faultRng.next() * profile.downMsMax;
        downUntil.set(target.id, restartAtMs);
        queue.schedule(Math.min(restartAtMs, faultPhaseMs), () => {
          if (!target.alive) target.start();
        });
      }
    } else {
      const primary = nodes.find((node) => node.alive && node.role === 'primary');
      const others = nodes.filter((node) => node !== primary);
      if (primary) primary.requestFailover(faultRng.pick(others).id);
    }
    queue.schedule(queue.now + faultRng.next() * 2 * profile.faultIntervalMeanMs, injectFault);
  };

  const heal = (): void => {
    healAtMs = queue.now;
    trace('heal: every fault ends');
    for (const node of nodes) {
      const link = log.link(node.id);
      link.cutUntilMs = Math.min(link.cutUntilMs, queue.now);
      link.slowUntilMs = Math.min(link.slowUntilMs, queue.now);
      if (!node.alive) node.start();
      else if (node.isPaused()) node.pause(queue.now, 'still');
    }
  };

  let violation: string | null = null;
  try {
    for (const node of nodes) queue.schedule(rng.next() * 50, () => node.start());
    queue.schedule(rng.next() * profile.faultIntervalMeanMs, injectFault);
    queue.schedule(faultPhaseMs, heal);
    const deadlineMs = faultPhaseMs + settleMsMax;
    const converged = (): boolean => settledWriteLsn !== null &&
      nodes.every((node) => node.alive && !node.loading && !node.recovering &&
        (node.role === 'primary' ? node.committer !== null : node.appliedLsn >= settledWriteLsn!));
    while (queue.runNext(deadlineMs)) {
      checkAtMostOneServes();
      if (converged()) break;
    }
    if (!converged()) {
      const state = nodes.map((node) => `${node.id}: ${node.alive ? node.role : 'down'} e${node.election?.epoch ?? '-'} applied ${node.appliedLsn}${node.isServingNow() ? ' serving' : ''}`).join('; ');
      fail(settledWriteLsn === null
        ? `no write acknowledged within ${settleMsMax} ms after the heal (log tail ${log.tailLsn}; ${state})`
        : `replicas did not apply LSN ${settledWriteLsn} within ${settleMsMax} ms after the heal (${state})`);
    }
    // Every node's data is the log's (a primary: its committed part).
    for (const node of nodes) {
      const upTo = node.committer?.committedLsn ?? node.appliedLsn;
      const expected = logDataUpTo(upTo);
      const held = node.data.slice(0, expected.length);
      if (held.length !== expected.length || held.some((id, index) => id !== expected[index])) fail(`${node.id}'s data is not the log up to ${upTo}`);
    }
    for (const [writeId, lsn] of acknowledged) {
      if (log.entries[lsn - 1]?.writeId !== writeId) fail(`acknowledged write ${writeId} is no longer at LSN ${lsn}`);
    }
  } catch (error) {
    violation = error instanceof Violation ? error.message : `crash: ${(error as Error).stack ?? String(error)}`;
  }

  stats.events = queue.eventsRun;
  stats.logEntries = log.tailLsn;
  stats.messagesLost = log.stats.messagesLost;
  const extra = [
    options.nodeCount !== undefined ? ` KEEL_ELECTION_NODES=${options.nodeCount}` : '',
    variant !== 'fixed' ? ` KEEL_ELECTION_VARIANT=${variant}` : '',
    rateSpreadFactor !== 1 ? ` KEEL_ELECTION_RATE_SPREAD=${rateSpreadFactor}` : '',
    !failovers ? ' KEEL_ELECTION_FAILOVERS=0' : '',
  ].join('');
  return {
    seed, ok: violation === null, violation, trace: traceLines.slice(), profile, stats,
    replay: `KEEL_ELECTION_SEED=${seed}${extra} npx vitest run test/replication/election-simulation.test.ts`,
  };
}

export function formatElectionFailure(result: ElectionSimulationResult): string {
  const { profile } = result;
  return [
    `election simulation seed ${result.seed}: ${result.violation}`,
    `replay: ${result.replay}`,
    `profile: lease ${profile.config.leaseMs} ms, backoff ${profile.config.campaignBackoffMs} ms, drift bound ${profile.config.clockDriftMax}, clock rates ${profile.rates.map((rate) => rate.toFixed(3)).join('/')}, link delay ≤ ${profile.log.linkDelayMaxMs} ms, commit ≤ ${profile.log.commitLatencyMaxMs} ms`,
    `stats: ${JSON.stringify(result.stats)}`,
    `last ${result.trace.length} events:`,
    ...result.trace.map((line) => `  ${line}`),
  ].join('\n');
}

function firstDifference(held: readonly number[], expected: readonly number[]): number {
  let index = 0;
  while (index < held.length && index < expected.length && held[index] === expected[index]) index++;
  return index;
}
