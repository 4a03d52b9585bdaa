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
      const leader = await cluster.leader();
      const followers = cluster.ids.filter((id) => id !== leader.status().id).map((id) => cluster.nodes.get(id)!);
      const term = leader.status().term;
      // Batches of several entries, some in flight together, and two logs.
      const payloads: Uint8Array[] = [];
      let lsn = 0;
      for (let round = 0; round < 20; round++) {
        const batch = [0, 1, 2].map((i) => text(`r${round}-${i}`));
        const other = log.append('other', [text(`o${round}`)], { prevLsn: round });
        await Promise.all([log.append('chained', batch, { prevLsn: lsn }), other]);
        payloads.push(...batch);
        lsn += batch.length;
      }
      let expected = emptyChainChecksum;
      payloads.forEach((payload, i) => { expected = chainChecksum(expected, i + 1, payload); });
      // Every node, the lazy follower too, applies all of it and ends at the checksum hashing gives.
      const tails = await waitFor(
        () => Promise.all([...cluster.addresses.values()].map((address) => log.connection(address).request<TailResult>({ op: 'tail', log: 'chained' }, 2000))),
        (all) => all.every((tail) => tail.tailLsn === lsn),
      );
      expect(tails.map((tail) => checksumHex(tail.checksum))).toEqual([0, 1, 2].map(() => checksumHex(expected)));
      const { entries } = await log.read('chained', 1, { entriesMax: 100 });
      expect(entries.map((entry) => entry.lsn)).toEqual(payloads.map((_, i) => i + 1));
      // Meaningful only without an election in between (then chains of the old term are moot).
      if (leader.status().term === term && leader.status().role === 'leader') {
        expect(leader.checksumWork()!.appendsHashed).toBeGreaterThanOrEqual(40);
        for (const follower of followers) {
          await waitFor(() => follower.checksumWork()!.chainsTaken, (taken) => taken >= 40, 5000);
          expect(follower.checksumWork()!.appendsHashed).toBeLessThanOrEqual(2);
        }
      }
    } finally {
      log.close();
      await cluster.close();
    }
  });
});
