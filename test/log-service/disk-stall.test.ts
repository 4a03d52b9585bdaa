// A flush that stalls on all three log nodes at once (they share one disk on one host; 175–620
// ms stalls were measured under load) must not cost an election. Each node's Ready loop waits
// for its synced write, but heartbeats and their answers depend on nothing unwritten and go out
// meanwhile (raft-driver.ts, "liveness"). Before, a stall longer than the election timeout made
// the leader step down (check-quorum heard no follower) and a new term began after the stall:
// the stall's unavailability plus an election's. The disk here is a twin of LevelDB whose
// synced writes wait while a stall is on.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import type { LogStore } from '../../log-service/store/log-store.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { gateSyncs } from './helpers/sync-gate.js';

const stall = { until: Promise.resolve(), stalledWrites: 0 };

/** The store, with every synced batch held while a stall is on (unsynced ones pass). */
function stallable(store: LogStore): LogStore {
  return gateSyncs(store, () => {
    stall.stalledWrites += 1;
    return stall.until;
  });
}

let cluster: InProcessCluster;
let client: LogClient;

beforeAll(async () => {
  cluster = await startInProcessCluster({ wrapStore: (_id, store) => stallable(store) });
  await cluster.leader();
  client = new LogClient({ nodes: [...cluster.addresses.values()] });
  await client.append('stall', [new Uint8Array([1])], { prevLsn: 0 });
});

afterAll(async () => {
  client?.close();
  await cluster?.close();
});

it('a 1.5 s flush stall on every node (3 × the shortest election timeout) costs no election', async () => {
  const leader = await cluster.leader();
  const { term } = leader.status();
  let release!: () => void;
  stall.until = new Promise((resolve) => { release = resolve; });
  stall.stalledWrites = 0;
  const append = client.append('stall', [new Uint8Array([2])], { prevLsn: 1 });
  let settled = false;
  void append.finally(() => { settled = true; });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(stall.stalledWrites).toBeGreaterThanOrEqual(2); // the leader's and a follower's write hung
  expect(settled).toBe(false); // nothing committed through the stall
  release();
  expect(await append).toMatchObject({ firstLsn: 2, lastLsn: 2 });
  for (const node of cluster.nodes.values()) {
    expect(node.status()).toMatchObject({ term, leaderId: leader.status().id });
  }
}, 20_000);
