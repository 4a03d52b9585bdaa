// A follower applies the committed entries of a Ready after its synced write and its answer,
// not while the write is in flight (raft-driver.ts, handleReady): on a host that packs threads
// onto one vCPU, work done between handing a write to LevelDB and going idle delays LevelDB's
// own thread, and the leader waits for that write.

import { describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import type { LogStore } from '../../log-service/store/log-store.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { wrapBatch } from './helpers/sync-gate.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));

describe('when a follower applies committed entries (in-process cluster)', () => {
  it('after its synced write is done, never while it is in flight', async () => {
    let cluster: InProcessCluster | undefined;
    const counts = { appliedDuringWrite: 0, appliedRightAfterWrite: 0 };
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
        if (appliedBy(id) !== before) counts.appliedDuringWrite += 1;
        setImmediate(() => { if (appliedBy(id) !== before) counts.appliedRightAfterWrite += 1; });
      });
    });
    // A commit held up to 40 ms (not 2) rides with the next AppendEntries even on a loaded
    // machine, so the follower's Readies with entries to write also commit the one before.
    cluster = await startInProcessCluster({ wrapStore: watchFollowerWrites, timings: { commitBroadcastDelayMs: 40 } });
    const log = new LogClient({ nodes: [...cluster.addresses.values()] });
    try {
      await cluster.leader();
      // One appender: each AppendEntries to the eager follower carries the commit of the entry before.
      for (let lsn = 0; lsn < 30; lsn++) await log.append('ordered', [text(`e${lsn}`)], { prevLsn: lsn });
      expect(counts.appliedRightAfterWrite, 'follower writes whose Ready also committed entries').toBeGreaterThanOrEqual(10);
      expect(counts.appliedDuringWrite).toBe(0);
    } finally {
      log.close();
      await cluster.close();
    }
  });
});
