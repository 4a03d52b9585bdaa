// Log-node peer links through a TCP proxy (the jepsen-style harness wires every link this
// way). A proxy accepts the connection before it has reached the node behind it, so a
// successful connect proves nothing about the peer.

import { createServer, connect, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerTransport } from '../../log-service/node/peer-transport.js';
import { freePorts } from './helpers/ports.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain forwarding proxy: accepts at once, then dials the target (as LinkProxy does). */
async function startProxy(targetPort: number): Promise<{ port: number; accepted: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { accepted: 0 };
  const server: Server = createServer((client) => {
    state.accepted += 1;
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
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
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
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
