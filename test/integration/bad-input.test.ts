import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange, startKeel, type KeelProcess } from '../helpers/server.js';
import { RawClient } from '../helpers/resp-client.js';

let keel: KeelProcess;
beforeAll(async () => {
  keel = await startKeel(['--maxclients', '20', '--client-query-buffer-limit', '1mb', '--proto-max-bulk-len', '512kb']);
});
afterAll(async () => { await keel.stop(); });

describe('bad input never crashes the server nor affects other clients', () => {
  it('answers protocol errors like Redis and closes only that connection', async () => {
    const bystander = await RawClient.connect(keel.port);
    expect(await bystander.call('SET', 'safe', 'value')).toBe('+OK\r\n');
    const cases: [string, string][] = [
      ['*1\r\n$1099511627776\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['*1\r\n+PING\r\n', "-ERR Protocol error: expected '$', got '+'\r\n"],
      ['*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['SET "open\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    ];
    for (const [payload, expected] of cases) {
      const { received, closed } = await rawExchange(keel.port, payload, () => false, 2_000);
      expect(received).toBe(expected);
      expect(closed).toBe(true);
    }
    expect(await bystander.call('GET', 'safe')).toBe('$5\r\nvalue\r\n');
    bystander.close();
  });

  it('survives random garbage bytes', async () => {
    const bystander = await RawClient.connect(keel.port);
    for (let round = 0; round < 20; round++) {
      const garbage = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 7919 + round * 104729) % 256));
      await rawExchange(keel.port, garbage, () => false, 200);
    }
    expect(await bystander.call('PING')).toBe('+PONG\r\n');
    bystander.close();
  });

  it('a 10^7-element multibulk header waits for data without allocating, and the query buffer limit closes a flood', async () => {
    const waiting = await rawExchange(keel.port, '*10000000\r\n$1\r\na\r\n', () => false, 500);
    expect(waiting).toEqual({ received: '', closed: false });
    const flood = await rawExchange(keel.port, Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$524288\r\n'), Buffer.alloc(600_000, 'x')]), () => false, 2_000);
    expect(flood.closed).toBe(true);
    const client = await RawClient.connect(keel.port);
    expect(await client.call('PING')).toBe('+PONG\r\n');
    client.close();
  });

  it('unknown commands and wrong arity keep the connection open', async () => {
    const client = await RawClient.connect(keel.port);
    expect(await client.call('NOSUCH', 'x')).toBe("-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    expect(await client.call('GET', 'a', 'b')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await client.call('PING')).toBe('+PONG\r\n');
    client.close();
  });
  it('refuses clients beyond maxclients with Redis\'s error', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(keel.port)));
    await Promise.all(clients.map((client) => client.call('PING')));
    const { received } = await rawExchange(keel.port, 'PING\r\n', (text) => text.length > 0, 2_000);
    expect(received).toBe('-ERR max number of clients reached\r\n');
    for (const client of clients) client.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await rawExchange(keel.port, 'PING\r\n', (text) => text.length > 0, 2_000);
    expect(after.received).toBe('+PONG\r\n');
  });

});
