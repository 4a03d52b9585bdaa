// Lists and hashes survive a restart: the server rebuilds them from the log, so this checks
// that every effect the list/hash commands log (including served blocking pops and
// HINCRBYFLOAT) replays to the same data set.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startKeel, tempDir, type KeelProcess } from '../helpers/server.js';

const running: KeelProcess[] = [];
afterAll(async () => { for (const keel of running) await keel.stop(); });

async function connect(keel: KeelProcess): Promise<Redis> {
  const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  return client;
}

async function snapshot(client: Redis): Promise<unknown> {
  return {
    queue: await client.lrange('queue', 0, -1),
    moved: await client.lrange('moved', 0, -1),
    gone: await client.exists('gone'),
    profile: await client.hgetall('profile'),
    encodingQueue: await client.object('ENCODING', 'queue'),
  };
}

describe('lists and hashes after a restart', () => {
  it('come back exactly as they were', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const first = await startKeel(['--dir', dir]);
    running.push(first);
    const client = await connect(first);
    const blocked = await connect(first);
    await client.rpush('queue', 'a', 'b', 'c', 'd', 'e');
    await client.lpush('queue', 'z');
    await client.linsert('queue', 'BEFORE', 'c', 'c0');
    await client.lset('queue', 1, 'A');
    await client.lrem('queue', 1, 'b');
    await client.lmove('queue', 'moved', 'RIGHT', 'LEFT');
    await client.call('LMPOP', '1', 'queue', 'LEFT', 'COUNT', '1');
    const waiting = blocked.blpop('gone', 0);
    for (let i = 0; i < 500 && !(await client.client('LIST') as string).includes('cmd=blpop'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.rpush('gone', 'only');
    expect(await waiting).toEqual(['gone', 'only']);
    await client.hset('profile', { name: 'ada', visits: '1' });
    await client.hincrby('profile', 'visits', 41);
    await client.hincrbyfloat('profile', 'score', '0.1');
    await client.hincrbyfloat('profile', 'score', '0.2');
    await client.hdel('profile', 'name');
    const before = await snapshot(client);
    expect(before).toEqual({
      queue: ['A', 'c0', 'c', 'd'], moved: ['e'], gone: 0,
      profile: { visits: '42', score: '0.3' }, encodingQueue: 'listpack',
    });
    client.disconnect();
    blocked.disconnect();
    await first.stop();

    const second = await startKeel(['--dir', dir]);
    running.push(second);
    const reader = await connect(second);
    expect(await snapshot(reader)).toEqual(before);
    reader.disconnect();
  });
});
