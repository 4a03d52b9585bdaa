// A lagging node whose needed Raft entries were compacted away receives the state machine
// (trim points + retained entries) through InstallSnapshot; a node whose directory was wiped
// rejoins with voting disabled until it holds the log again.

import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { LogClient } from '../../log-service/client/log-client.js';
import { LogNode } from '../../log-service/node/log-node.js';
import { checksumHex } from '../../log-service/checksum.js';
import type { IdentityResult, TailResult } from '../../log-service/wire/protocol.js';
import { askPeerIdentity } from '../../log-service/node/identity.js';
import { waitFor } from './helpers/wait.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import type { LogStore } from '../../log-service/store/log-store.js';
import { logEntryRange, raftEntryRange } from '../../log-service/store/keys.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));
let cluster: InProcessCluster | null = null;
let client: LogClient | null = null;

afterEach(async () => {
  client?.close();
  client = null;
  await cluster?.close();
  cluster = null;
});



async function tailsAndChecksums(c: InProcessCluster, log: string): Promise<string[]> {
  const probe = new LogClient({ nodes: [...c.addresses.values()] });
  try {
    const out: string[] = [];
    for (const address of c.addresses.values()) {
      const tail = await probe.connection(address).request<TailResult>({ op: 'tail', log }, 2000);
      out.push(`${tail.tailLsn}:${checksumHex(tail.checksum)}`);
    }
    return out;
  } finally {
    probe.close();
  }
}

describe('catch-up', () => {
  it('a node that missed compacted entries catches up from a snapshot to the same tail and checksum', async () => {
    cluster = await startInProcessCluster({ limits: { raftCompactEveryEntries: 40, raftCompactMarginEntries: 10 } });
    client = new LogClient({ nodes: [...cluster.addresses.values()] });
    await cluster.leader();
    const leaderId = (await cluster.leader()).status().id;
    const laggard = cluster.ids.find((id) => id !== leaderId)!;
    await cluster.stop(laggard);
    for (let i = 0; i < 150; i++) await client.append('big', [text(`v${i + 1}`)], { prevLsn: i });
    await client.append('big', [text('marker')], { prevLsn: 150, snapshotLsn: 100 });
    await client.trim('big', 50);
    for (let i = 0; i < 30; i++) await client.append('other', [text(`o${i}`)], { prevLsn: i });
    const leader = cluster.nodes.get(leaderId)!;
    // The leader's Raft log no longer holds the entries the laggard needs.
    expect((leader as unknown as { driver: { status(): { snapshotIndex: number } } }).driver.status().snapshotIndex).toBeGreaterThan(10);
    await cluster.start(laggard);
    const node = cluster.nodes.get(laggard)!;
    await waitFor(() => node.status().logs.big?.tailLsn, (tail) => tail === 151);
    await waitFor(() => node.status().logs.other?.tailLsn, (tail) => tail === 30);
    expect(node.status().logs.big?.firstLsn).toBe(50);
    const checksums = await tailsAndChecksums(cluster, 'big');
    expect(new Set(checksums).size).toBe(1);
    // And it keeps replicating normally afterwards.
    await client.append('big', [text('after')], { prevLsn: 151 });
    await waitFor(() => node.status().logs.big?.tailLsn, (tail) => tail === 152);
    // The trimmed entries and the compacted Raft entries leave every node's store (in the
    // background, after the trim or compaction point was written).
    for (const id of cluster.ids) {
      const internals = cluster.nodes.get(id)! as unknown as { store: LogStore; driver: { status(): { snapshotIndex: number } } };
      const compactedTo = internals.driver.status().snapshotIndex;
      await waitFor(async () => [
        (await internals.store.range(logEntryRange('big', 0, 50))).length,
        (await internals.store.range(raftEntryRange(0, compactedTo + 1))).length,
      ], (left) => left[0] === 0 && left[1] === 0);
      expect((await internals.store.range(logEntryRange('big', 50, 153))).length).toBe(103);
    }
  });

  it('a restarting node never tells a peer that it is empty while it reads its store', async () => {
    cluster = await startInProcessCluster();
    client = new LogClient({ nodes: [...cluster.addresses.values()] });
    const batch = Array.from({ length: 100 }, (_, i) => text(`entry ${i}`.padEnd(100, '.')));
    for (let i = 0; i < 30; i++) await client.append('w', batch, { prevLsn: i * 100 });
    const leaderId = (await cluster.leader()).status().id;
    const victim = cluster.ids.find((id) => id !== leaderId)!;
    const clusterId = cluster.nodes.get(victim)!.clusterId;
    await cluster.stop(victim);
    // What a peer with a wiped directory asks (node/identity.ts), over and over during the restart.
    const answers: IdentityResult[] = [];
    let restarting = true;
    const probing = (async () => {
      while (restarting) {
        const answer = await askPeerIdentity(cluster!.addresses.get(victim)!, 1 << 20, 200);
        if (answer) answers.push(answer);
      }
    })();
    await cluster.start(victim);
    restarting = false;
    await probing;
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      if (answer.starting) continue; // "cannot tell yet": the asker keeps asking
      expect(answer).toMatchObject({ clusterId, hasData: true });
    }
  });

  it('a node whose data directory was wiped rejoins with voting disabled until caught up', async () => {
    cluster = await startInProcessCluster();
    client = new LogClient({ nodes: [...cluster.addresses.values()] });
    for (let i = 0; i < 20; i++) await client.append('w', [text(`v${i + 1}`)], { prevLsn: i });
    const leaderId = (await cluster.leader()).status().id;
    const victim = cluster.ids.find((id) => id !== leaderId)!;
    const clusterId = cluster.nodes.get(victim)!.clusterId;
    await cluster.stop(victim);
    // A directory belongs to one node id: starting another id on it is refused.
    const other = cluster.ids.find((id) => id !== victim && id !== leaderId)!;
    await expect(
      LogNode.start({ id: other, listen: '127.0.0.1:0', dir: cluster.dirs.get(victim)!, peers: cluster.addresses, logger: pino({ level: 'silent' }) }),
    ).rejects.toThrow(/belongs to node/);
    await rm(cluster.dirs.get(victim)!, { recursive: true, force: true });
    await cluster.start(victim);
    const node = cluster.nodes.get(victim)!;
    expect(node.clusterId).toBe(clusterId); // adopted from the peers, not a new cluster
    expect(node.status().votingEnabled).toBe(false);
    await waitFor(() => node.status(), (status) => status.votingEnabled && status.logs.w?.tailLsn === 20);
    expect(new Set(await tailsAndChecksums(cluster, 'w')).size).toBe(1);
    // With the old leader gone, the replaced node helps elect a new one and commit.
    await cluster.stop(leaderId);
    await client.append('w', [text('after-failover')], { prevLsn: 20 });
    expect((await client.tail('w')).tailLsn).toBe(21);
  });
});
