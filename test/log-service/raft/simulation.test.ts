// Many seeds of the deterministic Raft simulation. A failure prints the seed, the fault
// profile, the last events and the command that replays it.

import { describe, expect, it } from 'vitest';
import { formatFailure, runSimulation, type SimulationResult } from './simulation.js';

const seedsPerChunk = 10;
const chunks = 20; // 200 seeds
const fiveNodeChunks = 2; // 20 seeds
const ticks = 1500;
// Each chunk takes about a second alone; the machine is shared, so allow for a slow one.
const chunkTimeoutMs = 120_000;

const totals = { seeds: 0, acknowledged: 0, leaders: 0, crashes: 0, wipes: 0, snapshots: 0, dropped: 0 };

/** Yield to the event loop so vitest's worker can talk to the main process between seeds
 *  (a long synchronous stretch makes its RPC time out on a loaded machine). */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runChunk(firstSeed: number, count: number, nodeCount = 3): Promise<void> {
  for (let seed = firstSeed; seed < firstSeed + count; seed++) {
    await yieldToEventLoop();
    const result = runSimulation({ seed, ticks, nodeCount });
    if (!result.ok) expect.fail(formatFailure(result));
    totals.seeds++;
    totals.acknowledged += result.stats.acknowledged;
    totals.leaders += result.stats.leadersElected;
    totals.crashes += result.stats.crashes;
    totals.wipes += result.stats.wipes;
    totals.snapshots += result.stats.snapshotsInstalled;
    totals.dropped += result.stats.messagesDropped;
  }
}

describe('Raft simulation: safety on every step, liveness and no lost acknowledged write after heal', () => {
  for (let chunk = 0; chunk < chunks; chunk++) {
    const first = 1 + chunk * seedsPerChunk;
    it(`3 nodes, seeds ${first}..${first + seedsPerChunk - 1} x ${ticks} ticks`, { timeout: chunkTimeoutMs }, async () => {
      await runChunk(first, seedsPerChunk);
    });
  }

  for (let chunk = 0; chunk < fiveNodeChunks; chunk++) {
    const first = 1001 + chunk * seedsPerChunk;
    it(`5 nodes, seeds ${first}..${first + seedsPerChunk - 1} x ${ticks} ticks`, { timeout: chunkTimeoutMs }, async () => {
      await runChunk(first, seedsPerChunk, 5);
    });
  }

  it('the seeds above exercised elections, crashes, wipes, snapshots and message loss', () => {
    expect(totals.seeds).toBe((chunks + fiveNodeChunks) * seedsPerChunk);
    expect(totals.acknowledged).toBeGreaterThan(totals.seeds * 50);
    expect(totals.leaders).toBeGreaterThan(totals.seeds);
    expect(totals.crashes).toBeGreaterThan(100);
    expect(totals.wipes).toBeGreaterThan(50);
    expect(totals.snapshots).toBeGreaterThan(100);
    expect(totals.dropped).toBeGreaterThan(1000);
  });

  it('a seed replays exactly', () => {
    const first = runSimulation({ seed: 42, ticks: 800 });
    const second = runSimulation({ seed: 42, ticks: 800 });
    expect(first.ok).toBe(true);
    expect(second.stats).toEqual(first.stats);
    expect(first.replay).toBe('node dist/test/sim-cli.js --seeds 1 --seed 42 --ticks 800');
  });

  it('without votingDisabledUntilCaughtUp, wiped nodes break safety in some seed (double votes, lost acknowledged writes; the checker catches it)', { timeout: chunkTimeoutMs }, async () => {
    let failure: SimulationResult | null = null;
    for (let seed = 1; seed <= 40 && failure === null; seed++) {
      await yieldToEventLoop();
      const result = runSimulation({ seed, ticks: 2000, votingDisabledAfterWipe: false });
      if (!result.ok) failure = result;
    }
    expect(failure).not.toBeNull();
    expect(failure!.violation).toMatch(/Election Safety|two leaders|Leader Completeness|Lost acknowledged write|State Machine Safety|Log Matching/);
    expect(failure!.replay).toContain('--no-catch-up');
    expect(failure!.trace.length).toBeGreaterThan(0);
  });
});
