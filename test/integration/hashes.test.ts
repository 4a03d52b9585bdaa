// Hash commands through real clients (ioredis and node-redis) against a real keel server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startKeel, type KeelProcess } from '../helpers/server.js';

let keel: KeelProcess;
beforeAll(async () => { keel = await startKeel(); }, 60_000);
afterAll(async () => { await keel.stop(); });

describe('hashes through ioredis', () => {
  it('set, get, increment, delete and scan', async () => {
    const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true });
    await client.connect();
    expect(await client.hset('h', { a: '1', b: '2' })).toBe(2);
    expect(await client.hmset('h', 'c', '3')).toBe('OK');
    expect(await client.hsetnx('h', 'a', 'x')).toBe(0);
    expect(await client.hgetall('h')).toEqual({ a: '1', b: '2', c: '3' });
    expect(await client.hmget('h', 'a', 'nope')).toEqual(['1', null]);
    expect(await client.hincrby('h', 'a', 41)).toBe(42);
    expect(await client.hincrbyfloat('h', 'f', '0.1')).toBe('0.1');
    expect(await client.hincrbyfloat('h', 'f', '0.2')).toBe('0.3');
    expect(await client.hstrlen('h', 'f')).toBe(3);
    expect(await client.hdel('h', 'b', 'c', 'nope')).toBe(2);
    expect(await client.hkeys('h')).toEqual(['a', 'f']);
    expect(await client.hvals('h')).toEqual(['42', '0.3']);
    expect(await client.hlen('h')).toBe(2);
    expect(await client.hexists('h', 'a')).toBe(1);
    const random = await client.hrandfield('h', -5, 'WITHVALUES') as string[];
    expect(random.length).toBe(10);
    await expect(client.hincrby('h', 'f', 1)).rejects.toThrow('ERR hash value is not an integer');

    const fields: Record<string, string> = {};
    for (let i = 0; i < 500; i++) fields[`field:${i}`] = String(i);
    await client.hset('big', fields);
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const stream = client.hscanStream('big', { count: 50 });
      stream.on('data', (items: string[]) => { for (let i = 0; i < items.length; i += 2) seen.add(items[i]!); });
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    expect(seen.size).toBe(500);
    expect(await client.object('ENCODING', 'big')).toBe('hashtable');
    await client.quit();
  });
});

describe('hashes through node-redis', () => {
  it('HGETALL as a map in RESP3 and RESP2, HRANDFIELD with values, HSCAN iteration', async () => {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ socket: { port: keel.port, host: '127.0.0.1' }, RESP });
      await client.connect();
      const key = `nr-hash-${RESP}`;
      expect(await client.hSet(key, { x: '1', y: '2' })).toBe(2);
      const all = await client.hGetAll(key);
      expect({ ...all }).toEqual({ x: '1', y: '2' });
      const pairs = await client.hRandFieldCountWithValues(key, 2);
      expect(pairs.map((pair: { field: string; value: string }) => `${pair.field}=${pair.value}`).sort()).toEqual(['x=1', 'y=2']);
      const scanned: string[] = [];
      for await (const entries of client.hScanIterator(key)) {
        for (const entry of entries) scanned.push(entry.field);
      }
      expect(scanned.sort()).toEqual(['x', 'y']);
      expect(await client.hIncrByFloat(key, 'z', 1.5)).toBe('1.5');
      await client.quit();
    }
  });
});
