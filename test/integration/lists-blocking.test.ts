// Blocking list commands end to end: several real clients against a real keel server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startKeel, type KeelProcess } from '../helpers/server.js';

let keel: KeelProcess;
const clients: Redis[] = [];
beforeAll(async () => { keel = await startKeel(); }, 60_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await keel.stop();
});

async function connect(): Promise<Redis> {
  const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  clients.push(client);
  return client;
}

/** Resolves once the server lists `count` clients blocked (CLIENT LIST flags / cmd). */
async function waitBlocked(observer: Redis, count: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const list = await observer.client('LIST') as string;
    const blocked = list.split('\n').filter((line) => /cmd=(blpop|brpop|blmove|brpoplpush|blmpop)\b/.test(line) && /flags=\S*b/.test(line));
    if (blocked.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never saw ${count} blocked clients`);
}

describe('blocking list commands with several clients', () => {
  it('serve blocked clients FIFO per key, one element each', async () => {
    const [a, b, c, pusher] = await Promise.all([connect(), connect(), connect(), connect()]);
    const first = a.blpop('fifo', 0);
    await waitBlocked(pusher, 1);
    const second = b.blpop('fifo', 0);
    await waitBlocked(pusher, 2);
    const third = c.brpop('other', 'fifo', 0);
    await waitBlocked(pusher, 3);
    expect(await pusher.rpush('fifo', 'e1', 'e2')).toBe(2);
    expect(await first).toEqual(['fifo', 'e1']);
    expect(await second).toEqual(['fifo', 'e2']);
    await pusher.lpush('fifo', 'e3');
    expect(await third).toEqual(['fifo', 'e3']);
    expect(await pusher.exists('fifo')).toBe(0);
  });

  it('time out after fractional seconds with a null reply', async () => {
    const client = await connect();
    const started = Date.now();
    expect(await client.blpop('never', 0.2)).toBe(null);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(3000);
    expect(await client.blmove('never', 'dest', 'LEFT', 'RIGHT', 0.1)).toBe(null);
  });

  it('wake a BLMOVE and chain into a client blocked on its destination', async () => {
    const [mover, popper, pusher] = await Promise.all([connect(), connect(), connect()]);
    const moved = mover.blmove('chain-src', 'chain-dst', 'LEFT', 'RIGHT', 0);
    await waitBlocked(pusher, 1);
    const popped = popper.blpop('chain-dst', 0);
    await waitBlocked(pusher, 2);
    await pusher.rpush('chain-src', 'item');
    expect(await moved).toBe('item');
    expect(await popped).toEqual(['chain-dst', 'item']);
    expect(await pusher.exists('chain-src', 'chain-dst')).toBe(0);
  });

  it('serve BLMPOP with a count and BRPOPLPUSH', async () => {
    const [blocked, other, pusher] = await Promise.all([connect(), connect(), connect()]);
    const served = blocked.call('BLMPOP', '0', '2', 'mp1', 'mp2', 'RIGHT', 'COUNT', '2');
    await waitBlocked(pusher, 1);
    await pusher.rpush('mp2', 'a', 'b', 'c');
    expect(await served).toEqual(['mp2', ['c', 'b']]);
    const rpl = other.brpoplpush('mp2', 'mp3', 0);
    expect(await rpl).toBe('a');
    expect(await pusher.lrange('mp3', 0, -1)).toEqual(['a']);
  });

  it('never block inside MULTI', async () => {
    const client = await connect();
    const results = await client.multi().blpop('multi-empty', 0).brpoplpush('multi-empty', 'x', 0).exec();
    expect(results).toEqual([[null, null], [null, null]]);
  });

  it('CLIENT UNBLOCK ends a block with the timeout reply or an error', async () => {
    const [blocked, admin] = await Promise.all([connect(), connect()]);
    const id = await blocked.client('ID') as number;
    const pending = blocked.blpop('unblock-me', 0);
    await waitBlocked(admin, 1);
    expect(await admin.client('UNBLOCK', id, 'TIMEOUT')).toBe(1);
    expect(await pending).toBe(null);
    const failing = blocked.brpop('unblock-me', 0);
    await waitBlocked(admin, 1);
    expect(await admin.client('UNBLOCK', id, 'ERROR')).toBe(1);
    await expect(failing).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(await admin.client('UNBLOCK', id)).toBe(0);
  });

  it('a blocked client that disconnects loses no element', async () => {
    const [leaver, stayer, pusher] = await Promise.all([connect(), connect(), connect()]);
    const leaverId = await leaver.client('ID') as number;
    void leaver.blpop('leave', 0).catch(() => undefined);
    await waitBlocked(pusher, 1);
    const waiting = stayer.blpop('leave', 0);
    await waitBlocked(pusher, 2);
    leaver.disconnect();
    for (let i = 0; i < 200 && (await pusher.client('LIST') as string).includes(`id=${leaverId} `); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await pusher.rpush('leave', 'kept');
    expect(await waiting).toEqual(['leave', 'kept']);
    await pusher.rpush('leave', 'left-over');
    expect(await pusher.lrange('leave', 0, -1)).toEqual(['left-over']);
  });
});
