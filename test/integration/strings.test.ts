// String and bit commands end to end: a real keel server, real clients (ioredis, node-redis v5
// over RESP2 and RESP3), binary-safe values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startKeel, type KeelProcess } from '../helpers/server.js';

let keel: KeelProcess;
beforeAll(async () => { keel = await startKeel(); });
afterAll(async () => { await keel.stop(); });

describe('strings through ioredis', () => {
  it('round-trips binary values and ranges', async () => {
    const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
    const binary = Buffer.from([0xff, 0x00, 0x80, 0x0a, 0x0d, 0xc3]);
    expect(await client.set('io-bin', binary)).toBe('OK');
    expect(await client.getBuffer('io-bin')).toEqual(binary);
    expect(await client.append('io-bin', Buffer.from([0xfe]))).toBe(7);
    expect(await client.getrangeBuffer('io-bin', -2, -1)).toEqual(Buffer.from([0xc3, 0xfe]));
    expect(await client.setrange('io-bin', 10, 'x')).toBe(11);
    expect(await client.strlen('io-bin')).toBe(11);
    expect(await client.mset('io-a', '1', 'io-b', '2')).toBe('OK');
    expect(await client.mget('io-a', 'io-missing', 'io-b')).toEqual(['1', null, '2']);
    expect(await client.msetnx('io-a', 'x', 'io-c', 'y')).toBe(0);
    expect(await client.incrbyfloat('io-f', '1000')).toBe('1000');
    expect(await client.incrbyfloat('io-f', '0.1')).toBe('1000.09999999999999998'); // as Redis on x86-64
    expect(await client.getex('io-a', 'EX', 100)).toBe('1');
    expect(await client.ttl('io-a')).toBe(100);
    expect(await client.getdel('io-a')).toBe('1');
    expect(await client.exists('io-a')).toBe(0);
    await client.set('lcs1', 'ohmytext');
    await client.set('lcs2', 'mynewtext');
    expect(await client.call('LCS', 'lcs1', 'lcs2', 'IDX', 'WITHMATCHLEN')).toEqual(['matches', [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], 'len', 6]);
    await expect(client.incrbyfloat('io-bin', '1')).rejects.toThrow('ERR value is not a valid float');
    client.disconnect();
  });

  it('runs bit commands, and a MULTI of string writes atomically', async () => {
    const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
    expect(await client.setbit('io-bits', 7, 1)).toBe(0);
    expect(await client.getbit('io-bits', 7)).toBe(1);
    expect(await client.bitcount('io-bits')).toBe(1);
    expect(await client.bitpos('io-bits', 1)).toBe(7);
    expect(await client.call('BITFIELD', 'io-bits', 'SET', 'i32', '8', '-2147483648', 'GET', 'i32', '8', 'GET', 'u8', '#1')).toEqual([0, -2147483648, 128]);
    expect(await client.bitop('NOT', 'io-not', 'io-bits')).toBe(5);
    expect((await client.getBuffer('io-not'))![0]).toBe(0xfe);
    const results = await client.multi().set('io-m', '5').incrbyfloat('io-m', '0.5').setex('io-m2', 10, 'v').exec();
    expect(results).toEqual([[null, 'OK'], [null, '5.5'], [null, 'OK']]);
    client.disconnect();
  });
});

describe('strings through node-redis', () => {
  it('behaves the same over RESP2 and RESP3', async () => {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ socket: { port: keel.port, host: '127.0.0.1' }, RESP });
      client.on('error', () => {}); // the assertions report failures; keep shutdown quiet
      await client.connect();
      try {
        const key = `nr-str-${RESP}`;
        expect(await client.set(key, 'hello', { expiration: { type: 'PX', value: 60_000 } })).toBe('OK');
        expect(await client.getEx(key, { type: 'PERSIST' })).toBe('hello');
        expect(await client.pTTL(key)).toBe(-1);
        expect(await client.setNX(key, 'other')).toBe(0);
        expect(await client.getSet(key, 'world')).toBe('hello');
        expect(await client.getRange(key, 1, 3)).toBe('orl');
        expect(await client.incrByFloat(`${key}-f`, 2.5)).toBe('2.5');
        expect(await client.bitCount(key, { start: 0, end: -1, mode: 'BIT' })).toBe(23);
        expect(await client.lcsLen(key, `${key}-missing`)).toBe(0);
        expect(await client.lcsIdx(key, key)).toEqual({ matches: [[[0, 4], [0, 4]]], len: 5 });
      } finally {
        await client.close();
      }
    }
  });
});
