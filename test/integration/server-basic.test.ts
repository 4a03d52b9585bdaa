import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { rawExchange, startKeel, type KeelProcess } from '../helpers/server.js';

let keel: KeelProcess;
beforeAll(async () => { keel = await startKeel(); });
afterAll(async () => { await keel.stop(); });

describe('keel server with real clients', () => {
  it('serves ioredis with pipelining, replies in order', async () => {
    const client = new Redis({ port: keel.port, host: '127.0.0.1', lazyConnect: true });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    expect(await client.set('greeting', 'hello')).toBe('OK');
    expect(await client.get('greeting')).toBe('hello');
    const pipeline = client.pipeline();
    for (let i = 0; i < 100; i++) pipeline.incr('counter');
    const results = await pipeline.exec();
    expect(results!.map(([, value]: [unknown, unknown]) => value)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await client.quit();
  });

  it('serves node-redis', async () => {
    const client = createClient({ socket: { port: keel.port, host: '127.0.0.1' } });
    await client.connect();
    await client.set('nr', 'value');
    expect(await client.get('nr')).toBe('value');
    expect(await client.incrBy('nr-count', 5)).toBe(5);
    await client.quit();
  });

  it('accepts inline commands as telnet sends them', async () => {
    const { received } = await rawExchange(keel.port, 'PING\r\nSET inline "a b"\r\nGET inline\r\n', (text) => text.includes('a b\r\n'));
    expect(received).toBe('+PONG\r\n+OK\r\n$3\r\na b\r\n');
  });

  it('answers unknown commands like Redis 7', async () => {
    const { received } = await rawExchange(keel.port, '*2\r\n$3\r\nFOO\r\n$3\r\nbar\r\n', (text) => text.endsWith('\r\n'));
    expect(received).toBe("-ERR unknown command 'FOO', with args beginning with: 'bar' \r\n");
  });
});
