// Three log nodes in this process: the followers apply appends with the checksum chains the
// leader computed (node/chain-hints.ts) instead of hashing the payloads again, and every node
// ends with the same entries and checksums as if each had hashed.

import { describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { chainChecksum, checksumHex, emptyChainChecksum } from '../../log-service/checksum.js';
import type { TailResult } from '../../log-service/wire/protocol.js';
import { startInProcessCluster } from './helpers/in-process-cluster.js';
import { waitFor } from './helpers/wait.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));

describe('checksum chains from the leader (in-process cluster)', () => {
  it('followers take the chains instead of hashing, and every node stores the checksums hashing gives', async () => {
    const cluster = await startInProcessCluster();
    const log = new LogClient({ nodes: [...cluster.addresses.values()] });
    try {
      // The counts mean something only within one term (an election makes the old leader's
      // chains moot), so a burst that saw an election is run again, on a fresh log.
      let checkedCounts = false;
      for (let attempt = 0; attempt < 3 && !checkedCounts; attempt++) {
        const name = `chained-${attempt}`;
        const leader = await cluster.leader();
        const followers = cluster.ids.filter((id) => id !== leader.status().id).map((id) => cluster.nodes.get(id)!);
        const term = leader.status().term;
        const hashedBefore = leader.checksumWork()!.appendsHashed;
        const followersBefore = followers.map((follower) => ({ ...follower.checksumWork()! }));
        // Batches of several entries, some in flight together, and two logs.
        const payloads: Uint8Array[] = [];
        let lsn = 0;
        for (let round = 0; round < 20; round++) {
          const batch = [0, 1, 2].map((i) => text(`r${round}-${i}`));
          const other = log.append(`${name}-other`, [text(`o${round}`)], { prevLsn: round });
          await Promise.all([log.append(name, batch, { prevLsn: lsn }), other]);
          payloads.push(...batch);
          lsn += batch.length;
        }
        let expected = emptyChainChecksum;
        payloads.forEach((payload, i) => { expected = chainChecksum(expected, i + 1, payload); });
        // Every node, the lazy follower too, applies all of it and ends at the checksum hashing gives.
        const tails = await waitFor(
          () => Promise.all([...cluster.addresses.values()].map((address) => log.connection(address).request<TailResult>({ op: 'tail', log: name }, 2000))),
          (all) => all.every((tail) => tail.tailLsn === lsn),
        );
        expect(tails.map((tail) => checksumHex(tail.checksum))).toEqual([0, 1, 2].map(() => checksumHex(expected)));
        const { entries } = await log.read(name, 1, { entriesMax: 100 });
        expect(entries.map((entry) => entry.lsn)).toEqual(payloads.map((_, i) => i + 1));
        if (leader.status().term !== term || leader.status().role !== 'leader') continue;
        expect(leader.checksumWork()!.appendsHashed - hashedBefore).toBeGreaterThanOrEqual(40);
        for (const [i, follower] of followers.entries()) {
          await waitFor(() => follower.checksumWork()!.chainsTaken - followersBefore[i]!.chainsTaken, (taken) => taken >= 40, 5000);
          expect(follower.checksumWork()!.appendsHashed - followersBefore[i]!.appendsHashed).toBeLessThanOrEqual(2);
        }
        checkedCounts = true;
      }
      expect(checkedCounts, 'an election in each of three bursts').toBe(true);
    } finally {
      log.close();
      await cluster.close();
    }
  });
});
