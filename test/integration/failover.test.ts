// Leases and failover with real processes (issue 6): the role comes from the log only; a dead,
// paused or cut-off primary is replaced; the old one never serves again until it rejoins as a
// replica; nothing acknowledged is lost.
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { LinkProxy } from '../../jepsen-style/net/proxy.js';
import { client, info, waitFor, logClusterForFile } from '../helpers/db-nodes.js';
import type { KeelProcess } from '../helpers/server.js';

const fixture = logClusterForFile();
const nodes = fixture.nodes;


/** Writes `prefix:i` keys one after another to whichever node is primary, recording acks and the gap. */
class SteadyWriter {
  readonly acknowledged: string[] = [];
  private running = true;
  lastAckMs = 0;
  longestGapMs = 0;
  private loop: Promise<void>;

  constructor(private readonly prefix: string, private readonly candidates: KeelProcess[]) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const clients = new Map<KeelProcess, Redis>();
    let i = 0;
    while (this.running) {
      for (const server of this.candidates) {
        if (!this.running) break;
        let redis = clients.get(server);
        try {
          if (!redis) {
            redis = client(server);
            clients.set(server, redis);
            await redis.connect();
          }
          const key = `${this.prefix}:${i}`;
          await redis.set(key, String(i));
          const now = Date.now();
          if (this.lastAckMs > 0) this.longestGapMs = Math.max(this.longestGapMs, now - this.lastAckMs);
          this.lastAckMs = now;
          this.acknowledged.push(key);
          i++;
          break;
        } catch {
          redis?.disconnect();
          clients.delete(server);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
    for (const redis of clients.values()) redis.disconnect();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

async function expectAllPresent(server: KeelProcess, keys: string[]): Promise<void> {
  const reader = client(server);
  await reader.connect();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const values = await reader.mget(...chunk);
    const missing = chunk.filter((_, index) => values[index] === null);
    expect(missing).toEqual([]);
  }
  reader.disconnect();
}

describe('election, leases and failover', () => {
  it('a lone node on an empty log becomes primary; the next follows it; ROLE and INFO name the primary', async () => {
    const first = await nodes.startPrimary('e-1', ['--shard', '10']);
    const second = await nodes.start('e-2', ['--shard', '10']);
    await waitFor(() => info(second, 'master_port'), (port) => port === String(first.port));
    expect(await info(second, 'role')).toBe('slave');
    const redis = client(second);
    await redis.connect();
    expect(await redis.role()).toEqual(['slave', '127.0.0.1', first.port, 'connected', expect.any(Number)]);
    redis.disconnect();
  }, 60_000);

  it('kill -9 of the primary under a write load: a replica takes over, every acknowledged write is present', async () => {
    const primary = await nodes.startPrimary('k-1', ['--shard', '11']);
    const replica = await nodes.start('k-2', ['--shard', '11']);
    await waitFor(() => info(replica, 'role'), (role) => role === 'slave');
    const writer = new SteadyWriter('k', [primary, replica]);
    await waitFor(async () => writer.acknowledged.length, (count) => count >= 200);
    primary.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(async () => writer.lastAckMs, (lastAck) => lastAck > killedAt, 20_000);
    await waitFor(async () => writer.acknowledged.length, (count) => count >= 400);
    await writer.stop();
    console.log(`failover after kill -9: longest gap between acknowledged writes ${writer.longestGapMs} ms`);
    expect(await info(replica, 'role')).toBe('master');
    await expectAllPresent(replica, writer.acknowledged);
  }, 90_000);

  it('a primary paused beyond its lease is replaced; after SIGCONT it serves nothing and rejoins as a replica', async () => {
    const primary = await nodes.startPrimary('p-1', ['--shard', '12']);
    const replica = await nodes.start('p-2', ['--shard', '12']);
    await waitFor(() => info(replica, 'role'), (role) => role === 'slave');
    const old = client(primary);
    await old.connect();
    await old.set('k', 'before');
    primary.kill('SIGSTOP');
    try {
      await waitFor(() => info(replica, 'role'), (role) => role === 'master', 15_000);
      const fresh = client(replica);
      await fresh.connect();
      await fresh.set('k', 'after');
      // Sent while the old primary is paused: processed the moment it wakes up.
      const staleRead = old.get('k').then((value) => value, (error: Error) => `error: ${error.message}`);
      const staleWrite = old.set('k', 'stale').then((value) => value, (error: Error) => `error: ${error.message}`);
      primary.kill('SIGCONT');
      expect(await staleRead).toMatch(/^error: (TRYAGAIN|LOADING|READONLY)/);
      expect(await staleWrite).toMatch(/^error: (TRYAGAIN|LOADING|READONLY)/);
      await waitFor(() => info(primary, 'role'), (role) => role === 'slave');
      await waitFor(() => old.get('k'), (value) => value === 'after');
      expect(await fresh.get('k')).toBe('after');
      fresh.disconnect();
    } finally {
      primary.kill('SIGCONT');
      old.disconnect();
    }
  }, 90_000);

  it('a primary cut off from the log stops serving and rejoins as a replica when healed', async () => {
    const proxies = await Promise.all(fixture.cluster.nodeList.map((address, index) => {
      const [host, port] = address.split(':');
      return LinkProxy.start({ name: `db->log-${index}`, targetHost: host!, targetPort: Number(port), stopAfterMs: 120_000 });
    }));
    try {
      const primary = await nodes.startPrimary('c-1', ['--shard', '13'], { logNodes: proxies.map((proxy) => `127.0.0.1:${proxy.port}`) });
      const replica = await nodes.start('c-2', ['--shard', '13']);
      await waitFor(() => info(replica, 'role'), (role) => role === 'slave');
      const old = client(primary);
      await old.connect();
      await old.set('k', 'before');
      for (const proxy of proxies) proxy.blackhole('both');
      await waitFor(() => info(replica, 'role'), (role) => role === 'master', 15_000).catch((error: Error) => {
        throw new Error(`${error.message}\nreplica log:\n${replica.stderr().slice(-4000)}\nprimary log:\n${primary.stderr().slice(-3000)}`);
      });
      expect(await old.get('k').catch((error: Error) => `error: ${error.message}`)).toMatch(/^error: (TRYAGAIN|LOADING|READONLY)/);
      expect(await old.set('k', 'stale').catch((error: Error) => `error: ${error.message}`)).toMatch(/^error: (TRYAGAIN|LOADING|READONLY)/);
      for (const proxy of proxies) proxy.heal();
      await waitFor(() => info(primary, 'role'), (role) => role === 'slave', 30_000);
      old.disconnect();
    } finally {
      await Promise.all(proxies.map((proxy) => proxy.close()));
    }
  }, 90_000);

  it('a replica killed and restarted catches up', async () => {
    const primary = await nodes.startPrimary('r-1', ['--shard', '14']);
    const dir = (await import('../helpers/server.js')).tempDir();
    let replica = await nodes.start('r-2', ['--shard', '14'], { dir });
    const writer = client(primary);
    await writer.connect();
    for (let i = 0; i < 100; i++) await writer.rpush('list', String(i));
    replica.kill('SIGKILL');
    for (let i = 100; i < 200; i++) await writer.rpush('list', String(i));
    replica = await nodes.start('r-2', ['--shard', '14'], { dir });
    const lastLsn = Number(await info(primary, 'keel_last_lsn'));
    await waitFor(() => info(replica, 'keel_applied_lsn'), (lsn) => Number(lsn) >= lastLsn);
    const reader = client(replica);
    await reader.connect();
    expect(await reader.llen('list')).toBe(200);
    writer.disconnect();
    reader.disconnect();
  }, 60_000);

  it('FAILOVER hands over to a replica without losing an acknowledged write', async () => {
    const primary = await nodes.startPrimary('f-1', ['--shard', '15']);
    const replica = await nodes.start('f-2', ['--shard', '15']);
    await waitFor(() => info(primary, 'connected_slaves'), (count) => count === '1');
    const redis = client(primary);
    await redis.connect();
    for (let i = 0; i < 50; i++) await redis.set(`f:${i}`, String(i));
    expect(await redis.call('FAILOVER')).toBe('OK');
    await waitFor(() => info(replica, 'role'), (role) => role === 'master', 10_000);
    await waitFor(() => info(primary, 'role'), (role) => role === 'slave', 10_000);
    await expectAllPresent(replica, Array.from({ length: 50 }, (_, i) => `f:${i}`));
    await expect(redis.call('FAILOVER')).rejects.toThrow('ERR FAILOVER is not valid when server is a replica.');
    redis.disconnect();
  }, 60_000);
});
