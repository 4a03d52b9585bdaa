// The scripted wiped-disk scenario: an acknowledged write stored on the leader and one
// follower; that follower loses its disk and the leader crashes. Without
// votingDisabledUntilCaughtUp the wiped follower votes for the node that never saw the
// write, which becomes leader and overwrites it. With the flag nobody can be elected until
// the old leader returns, and the write survives.

import { describe, expect, it } from 'vitest';
import { SimCluster, defaultRaftLimits } from './sim/cluster.js';

function cluster(votingDisabledAfterWipe: boolean): SimCluster {
  return new SimCluster({
    seed: 7,
    nodeIds: ['a', 'b', 'c'],
    raft: defaultRaftLimits,
    network: { dropRate: 0, duplicateRate: 0, delayTicksMin: 1, delayTicksMax: 1 },
    persistDelayTicksMax: 0,
    compactEveryEntries: 1_000_000,
    leaderSendsEarly: false,
    commitIndexUnsynced: false,
    livenessWhileWriting: true,
    votingDisabledAfterWipe,
    traceEventsMax: 50,
  });
}

/** Elect a leader, isolate one follower, get a write acknowledged by leader + other follower,
 *  then wipe that follower and crash the leader. */
function setUp(sim: SimCluster): { leader: string; witness: string; stale: string; key: string } {
  for (let tick = 0; tick < 200 && sim.believedLeader() === null; tick++) sim.runTick();
  const leader = sim.believedLeader()!.id;
  sim.runTicks(10);
  const [witness, stale] = ['a', 'b', 'c'].filter((id) => id !== leader) as [string, string];
  sim.setPartition([[leader, witness], [stale]]);
  const proposal = sim.propose(leader)!;
  for (let tick = 0; tick < 50 && !proposal.acknowledged; tick++) sim.runTick();
  expect(proposal.acknowledged).toBe(true);
  expect(sim.node(stale).core!.status().lastIndex).toBeLessThan(proposal.index);
  sim.wipe(witness);
  sim.restart(witness);
  sim.crash(leader);
  sim.heal();
  return { leader, witness, stale, key: proposal.key };
}

describe('wiped node rejoining', () => {
  it('without the flag, it votes with an empty log and an acknowledged write is lost', () => {
    const sim = cluster(false);
    setUp(sim);
    expect(() => sim.runTicks(300)).toThrow(/Leader Completeness/);
  });

  it('with votingDisabledUntilCaughtUp, no leader without the old one, and the write survives', () => {
    const sim = cluster(true);
    const { leader, witness, stale, key } = setUp(sim);
    expect(sim.node(witness).core!.status().votingEnabled).toBe(false);
    sim.runTicks(300);
    expect(sim.believedLeader()).toBeNull(); // the stale node cannot win without the wiped node's vote
    sim.restart(leader);
    for (let tick = 0; tick < 300 && !sim.node(witness).core!.status().votingEnabled; tick++) sim.runTick();
    expect(sim.node(witness).core!.status().votingEnabled).toBe(true);
    sim.runTicks(50);
    const proposal = sim.proposals.get(key)!;
    for (const id of [leader, witness, stale]) {
      expect(sim.node(id).appliedKeys[proposal.index - 1]).toBe(`${proposal.term}:${key}`);
    }
  });
});
