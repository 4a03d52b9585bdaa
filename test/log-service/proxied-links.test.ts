// Log-node peer links through a TCP proxy (the jepsen-style harness wires every link this
// way). A proxy accepts the connection before it has reached the node behind it, so a
// successful connect proves nothing about the peer.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { PeerTransport } from '../../log-service/node/peer-transport.js';
import type { NodeStatus } from '../../log-service/wire/protocol.js';
import { freePorts } from './helpers/ports.js';
import { binPath, ensureBuilt } from './helpers/process-cluster.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TestProxy {
  port: number;
  accepted: number;
  /** Holds the bytes towards the target (nothing lost) until release(): a stalled link. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

/** A plain forwarding proxy: accepts at once, then dials the target (as LinkProxy does). */
async function startProxy(targetPort: number): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  const state = { accepted: 0, held: false };
  const waiting: Array<{ upstream: Socket; chunk: Buffer }> = [];
  const server: Server = createServer((client) => {
    state.accepted += 1;
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      if (state.held) waiting.push({ upstream, chunk });
      else upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as import('node:net').AddressInfo).port,
    get accepted() {
      return state.accepted;
    },
    hold: () => {
      state.held = true;
    },
    release: () => {
      state.held = false;
      for (const { upstream, chunk } of waiting.splice(0)) if (!upstream.destroyed) upstream.write(chunk);
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<(failed: boolean) => unknown> = [];
afterEach(async ({ task }) => {
  const failed = task.result?.state === 'fail';
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup(failed);
});

describe('peer links through a proxy', () => {
  it('back off while the node behind the proxy is down, although every connect succeeds', async () => {
    const [deadPort] = await freePorts(1); // nothing listens here: the proxy's upstream is refused
    const proxy = await startProxy(deadPort!);
    cleanups.push(() => proxy.close());
    const transport = new PeerTransport({
      selfId: 'a', clusterId: 'test', peers: new Map([['b', `127.0.0.1:${proxy.port}`]]), peerFrameBytesMax: 1 << 20,
      peerQueueBytesMax: 1 << 20, reconnectBackoffMinMs: 20, reconnectBackoffMaxMs: 1000, logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => transport.close());
    await sleep(1500);
    // Backing off from 20 ms by doubling, 1.5 s allows about 7 attempts (20+40+…+640 ms);
    // a link that takes the proxy's accept for a working peer retries every 20 ms.
    expect(proxy.accepted).toBeGreaterThanOrEqual(3);
    expect(proxy.accepted).toBeLessThanOrEqual(10);
  });
});

/** Three log-node processes; every peer link (from -> to) goes through its own proxy here. */
async function startProxiedCluster(): Promise<{
  client: LogClient; proxies: Map<string, TestProxy>; nodes: string[]; elections(): string; close(): Promise<void>;
}> {
  ensureBuilt();
  const ids = ['a', 'b', 'c'];
  const ports = await freePorts(3);
  const root = await mkdtemp(join(tmpdir(), 'keel-log-proxied-'));
  const proxies = new Map<string, TestProxy>();
  const children: ChildProcess[] = [];
  for (const [i, id] of ids.entries()) {
    const peers: string[] = [];
    for (const [j, other] of ids.entries()) {
      if (other === id) {
        peers.push(`${id}=127.0.0.1:${ports[i]}`);
        continue;
      }
      const proxy = await startProxy(ports[j]!);
      proxies.set(`${id}->${other}`, proxy);
      peers.push(`${other}=127.0.0.1:${proxy.port}`);
    }
    const stderr = openSync(join(root, `${id}.log`), 'a');
    children.push(spawn(process.execPath, [binPath, 'log-node', '--id', id, '--listen', `127.0.0.1:${ports[i]}`, '--dir', join(root, id), '--peers', peers.join(','), '--log-level', 'info'], { stdio: ['ignore', 'ignore', stderr] }));
    closeSync(stderr);
  }
  const nodes = ports.map((port) => `127.0.0.1:${port}`);
  // Status goes to the nodes directly, never through the proxies.
  const client = new LogClient({ nodes, timings: { requestTimeoutMs: 2000, appendTimeoutMs: 8000 } });
  return {
    client, proxies, nodes,
    /** Every node's logged role changes and vote grants, in time order (printed on failure). */
    elections: () => ids
      .flatMap((id) => readFileSync(join(root, `${id}.log`), 'utf8').split('\n'))
      .filter((line) => line.includes('raft role changed') || line.includes('vote granted'))
      .sort()
      .join('\n'),
    async close() {
      client.close();
      for (const child of children) child.kill('SIGKILL');
      for (const proxy of proxies.values()) await proxy.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function waitForLeader(client: LogClient, timeoutMs: number): Promise<NodeStatus> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const statuses = await client.statusAll();
    const leader = statuses.find((status) => status?.role === 'leader');
    if (leader && statuses.every((status) => status?.term === leader.term && status.leaderId === leader.id)) return leader;
    await sleep(50);
  }
  throw new Error(`no leader within ${timeoutMs} ms`);
}

describe('three log nodes with every peer link through a proxy', () => {
  it('keep their leader; a stalled link costs a pre-vote, which status reports, and no term', async () => {
    const cluster = await startProxiedCluster();
    cleanups.push(async (failed) => {
      if (failed) console.error(`role changes and votes:\n${cluster.elections()}`);
      await cluster.close();
    });
    const leader = await waitForLeader(cluster.client, 20_000);
    await cluster.client.append('proxied', [Uint8Array.of(1)], { prevLsn: 0 });

    // Through proxies that keep forwarding, the leader holds (sampled without blocking the
    // proxies' event loop: a synchronous sampler stalls every link at once).
    for (let i = 0; i < 20; i++) {
      await sleep(100);
      const now = await cluster.client.status(cluster.nodes[['a', 'b', 'c'].indexOf(leader.id)]!);
      expect(now).toMatchObject({ role: 'leader', term: leader.term });
    }

    // Stall both links into one follower for longer than the election timeout (300–600 ms).
    const follower = ['a', 'b', 'c'].find((id) => id !== leader.id)!;
    const followerAddress = cluster.nodes[['a', 'b', 'c'].indexOf(follower)]!;
    const intoFollower = [...cluster.proxies].filter(([name]) => name.endsWith(`->${follower}`)).map(([, proxy]) => proxy);
    for (const proxy of intoFollower) proxy.hold();
    let seen: NodeStatus | null = null;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      seen = await cluster.client.status(followerAddress);
      if (seen.role !== 'follower') break;
      await sleep(50);
    }
    // It asks for pre-votes (nobody grants them while the leader is alive): that is not an
    // election, and status says so.
    expect(seen).toMatchObject({ role: 'candidate', campaignPhase: 'pre-vote', term: leader.term, leaderId: null });
    await sleep(700);
    for (const proxy of intoFollower) proxy.release();
    const after = await waitForLeader(cluster.client, 10_000);
    expect(after).toMatchObject({ id: leader.id, term: leader.term });
  }, 60_000);
});
