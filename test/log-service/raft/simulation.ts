// Deterministic simulation of the Raft core: one seed fixes the fault profile, the fault
// schedule, the network's choices and every node's randomness, so a failing seed replays
// exactly (`node dist/test/sim-cli.js --seeds 1 --seed S --ticks T`).
//
// A run has two phases:
//   1. faults, for `ticks` ticks: message drop/delay/duplication/reordering, partitions and
//      heals, crashes and restarts (losing unsynced writes), whole-disk wipes, compaction and
//      InstallSnapshot, while a client proposes; the safety checker runs on every event;
//   2. heal: every fault stops and every node restarts; within settleTicksMax a leader must
//      commit a marker entry and every node must apply exactly the committed sequence, which
//      must contain every acknowledged proposal at the index and term it was acknowledged at.
// This module must not import vitest: the CLI uses it too.

import { SimCluster, defaultRaftLimits, type NetworkFaults } from './sim/cluster.js';
import { Rng } from './sim/rng.js';

export interface SimulationOptions {
  seed: number;
  /** Length of the fault phase. */
  ticks: number;
  /** Voters (ids a, b, c, ...); default 3. */
  nodeCount?: number;
  /** Restart wiped nodes with votingDisabledUntilCaughtUp (default true). */
  votingDisabledAfterWipe?: boolean;
  /** Liveness bound after the heal. */
  settleTicksMax?: number;
  traceEventsMax?: number;
}

export interface FaultProfile {
  network: NetworkFaults;
  crashRatePerNodeTick: number;
  /** Crashes aimed at the current leader (the interesting moments for Figure 8). */
  leaderCrashRatePerTick: number;
  restartTicksMax: number;
  appendEntriesMax: number;
  partitionRatePerTick: number;
  /** Process pauses (GC, SIGSTOP): the node stops, then gets its messages in a burst. */
  pauseRatePerTick: number;
  wipeRatePerTick: number;
  proposeRatePerTick: number;
  persistDelayTicksMax: number;
  compactEveryEntries: number;
  compactMarginEntries: number;
  leaderSendsEarly: boolean;
  commitIndexUnsynced: boolean;
  livenessWhileWriting: boolean;
}

export interface SimulationStats {
  ticks: number;
  leadersElected: number;
  maxTerm: number;
  proposals: number;
  acknowledged: number;
  committed: number;
  crashes: number;
  wipes: number;
  snapshotsInstalled: number;
  compactions: number;
  messagesSent: number;
  messagesDropped: number;
  settleTicks: number;
}

export interface SimulationResult {
  seed: number;
  ok: boolean;
  violation: string | null;
  /** The last events before the end (or the violation), oldest first. */
  trace: string[];
  replay: string;
  profile: FaultProfile;
  stats: SimulationStats;
}

export const nodeIdsFor = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => String.fromCharCode('a'.charCodeAt(0) + index));

export function chooseFaultProfile(seed: number): FaultProfile {
  const rng = new Rng(seed * 2654435761 + 17);
  const delayTicksMax = rng.pick([1, 2, 4, 8]);
  return {
    network: {
      dropRate: rng.pick([0, 0.02, 0.08, 0.2]),
      duplicateRate: rng.pick([0, 0.02, 0.1]),
      delayTicksMin: 1,
      delayTicksMax,
    },
    crashRatePerNodeTick: rng.pick([0, 0.001, 0.004]),
    leaderCrashRatePerTick: rng.pick([0, 0.003, 0.01]),
    restartTicksMax: rng.pick([20, 150]),
    appendEntriesMax: rng.pick([1, 2, 4]),
    partitionRatePerTick: rng.pick([0, 0.004, 0.015]),
    wipeRatePerTick: rng.pick([0, 0.0005, 0.002]),
    pauseRatePerTick: rng.pick([0, 0.002, 0.006]),
    proposeRatePerTick: rng.pick([0.1, 0.4, 1]),
    persistDelayTicksMax: rng.pick([0, 1, 3]),
    compactEveryEntries: rng.pick([8, 30]),
    compactMarginEntries: rng.pick([0, 3, 20]),
    leaderSendsEarly: rng.pick([false, true]),
    commitIndexUnsynced: rng.pick([false, true]),
    livenessWhileWriting: rng.pick([false, true]),
  };
}

export function runSimulation(options: SimulationOptions): SimulationResult {
  const nodeCount = options.nodeCount ?? 3;
  const settleTicksMax = options.settleTicksMax ?? 600;
  const profile = chooseFaultProfile(options.seed);
  const nodeIds = nodeIdsFor(nodeCount);
  const quorum = Math.floor(nodeCount / 2) + 1;
  const cluster = new SimCluster({
    seed: options.seed,
    nodeIds,
    raft: {
      ...defaultRaftLimits,
      compactMarginEntries: profile.compactMarginEntries,
      appendEntriesMax: profile.appendEntriesMax,
    },
    network: profile.network,
    persistDelayTicksMax: profile.persistDelayTicksMax,
    compactEveryEntries: profile.compactEveryEntries,
    leaderSendsEarly: profile.leaderSendsEarly,
    commitIndexUnsynced: profile.commitIndexUnsynced,
    livenessWhileWriting: profile.livenessWhileWriting,
    votingDisabledAfterWipe: options.votingDisabledAfterWipe ?? true,
    traceEventsMax: options.traceEventsMax ?? 40,
  });
  const faults = new Rng(options.seed * 40503 + 7);
  const restartAt = new Map<string, number>();
  let healAt: number | null = null;
  let settleTicks = 0;
  let violation: string | null = null;

  try {
    // Phase 1: faults.
    for (let tick = 0; tick < options.ticks; tick++) {
      cluster.runTick();
      if (faults.chance(profile.proposeRatePerTick)) {
        // Mostly to the believed leader; sometimes to anyone (exercises NOT_LEADER).
        cluster.propose(faults.chance(0.8) ? undefined : faults.pick(nodeIds));
      }
      for (const id of nodeIds) {
        const node = cluster.node(id);
        if (node.alive && faults.chance(profile.crashRatePerNodeTick)) {
          cluster.crash(id);
          restartAt.set(id, cluster.now + faults.int(5, profile.restartTicksMax));
        }
      }
      if (faults.chance(profile.leaderCrashRatePerTick)) {
        const leader = cluster.believedLeader();
        if (leader !== null) {
          cluster.crash(leader.id);
          restartAt.set(leader.id, cluster.now + faults.int(5, profile.restartTicksMax));
        }
      }
      if (faults.chance(profile.wipeRatePerTick)) {
        const id = faults.pick(nodeIds);
        // The contract: a majority keeps its disk. A wiped node counts as lost until caught up.
        const othersLost = nodeIds.filter((other) => other !== id && !cluster.node(other).disk.identityIntact).length;
        if (othersLost + 1 <= nodeCount - quorum) {
          cluster.wipe(id);
          restartAt.set(id, cluster.now + faults.int(5, profile.restartTicksMax));
        }
      }
      for (const [id, at] of restartAt) {
        if (at <= cluster.now) {
          restartAt.delete(id);
          cluster.restart(id);
        }
      }
      if (faults.chance(profile.pauseRatePerTick)) {
        const leader = cluster.believedLeader();
        const id = leader !== null && faults.chance(0.5) ? leader.id : faults.pick(nodeIds);
        cluster.pause(id, faults.int(5, 60));
      }
      if (healAt === null && faults.chance(profile.partitionRatePerTick)) {
        const kind = faults.int(0, 2);
        if (kind === 2 && nodeCount > 1) {
          // One-way failures: a node that can send but not hear (or the reverse).
          const links = faults.int(1, nodeCount);
          for (let link = 0; link < links; link++) {
            const from = faults.pick(nodeIds);
            const to = faults.pick(nodeIds.filter((id) => id !== from));
            cluster.blockLink(from, to);
          }
        } else if (kind === 1) {
          const isolated = faults.pick(nodeIds);
          cluster.setPartition([nodeIds.filter((id) => id !== isolated), [isolated]]);
        } else {
          const groups: string[][] = [[], []];
          for (const id of nodeIds) groups[faults.int(0, 1)]!.push(id);
          cluster.setPartition(groups);
        }
        healAt = cluster.now + faults.int(20, 250);
      } else if (healAt !== null && healAt <= cluster.now) {
        cluster.heal();
        healAt = null;
      }
    }

    // Phase 2: heal everything; the group must converge within settleTicksMax.
    cluster.heal();
    cluster.network = { dropRate: 0, duplicateRate: 0, delayTicksMin: 1, delayTicksMax: 2 };
    for (const id of nodeIds) cluster.restart(id);
    let marker: { key: string; index: number; term: number; nodeId: string } | null = null;
    let converged = false;
    for (; settleTicks < settleTicksMax && !converged; settleTicks++) {
      cluster.runTick();
      if (marker !== null) {
        const committedKey = cluster.checker.committedKeys[marker.index - 1];
        const proposer = cluster.node(marker.nodeId).core?.status();
        const proposerStillLeads = proposer?.role === 'leader' && proposer.term === marker.term;
        if (committedKey !== undefined ? committedKey !== `${marker.term}:${marker.key}` : !proposerStillLeads) {
          marker = null; // lost with a leader change: propose another
        }
      }
      if (marker === null) {
        const proposal = cluster.propose();
        if (proposal !== null) marker = proposal;
        continue;
      }
      const committed = cluster.checker.committedKeys;
      converged =
        committed.length >= marker.index &&
        cluster.liveNodes().length === nodeCount &&
        cluster.liveNodes().every((node) => node.appliedKeys.length === committed.length);
    }
    if (!converged) {
      const states = cluster
        .liveNodes()
        .map((node) => {
          const status = node.core!.status();
          return `${node.id}:${status.role}/t${status.term} commit=${status.commitIndex} applied=${status.appliedIndex} last=${status.lastIndex} voting=${status.votingEnabled}`;
        })
        .join(', ');
      throw new Error(`Liveness: no convergence within ${settleTicksMax} ticks after heal (${states})`);
    }
    // Every node applied exactly the committed sequence, with every acknowledged proposal.
    const committed = cluster.checker.committedKeys;
    for (const node of cluster.liveNodes()) {
      node.appliedKeys.forEach((key, offset) => {
        if (key !== committed[offset]) {
          throw new Error(`Convergence: ${node.id} applied ${key} at ${offset + 1}, committed is ${committed[offset]}`);
        }
      });
      for (const proposal of cluster.proposals.values()) {
        if (!proposal.acknowledged) continue;
        const expected = `${proposal.term}:${proposal.key}`;
        if (node.appliedKeys[proposal.index - 1] !== expected) {
          throw new Error(
            `Lost acknowledged write: ${proposal.key} (acknowledged at ${proposal.index}@${proposal.term}) ` +
              `is not in ${node.id}'s applied sequence (it has ${node.appliedKeys[proposal.index - 1] ?? 'nothing'})`,
          );
        }
      }
    }
  } catch (error) {
    violation = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }

  let maxTerm = 0;
  for (const node of cluster.nodes.values()) maxTerm = Math.max(maxTerm, node.disk.hardState.term);
  const proposals = [...cluster.proposals.values()];
  return {
    seed: options.seed,
    ok: violation === null,
    violation,
    trace: violation === null ? [] : cluster.traceLines(),
    replay: `node dist/test/sim-cli.js --seeds 1 --seed ${options.seed} --ticks ${options.ticks}` +
      (nodeCount !== 3 ? ` --nodes ${nodeCount}` : '') +
      (options.votingDisabledAfterWipe === false ? ' --no-catch-up' : ''),
    profile,
    stats: {
      ticks: cluster.now,
      leadersElected: cluster.checker.leadersElected,
      maxTerm,
      proposals: proposals.length,
      acknowledged: proposals.filter((proposal) => proposal.acknowledged).length,
      committed: cluster.checker.committedKeys.length,
      crashes: cluster.stats.crashes,
      wipes: cluster.stats.wipes,
      snapshotsInstalled: cluster.stats.snapshotsInstalled,
      compactions: cluster.stats.compactions,
      messagesSent: cluster.stats.messagesSent,
      messagesDropped: cluster.stats.messagesDropped,
      settleTicks,
    },
  };
}

export function formatFailure(result: SimulationResult): string {
  return [
    `seed ${result.seed}: ${result.violation}`,
    `replay: ${result.replay}`,
    `profile: ${JSON.stringify(result.profile)}`,
    'last events:',
    ...result.trace.map((line) => `  ${line}`),
  ].join('\n');
}
