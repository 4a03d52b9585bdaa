// The Sentinel endpoint against fake db nodes whose INFO replication the test controls: what it
// answers, and what it publishes when the primary changes or a node stops answering.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Redis } from 'ioredis';
import { Discovery } from '../../src/cluster/discovery.js';
import { SentinelServer } from '../../src/cluster/sentinel-server.js';
import { defaultClusterLimits } from '../../src/cluster/limits.js';
import { RespClient } from '../../src/cluster/resp-client.js';
import { waitUntil } from './up-helpers.js';

interface FakeNode {
  addr: string;
  info: string;
  commands: string[];
  close(): Promise<void>;
}

const primaryInfo = (id: string, epoch: number) => `# Replication\r\nrole:master\r\nkeel_node_id:${id}\r\nkeel_state:serving\r\nkeel_epoch:${epoch}\r\nkeel_committed_lsn:7\r\n`;
const replicaInfo = (id: string, epoch: number) => `# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:1\r\nkeel_node_id:${id}\r\nkeel_state:serving\r\nkeel_epoch:${epoch}\r\nkeel_applied_lsn:7\r\nkeel_lag_entries:0\r\n`;

/** A TCP server that answers every command with its current `info` text (as a bulk string). */
async function fakeNode(info: string): Promise<FakeNode> {
  const sockets = new Set<net.Socket>();
  const node: FakeNode = { addr: '', info, commands: [], close: async () => { for (const socket of sockets) socket.destroy(); await new Promise((resolve) => server.close(resolve)); } };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      // Commands arrive as RESP arrays; count them by their `*` headers and answer each.
      const text = chunk.toString('latin1');
      const requests = text.split(/(?=\*\d+\r\n)/).filter((part) => part.startsWith('*'));
      for (const request of requests) {
        node.commands.push(request.split('\r\n').filter((_, index) => index > 0 && index % 2 === 0).join(' '));
        socket.write(`$${Buffer.byteLength(node.info)}\r\n${node.info}\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  node.addr = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return node;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ a: FakeNode; b: FakeNode; sentinel: SentinelServer; discovery: Discovery }> {
  const a = await fakeNode(primaryInfo('db-1', 1));
  const b = await fakeNode(replicaInfo('db-2', 1));
  const discovery = new Discovery({ nodes: [{ id: 'db-1', addr: a.addr }, { id: 'db-2', addr: b.addr }], pollMs: 20, requestTimeoutMs: 200 });
  const sentinel = new SentinelServer({ host: '127.0.0.1', port: 0, masterName: 'keel', discovery, limits: defaultClusterLimits });
  await sentinel.listen();
  discovery.start();
  cleanups.push(() => a.close(), () => b.close(), () => sentinel.close(), () => discovery.stop());
  await discovery.waitFor((topology) => topology.primary !== null, 2_000);
  return { a, b, sentinel, discovery };
}

describe('Sentinel endpoint (fake db nodes)', () => {
  it('names the primary, its replica, and itself as the only sentinel', async () => {
    const { a, b, sentinel } = await setup();
    const client = new RespClient('127.0.0.1', sentinel.port, 1_000);
    cleanups.push(() => client.close());
    expect(await client.call('SENTINEL', 'get-master-addr-by-name', 'keel')).toEqual(a.addr.split(':'));
    const replicas = (await client.call('SENTINEL', 'replicas', 'keel')) as string[][];
    expect(replicas.map((fields) => fields[fields.indexOf('name') + 1])).toEqual([b.addr]);
    expect(await client.call('SENTINEL', 'sentinels', 'keel')).toEqual([]);
    expect(await client.call('ROLE')).toEqual(['sentinel', ['keel']]);
    expect(await client.call('SENTINEL', 'master', 'other')).toMatchObject({ message: 'ERR No such master with that name' });
  });

  it('publishes +sdown, then +switch-master with old and new addresses, and tells the old primary to drop its clients', async () => {
    const { a, b, sentinel } = await setup();
    const subscriber = new Redis({ host: '127.0.0.1', port: sentinel.port, lazyConnect: true });
    cleanups.push(() => subscriber.disconnect());
    const received: string[] = [];
    subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => received.push(`${channel} ${message}`));
    await subscriber.connect();
    await subscriber.psubscribe('[-+]sdown', '+switch-*');

    // The primary stops answering: +sdown, and Sentinel keeps naming it, flagged down.
    const [aHost, aPort] = a.addr.split(':');
    await a.close();
    await waitUntil(() => received.includes(`+sdown master keel ${aHost} ${aPort}`), 3_000, '+sdown');
    const probe = new RespClient('127.0.0.1', sentinel.port, 1_000);
    cleanups.push(() => probe.close());
    const master = (await probe.call('SENTINEL', 'master', 'keel')) as string[];
    expect(master[master.indexOf('flags') + 1]).toBe('master,s_down,o_down');
    expect(await probe.call('SENTINEL', 'get-master-addr-by-name', 'keel')).toEqual([aHost, aPort]);

    // The replica wins the election.
    b.info = primaryInfo('db-2', 2);
    const [bHost, bPort] = b.addr.split(':');
    await waitUntil(() => received.includes(`+switch-master keel ${aHost} ${aPort} ${bHost} ${bPort}`), 3_000, '+switch-master');
    expect(await probe.call('SENTINEL', 'get-master-addr-by-name', 'keel')).toEqual([bHost, bPort]);
  });

  it('speaks RESP3 after HELLO 3: maps and push messages', async () => {
    const { a, b, sentinel } = await setup();
    const socket = net.connect(sentinel.port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    let received = '';
    socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('HELLO 3\r\nSUBSCRIBE +switch-master\r\n');
    await waitUntil(() => received.includes('>3\r\n$9\r\nsubscribe\r\n'), 2_000, 'RESP3 subscribe confirmation');
    expect(received.startsWith('%7\r\n')).toBe(true);
    b.info = primaryInfo('db-2', 2);
    a.info = replicaInfo('db-1', 2);
    await waitUntil(() => received.includes('>3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n'), 3_000, 'RESP3 push message');
    await waitUntil(() => a.commands.some((command) => command === 'CLIENT KILL TYPE normal'), 2_000, 'CLIENT KILL to the old primary');
  });
});
