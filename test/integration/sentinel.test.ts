// Unmodified clients in Sentinel mode against `keel up`'s Sentinel endpoint: ioredis and
// node-redis find the primary, and follow it through a planned failover (`keel failover`) and
// through kill -9 of the primary, with no code change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { keelBin } from '../helpers/server.js';
import { clusterDiagnostics, startUp, tempClusterDir, waitUntil, type UpProcess } from '../cluster/up-helpers.js';

const run = promisify(execFile);
let up: UpProcess;
const closers: Array<() => unknown> = [];

function sentinelClient(): Redis {
  const client = new Redis({ sentinels: [{ host: '127.0.0.1', port: up.sentinelPort }], name: 'keel', lazyConnect: true });
  client.on('error', () => { /* connection errors while the primary changes are expected */ });
  closers.push(() => client.disconnect());
  return client;
}

async function sentinelAsk(...args: string[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port: up.sentinelPort, lazyConnect: true });
  try {
    await client.connect();
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

async function currentPrimary(): Promise<string> {
  const [host, port] = (await sentinelAsk('SENTINEL', 'get-master-addr-by-name', 'keel')) as [string, string];
  return `${host}:${port}`;
}

/** Retries a write until it is acknowledged (clients may fail some while the primary changes). */
async function writeUntilAcknowledged(write: () => Promise<unknown>, timeoutMs = 20_000): Promise<void> {
  await waitUntil(async () => write().then(() => true, () => false), timeoutMs, 'a write is acknowledged');
}

beforeAll(async () => {
  up = await startUp(tempClusterDir());
}, 60_000);

afterAll(async () => {
  for (const close of closers) await Promise.resolve(close()).catch(() => undefined);
  up?.child.kill('SIGINT');
  await up?.exited;
});

describe('Sentinel endpoint', () => {
  it('answers the Sentinel commands clients use', async () => {
    const primary = await currentPrimary();
    const layout = up.layout();
    expect(layout.dbNodes.map((node) => node.addr)).toContain(primary);
    expect(await sentinelAsk('PING')).toBe('PONG');
    const masters = (await sentinelAsk('SENTINEL', 'masters')) as string[][];
    expect(masters).toHaveLength(1);
    const fields = Object.fromEntries(masters[0]!.reduce<string[][]>((pairs, value, index) => (index % 2 ? pairs[pairs.length - 1]!.push(value) : pairs.push([value]), pairs), []));
    expect(fields).toMatchObject({ name: 'keel', ip: '127.0.0.1', port: primary.split(':')[1], flags: 'master', 'num-slaves': '1' });
    const replicas = (await sentinelAsk('SENTINEL', 'replicas', 'keel')) as string[][];
    expect(replicas).toHaveLength(1);
    expect(replicas[0]).toContain('slave');
    expect(await sentinelAsk('SENTINEL', 'sentinels', 'keel')).toEqual([]);
    expect(await sentinelAsk('SENTINEL', 'get-master-addr-by-name', 'nope')).toBeNull();
    expect(String(await sentinelAsk('INFO'))).toMatch(new RegExp(`master0:name=keel,status=ok,address=${primary}`));
  });

  it('ioredis and node-redis in Sentinel mode follow a planned failover and a kill -9 of the primary', async () => {
    const ioredis = sentinelClient();
    await ioredis.connect();
    const nodeRedis = createSentinel({ name: 'keel', sentinelRootNodes: [{ host: '127.0.0.1', port: up.sentinelPort }] });
    nodeRedis.on('error', () => { /* reconnections are expected here */ });
    await nodeRedis.connect();
    closers.push(() => nodeRedis.close());
    const watcher = new Redis({ host: '127.0.0.1', port: up.sentinelPort });
    closers.push(() => watcher.disconnect());
    const switches: string[] = [];
    watcher.on('message', (channel: string, message: string) => { if (channel === '+switch-master') switches.push(message); });
    await watcher.subscribe('+switch-master');

    const first = await currentPrimary();
    await ioredis.set('io', '1');
    await nodeRedis.set('nr', '1');
    expect(await ioredis.info('replication')).toContain('role:master');

    // Planned failover.
    const { stdout } = await run(process.execPath, [keelBin, 'failover', '--dir', up.dir], { timeout: 30_000 });
    expect(stdout).toMatch(/is the primary now; was/);
    const second = await currentPrimary();
    expect(second).not.toBe(first);
    await waitUntil(() => switches.length >= 1, 5_000, '+switch-master published');
    expect(switches[0]).toBe(`keel ${first.replace(':', ' ')} ${second.replace(':', ' ')}`);
    await writeUntilAcknowledged(() => ioredis.set('io', '2'));
    await writeUntilAcknowledged(() => nodeRedis.set('nr', '2'));
    expect(await ioredis.get('io')).toBe('2');
    expect(await nodeRedis.get('nr')).toBe('2');
    expect(await ioredis.info('replication')).toContain(`keel_node_id:${up.layout().dbNodes.find((node) => node.addr === second)!.id}`);

    // kill -9 of the primary: the other node takes over (the supervisor restarts the dead one).
    const victim = up.layout().dbNodes.find((node) => node.addr === second)!;
    process.kill(victim.pid!, 'SIGKILL');
    await waitUntil(async () => (await currentPrimary().catch(() => second)) !== second, 20_000, 'a new primary after kill -9')
      .catch((error: Error) => { throw new Error(`${error.message}\n${clusterDiagnostics(up)}`); });
    const third = await currentPrimary();
    await waitUntil(() => switches.length >= 2, 5_000, 'second +switch-master published');
    expect(switches[1]).toBe(`keel ${second.replace(':', ' ')} ${third.replace(':', ' ')}`);
    await writeUntilAcknowledged(() => ioredis.set('io', '3'));
    await writeUntilAcknowledged(() => nodeRedis.set('nr', '3'));
    expect(await ioredis.get('io')).toBe('3');
    expect(await nodeRedis.get('nr')).toBe('3');
    expect(await ioredis.get('nr')).toBe('3');
  }, 90_000);
});
