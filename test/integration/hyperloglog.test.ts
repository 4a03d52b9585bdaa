// HyperLogLog end to end through ioredis and node-redis against a real keel server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startKeel, type KeelProcess } from '../helpers/server.js';

let keel: KeelProcess;
beforeAll(async () => { keel = await startKeel(); });
afterAll(async () => { await keel?.stop(); });

describe('HyperLogLog through ioredis', () => {
  it('counts, merges, is a string, and refuses strings that are not HLLs', async () => {
    const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
    for (let start = 0; start < 20_000; start += 2_000) {
      await client.pfadd('visitors', ...Array.from({ length: 2_000 }, (_, i) => `user:${start + i}`));
    }
    const count = await client.pfcount('visitors');
    expect(Math.abs(count - 20_000) / 20_000).toBeLessThan(0.0243);
    expect(await client.pfadd('visitors', 'user:1')).toBe(0);
    expect(await client.pfadd('others', 'user:1', 'someone-else')).toBe(1);
    expect(await client.pfmerge('all', 'visitors', 'others')).toBe('OK');
    expect(await client.pfcount('all')).toBe(await client.pfcount('visitors', 'others'));
    expect(await client.type('all')).toBe('string');
    const bytes = await client.getBuffer('all');
    expect(bytes!.subarray(0, 4).toString('latin1')).toBe('HYLL');
    await client.set('plain', 'hello');
    await expect(client.pfadd('plain', 'x')).rejects.toThrow('WRONGTYPE Key is not a valid HyperLogLog string value.');
    // A copy of the bytes is a valid HLL again (the value is just a string).
    await client.set('copy', bytes!);
    expect(await client.pfcount('copy')).toBe(await client.pfcount('all'));
    client.disconnect();
  });
});

describe('HyperLogLog through node-redis', () => {
  it('PFADD/PFCOUNT/PFMERGE in RESP2 and RESP3', async () => {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ socket: { port: keel.port, host: '127.0.0.1' }, RESP });
      await client.connect();
      const key = `nr-hll-${RESP}`;
      expect(await client.pfAdd(key, ['a', 'b', 'c'])).toBe(1);
      expect(await client.pfCount(key)).toBe(3);
      expect(await client.pfMerge(`${key}-merged`, [key])).toBe('OK');
      expect(await client.pfCount(`${key}-merged`)).toBe(3);
      await client.quit();
    }
  });
});
