// Sorted sets end to end through ioredis and node-redis (RESP2 and RESP3), including blocking
// pops served across clients, against a real keel server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startKeel, type KeelProcess } from '../helpers/server.js';

let keel: KeelProcess;
const clients: Redis[] = [];
beforeAll(async () => { keel = await startKeel(); });
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await keel?.stop();
});

async function ioredis(): Promise<Redis> {
  const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  clients.push(client);
  return client;
}

async function waitBlocked(observer: Redis, command: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const list = await observer.client('LIST') as string;
    if (list.split('\n').some((line) => line.includes(`cmd=${command}`) && /flags=\S*b/.test(line))) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never saw a client blocked in ${command}`);
}

describe('sorted sets through ioredis', () => {
  it('adds, ranges with scores, counts, increments and pops', async () => {
    const client = await ioredis();
    expect(await client.zadd('z', 1, 'a', 2, 'b', 3, 'c', '1e20', 'big', '-inf', 'low')).toBe(5);
    expect(await client.zrange('z', 0, -1, 'WITHSCORES')).toEqual(['low', '-inf', 'a', '1', 'b', '2', 'c', '3', 'big', '1e+20']);
    expect(await client.zrange('z', '(1', '+inf', 'BYSCORE', 'LIMIT', 1, 2)).toEqual(['c', 'big']);
    expect(await client.zrevrangebyscore('z', 3, '(1')).toEqual(['c', 'b']);
    expect(await client.zcount('z', '-inf', '(3')).toBe(3);
    expect(await client.zincrby('z', '0.1', 'a')).toBe('1.1');
    expect(await client.zincrby('z', '0.2', 'a')).toBe('1.3');
    expect(await client.zscore('z', 'a')).toBe('1.3');
    expect(await client.zrank('z', 'c')).toBe(3);
    expect(await client.zpopmin('z', 2)).toEqual(['low', '-inf', 'a', '1.3']);
    expect(await client.zunionstore('u', 2, 'z', 'z', 'WEIGHTS', 1, 2)).toBe(3);
    expect(await client.zrange('u', 0, -1, 'WITHSCORES')).toEqual(['b', '6', 'c', '9', 'big', '3e+20']);
    expect(await client.zadd('u', 'GT', 'CH', 5, 'b', 10, 'c')).toBe(1);
    expect(await client.zrangestore('copy', 'u', 0, 0)).toBe(1);
    expect(await client.zrange('copy', 0, -1)).toEqual(['b']);
    await client.set('str', 'v');
    await expect(client.zadd('str', 1, 'a')).rejects.toThrow('WRONGTYPE');
    await expect(client.zadd('z', 'nan', 'a')).rejects.toThrow('ERR value is not a valid float');
  });

  it('a blocked BZPOPMIN is served by a later ZADD; BZMPOP times out with null', async () => {
    const [waiter, writer] = await Promise.all([ioredis(), ioredis()]);
    const pending = waiter.bzpopmin('jobs', 'other', 0);
    await waitBlocked(writer, 'bzpopmin');
    await writer.zadd('jobs', 5, 'late', 1, 'early');
    expect(await pending).toEqual(['jobs', 'early', '1']);
    expect(await writer.zrange('jobs', 0, -1)).toEqual(['late']);
    const started = Date.now();
    expect(await waiter.call('BZMPOP', '0.2', '1', 'nothing', 'MAX')).toBe(null);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const popMax = waiter.call('BZMPOP', '0', '2', 'nothing', 'jobs2', 'MAX', 'COUNT', '2');
    await waitBlocked(writer, 'bzmpop');
    await writer.zadd('jobs2', 1, 'x', 2, 'y', 3, 'z');
    expect(await popMax).toEqual(['jobs2', [['z', '3'], ['y', '2']]]);
  });

  it('ZSCAN streams every member of a large sorted set', async () => {
    const client = await ioredis();
    const args: (string | number)[] = [];
    for (let i = 0; i < 600; i++) args.push(i, `m${i}`);
    await client.zadd('bigz', ...args);
    expect(await client.object('ENCODING', 'bigz')).toBe('skiplist');
    const seen = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      const stream = client.zscanStream('bigz', { count: 50 });
      stream.on('data', (flat: string[]) => { for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!); });
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    expect(seen.size).toBe(600);
    expect(seen.get('m599')).toBe('599');
  });
});

describe('sorted sets through node-redis', () => {
  it('RESP2 and RESP3: scores as numbers, pops, random members, scan iterator', async () => {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ socket: { port: keel.port, host: '127.0.0.1' }, RESP });
      await client.connect();
      const key = `nr-z-${RESP}`;
      expect(await client.zAdd(key, [{ score: 1.5, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }])).toBe(3);
      expect(await client.zRangeWithScores(key, 0, -1)).toEqual([
        { value: 'a', score: 1.5 }, { value: 'b', score: 2 }, { value: 'c', score: 3 },
      ]);
      expect(await client.zScore(key, 'a')).toBe(1.5);
      // node-redis's RESP3 decoder builds doubles digit by digit (1.7500000000000002).
      expect(await client.zIncrBy(key, 0.25, 'a')).toBeCloseTo(1.75, 12);
      expect(await client.sendCommand(['ZSCORE', key, 'a'])).toEqual(RESP === 2 ? '1.75' : expect.closeTo(1.75, 12));
      expect(await client.zPopMax(key)).toEqual({ value: 'c', score: 3 });
      const random = await client.zRandMemberCountWithScores(key, 5);
      expect(random.map((item: { value: string }) => item.value).sort()).toEqual(['a', 'b']);
      const scanned: string[] = [];
      for await (const batch of client.zScanIterator(key)) for (const item of batch) scanned.push(item.value);
      expect(scanned.sort()).toEqual(['a', 'b']);
      await client.quit();
    }
  });
});
