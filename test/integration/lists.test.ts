// List commands through real clients (ioredis and node-redis) against a real keel server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startKeel, type KeelProcess } from '../helpers/server.js';

let keel: KeelProcess;
beforeAll(async () => { keel = await startKeel(); }, 60_000);
afterAll(async () => { await keel.stop(); });

describe('lists through ioredis', () => {
  it('push, pop, range, index, insert, remove, trim and position', async () => {
    const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true });
    await client.connect();
    expect(await client.rpush('l', 'a', 'b', 'c')).toBe(3);
    expect(await client.lpush('l', 'z')).toBe(4);
    expect(await client.lrange('l', 0, -1)).toEqual(['z', 'a', 'b', 'c']);
    expect(await client.lindex('l', -1)).toBe('c');
    expect(await client.linsert('l', 'AFTER', 'a', 'a2')).toBe(5);
    expect(await client.lset('l', 0, 'Z')).toBe('OK');
    expect(await client.lpos('l', 'b')).toBe(3);
    expect(await client.lrem('l', 0, 'a2')).toBe(1);
    expect(await client.lpop('l', 2)).toEqual(['Z', 'a']);
    expect(await client.rpop('l')).toBe('c');
    expect(await client.ltrim('l', 0, 0)).toBe('OK');
    expect(await client.llen('l')).toBe(1);
    expect(await client.lmove('l', 'm', 'LEFT', 'RIGHT')).toBe('b');
    expect(await client.exists('l')).toBe(0);
    expect(await client.call('LMPOP', '2', 'l', 'm', 'LEFT', 'COUNT', '5')).toEqual(['m', ['b']]);
    expect(await client.lpop('l', 1)).toBe(null);
    await client.set('str', 'x');
    await expect(client.lpush('str', 'a')).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
    await expect(client.lset('missing', 0, 'x')).rejects.toThrow('ERR no such key');
    await client.quit();
  });

  it('pipelines 2k pushes and reads them back in order', async () => {
    const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true });
    await client.connect();
    const pipeline = client.pipeline();
    for (let i = 0; i < 2_000; i++) pipeline.rpush('many', `element-${i}`);
    const results = await pipeline.exec();
    const errors = new Set(results!.filter(([error]) => error !== null).map(([error]) => String(error)));
    expect([...errors]).toEqual([]);
    expect(await client.llen('many')).toBe(2_000);
    expect(await client.lrange('many', 1_998, -1)).toEqual(['element-1998', 'element-1999']);
    expect(await client.object('ENCODING', 'many')).toBe('quicklist');
    await client.quit();
  });
});

describe('lists through node-redis', () => {
  it('speaks RESP3 and RESP2 the same for lists', async () => {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ socket: { port: keel.port, host: '127.0.0.1' }, RESP });
      await client.connect();
      const key = `nr-list-${RESP}`;
      expect(await client.rPush(key, ['1', '2', '3'])).toBe(3);
      expect(await client.lRange(key, 0, -1)).toEqual(['1', '2', '3']);
      expect(await client.lPopCount(key, 2)).toEqual(['1', '2']);
      expect(await client.lPos(key, '3')).toBe(0);
      expect(await client.blPop(key, 0)).toEqual({ key, element: '3' });
      expect(await client.blPop(key, 0.05)).toBe(null);
      expect(await client.lmPop(key, 'LEFT')).toBe(null);
      await client.quit();
    }
  });
});
