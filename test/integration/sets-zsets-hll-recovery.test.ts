// Sets, sorted sets and HyperLogLogs survive a restart: the server rebuilds them from the log,
// so this checks that every effect these commands log (SPOP → SREM/DEL, ZINCRBY → ZADD of the
// exact score, served BZPOPMIN → ZPOPMIN, the *STORE commands, PFADD/PFMERGE) replays to the
// same data set.
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
    tags: await client.smembers('tags'),
    popped: await client.smembers('popped'),
    emptied: await client.exists('emptied'),
    union: await client.smembers('union'),
    board: await client.zrange('board', 0, -1, 'WITHSCORES'),
    best: await client.zrange('best', 0, -1, 'WITHSCORES'),
    queue: await client.zrange('queue', 0, -1, 'WITHSCORES'),
    hll: (await client.getBuffer('hll'))!.toString('base64'),
    hllCount: await client.pfcount('hll'),
    encodings: [await client.object('ENCODING', 'tags'), await client.object('ENCODING', 'board')],
  };
}

describe('sets, sorted sets and HyperLogLogs after a restart', () => {
  it('come back exactly as they were', async () => {
    const dir = tempDir();
    const first = await startKeel(['--dir', dir]);
    running.push(first);
    const client = await connect(first);
    const blocked = await connect(first);
    await client.sadd('tags', '5', '1', '3', 'x');
    await client.sadd('popped', ...Array.from({ length: 50 }, (_, i) => `p${i}`));
    await client.spop('popped');
    await client.spop('popped', 7);
    await client.sadd('emptied', 'a', 'b');
    await client.spop('emptied', 5);
    await client.sunionstore('union', 'tags', 'popped');
    await client.zadd('board', 1, 'ann', 2, 'bob', 3, 'cy');
    for (const delta of ['0.1', '0.2', '1e-17', '-0.7']) await client.zincrby('board', delta, 'ann');
    await client.zadd('board', 'INCR', '0.3', 'bob');
    await client.zunionstore('best', 2, 'board', 'tags', 'WEIGHTS', '1.5', '0.1');
    await client.zremrangebyscore('best', '-inf', '(0.2');
    const waiting = blocked.bzpopmin('queue', 0);
    for (let i = 0; i < 500 && !(await client.client('LIST') as string).includes('cmd=bzpopmin'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.zadd('queue', 2, 'second', 1, 'first', 3, 'third');
    expect(await waiting).toEqual(['queue', 'first', '1']);
    await client.call('ZMPOP', '1', 'queue', 'MAX');
    await client.pfadd('hll', ...Array.from({ length: 3000 }, (_, i) => `v${i}`));
    await client.pfadd('hll2', 'extra');
    await client.pfmerge('hll', 'hll2');
    const before = await snapshot(client);
    expect((before as { board: string[] }).board.slice(0, 2)).toEqual(['ann', String(0.1 + 0.2 + 1e-17 + 1 - 0.7)]);
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
