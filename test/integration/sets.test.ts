// Sets end to end through ioredis and node-redis (RESP2 and RESP3) against a real keel server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startKeel, type KeelProcess } from '../helpers/server.js';

let keel: KeelProcess;
beforeAll(async () => { keel = await startKeel(); });
afterAll(async () => { await keel?.stop(); });

async function ioredis(): Promise<Redis> {
  const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  return client;
}

describe('sets through ioredis', () => {
  it('membership, algebra, intset order, SPOP and errors', async () => {
    const client = await ioredis();
    expect(await client.sadd('nums', '10', '-2', '7', '3')).toBe(4);
    expect(await client.smembers('nums')).toEqual(['-2', '3', '7', '10']);
    expect(await client.object('ENCODING', 'nums')).toBe('intset');
    expect(await client.sismember('nums', '7')).toBe(1);
    expect(await client.smismember('nums', '7', '8')).toEqual([1, 0]);
    await client.sadd('more', '3', '7', '99');
    expect(await client.sinter('nums', 'more')).toEqual(['3', '7']);
    expect(await client.sunion('nums', 'more')).toEqual(['-2', '3', '7', '10', '99']);
    expect(await client.sdiff('nums', 'more')).toEqual(['-2', '10']);
    expect(await client.sintercard(2, 'nums', 'more')).toBe(2);
    expect(await client.sinterstore('both', 'nums', 'more')).toBe(2);
    expect(await client.smembers('both')).toEqual(['3', '7']);
    expect(await client.smove('both', 'moved', '3')).toBe(1);
    expect(await client.scard('both')).toBe(1);
    const popped = await client.spop('nums', 2);
    expect(popped).toHaveLength(2);
    expect(await client.scard('nums')).toBe(2);
    expect(await client.spop('nums', 10)).toHaveLength(2);
    expect(await client.exists('nums')).toBe(0);
    await client.set('str', 'v');
    await expect(client.sadd('str', 'x')).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
    await expect(client.spop('more', -1)).rejects.toThrow('ERR value is out of range, must be positive');
    client.disconnect();
  });

  it('SSCAN streams every member of a large set', async () => {
    const client = await ioredis();
    await client.sadd('big', ...Array.from({ length: 1000 }, (_, i) => `member-${i}`));
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const stream = client.sscanStream('big', { count: 100 });
      stream.on('data', (members: string[]) => members.forEach((m) => seen.add(m)));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    expect(seen.size).toBe(1000);
    expect(await client.object('ENCODING', 'big')).toBe('hashtable');
    client.disconnect();
  });
});

describe('sets through node-redis', () => {
  it('RESP2 and RESP3: set replies, SRANDMEMBER counts, SSCAN iterator', async () => {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ socket: { port: keel.port, host: '127.0.0.1' }, RESP });
      await client.connect();
      const key = `nr-set-${RESP}`;
      expect(await client.sAdd(key, ['b', 'a', 'c'])).toBe(3);
      const members = await client.sMembers(key);
      expect([...members].sort()).toEqual(['a', 'b', 'c']);
      expect(await client.sRandMemberCount(key, -5)).toHaveLength(5);
      expect(await client.sIsMember(key, 'a')).toBe(1);
      const scanned: string[] = [];
      for await (const batch of client.sScanIterator(key)) scanned.push(...batch);
      expect(scanned.sort()).toEqual(['a', 'b', 'c']);
      expect(await client.sRem(key, ['a', 'b', 'c'])).toBe(3);
      expect(await client.exists(key)).toBe(0);
      await client.quit();
    }
  });
});
