// When a follower applies committed entries (raft-driver.ts, handleReady): never while its
// synced write is in flight (on a host that packs threads onto one vCPU, work done between
// handing a write to LevelDB and going idle delays LevelDB's own thread, and the leader waits
// for that write), and not right after each write either: it gathers them for up to
// applyWriteDelayMs and applies them together (after a write and its answer, or when idle).

import { describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import type { LogStore } from '../../log-service/store/log-store.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { wrapBatch } from './helpers/sync-gate.js';
import { waitFor } from './helpers/wait.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));
const appends = 30;

describe('when a follower applies committed entries (in-process cluster)', () => {
  it('never while a synced write is in flight; gathered for applyWriteDelayMs, then all of them', async () => {
    let cluster: InProcessCluster | undefined;
    let appliedDuringWrite = 0;
    const appliedBy = (id: string) => {
      const work = cluster?.nodes.get(id)?.checksumWork();
      return work ? work.appendsHashed + work.chainsTaken : 0;
    };
    const watchFollowerWrites = (id: string, store: LogStore): LogStore => wrapBatch(store, (write, ops, options) => {
      const written = write(ops, options);
      if (!options.sync || cluster?.nodes.get(id)?.status().role !== 'follower') return written;
      const before = appliedBy(id);
      return written.then(() => {
        // The driver continues once this resolves: an apply already counted ran during the write.
        if (appliedBy(id) !== before) appliedDuringWrite += 1;
      });
    });
    // Followers gather committed entries for 150 ms (so the appends below, one at a time, end
    // well inside one gathering even on a loaded machine); ticks of 200 ms, as the delays must
    // be shorter than a tick. A commit held up to 40 ms rides with the next AppendEntries.
    cluster = await startInProcessCluster({
      wrapStore: watchFollowerWrites,
      timings: { tickMs: 200, applyWriteDelayMs: 150, commitBroadcastDelayMs: 40 },
    });
    const log = new LogClient({ nodes: [...cluster.addresses.values()] });
    try {
      const leader = await cluster.leader(20_000); // elections take 1.2–2.4 s at 200 ms ticks
      const followers = cluster.ids.filter((id) => cluster!.nodes.get(id) !== leader);
      // How many times each follower's applied count moved, seen after each answer.
      const moves = new Map(followers.map((id) => [id, 0]));
      const seen = new Map(followers.map((id) => [id, appliedBy(id)]));
      const started = performance.now();
      for (let lsn = 0; lsn < appends; lsn++) {
        await log.append('ordered', [text(`e${lsn}`)], { prevLsn: lsn });
        for (const id of followers) {
          if (appliedBy(id) !== seen.get(id)) moves.set(id, moves.get(id)! + 1);
          seen.set(id, appliedBy(id));
        }
      }
      const elapsedMs = performance.now() - started;
      // Gathered: a follower applies at most once per 150 ms (plus the first and the last).
      // Applying after each write (the order before), the eager one moved ≈ 28 times.
      expect(Math.max(...moves.values()), `applies seen in ${Math.round(elapsedMs)} ms`).toBeLessThanOrEqual(2 + Math.ceil(elapsedMs / 150));
      // Gathered, not lost: every follower applies all of them, in order (the driver asserts it).
      await waitFor(() => followers.map(appliedBy), (applied) => applied.every((count) => count === appends), 5_000);
      expect(appliedDuringWrite).toBe(0);
    } finally {
      log.close();
      await cluster.close();
    }
  }, 20_000);
});
