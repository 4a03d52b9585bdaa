import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startKeel, type KeelProcess } from '../helpers/server.js';
import { RawClient } from '../helpers/resp-client.js';

let keel: KeelProcess;
let secured: KeelProcess;
beforeAll(async () => { [keel, secured] = await Promise.all([startKeel(), startKeel(['--requirepass', 's3cret'])]); });
afterAll(async () => { await Promise.all([keel.stop(), secured.stop()]); });

describe('connection and pub/sub', () => {
  it('requires AUTH when requirepass is set', async () => {
    const client = await RawClient.connect(secured.port);
    expect(await client.call('GET', 'x')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await client.call('AUTH', 'wrong')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    expect(await client.call('AUTH', 's3cret')).toBe('+OK\r\n');
    expect(await client.call('GET', 'x')).toBe('$-1\r\n');
    client.close();
    const viaIoredis = new Redis({ port: secured.port, password: 's3cret', lazyConnect: true });
    await viaIoredis.connect();
    expect(await viaIoredis.ping()).toBe('PONG');
    await viaIoredis.quit();
  });

  it('HELLO 3 switches to RESP3 maps and nulls', async () => {
    const client = await RawClient.connect(keel.port);
    const hello = await client.call('HELLO', '3', 'SETNAME', 'resp3-client');
    expect(hello.startsWith('%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n')).toBe(true);
    expect(hello).toContain('$5\r\nproto\r\n:3\r\n');
    expect(await client.call('GET', 'nothing')).toBe('_\r\n');
    expect(await client.call('CLIENT', 'GETNAME')).toBe('$12\r\nresp3-client\r\n');
    expect(await client.call('CONFIG', 'GET', 'maxclients')).toBe('%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n');
    client.close();
  });

  it('delivers pub/sub messages in RESP2 and RESP3, with RESP2 subscribed-state restrictions', async () => {
    const resp2 = await RawClient.connect(keel.port);
    const resp3 = await RawClient.connect(keel.port);
    const publisher = await RawClient.connect(keel.port);
    expect(await resp2.call('SUBSCRIBE', 'news')).toBe('*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n');
    await resp3.call('HELLO', '3');
    expect(await resp3.call('PSUBSCRIBE', 'n*')).toBe('>3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n');
    expect(await publisher.call('PUBLISH', 'news', 'hello')).toBe(':2\r\n');
    expect(await resp2.read()).toBe('*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n');
    expect(await resp3.read()).toBe('>4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n');
    expect(await resp2.call('GET', 'x')).toBe("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
    expect(await resp2.call('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    expect(await resp3.call('GET', 'x')).toBe('_\r\n');
    expect(await publisher.call('PUBSUB', 'NUMSUB', 'news', 'other')).toBe('*4\r\n$4\r\nnews\r\n:1\r\n$5\r\nother\r\n:0\r\n');
    expect(await publisher.call('PUBSUB', 'NUMPAT')).toBe(':1\r\n');
    expect(await resp2.call('UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:0\r\n');
    expect(await resp2.call('GET', 'x')).toBe('$-1\r\n');
    for (const client of [resp2, resp3, publisher]) client.close();
  });

  it('ioredis subscriber receives messages', async () => {
    const subscriber = new Redis({ port: keel.port, lazyConnect: true });
    const publisher = new Redis({ port: keel.port, lazyConnect: true });
    await Promise.all([subscriber.connect(), publisher.connect()]);
    await subscriber.subscribe('events');
    const received = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(message)));
    await publisher.publish('events', 'payload');
    expect(await received).toBe('payload');
    await Promise.all([subscriber.quit(), publisher.quit()]);
  });

  it('CLIENT LIST / KILL / REPLY and QUIT', async () => {
    const victim = await RawClient.connect(keel.port);
    await victim.call('CLIENT', 'SETNAME', 'victim');
    const admin = await RawClient.connect(keel.port);
    const list = await admin.call('CLIENT', 'LIST');
    const line = list.split('\n').find((text) => text.includes('name=victim'))!;
    expect(line).toMatch(/^(\$\d+\r\n)?id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=victim age=\d+ idle=\d+ flags=N db=0/);
    const id = /id=(\d+)/.exec(line)![1]!;
    expect(await admin.call('CLIENT', 'KILL', 'ID', id)).toBe(':1\r\n');
    await expect(victim.call('PING')).rejects.toThrow(/closed/);
    admin.send('CLIENT', 'REPLY', 'SKIP');
    admin.send('ECHO', 'skipped');
    expect(await admin.call('ECHO', 'shown')).toBe('$5\r\nshown\r\n');
    admin.send('CLIENT', 'REPLY', 'OFF');
    admin.send('ECHO', 'hidden');
    expect(await admin.call('CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n');
    expect(await admin.call('QUIT')).toBe('+OK\r\n');
    await expect(admin.read(1_000)).rejects.toThrow(/closed/);
  }, 10_000);

  it('MONITOR streams every other client\'s commands; SLOWLOG records slow ones', async () => {
    const monitor = await RawClient.connect(keel.port);
    expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
    const other = await RawClient.connect(keel.port);
    await other.call('SET', 'watched key', 'a"b');
    const line = await monitor.read();
    expect(line).toMatch(/^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "watched key" "a\\"b"\r\n$/);
    monitor.close();
    expect(await other.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0')).toBe('+OK\r\n');
    expect(await other.call('SLOWLOG', 'RESET')).toBe('+OK\r\n');
    await other.call('ECHO', 'slow');
    const entries = await other.call('SLOWLOG', 'GET', '1');
    expect(entries).toMatch(/^\*1\r\n\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n\*2\r\n\$4\r\nECHO\r\n\$4\r\nslow\r\n/);
    expect(await other.call('SLOWLOG', 'LEN')).toMatch(/^:[1-9]\d*\r\n$/);
    await other.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    other.close();
  });

  it('COMMAND comes from the command table; INFO has Redis\'s sections', async () => {
    const raw = await RawClient.connect(keel.port);
    const count = Number(/^:(\d+)/.exec(await raw.call('COMMAND', 'COUNT'))![1]);
    expect(count).toBe(Number(/^\*(\d+)/.exec(await raw.call('COMMAND', 'LIST'))![1]));
    expect(count).toBeGreaterThan(150);
    expect(await raw.call('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await raw.call('COMMAND', 'GETKEYS', 'PING')).toBe('-ERR The command has no key arguments\r\n');
    expect(await raw.call('COMMAND', 'INFO', 'get')).toMatch(/^\*1\r\n\*10\r\n\$3\r\nget\r\n:2\r\n\*2\r\n\+readonly\r\n\+fast\r\n:1\r\n:1\r\n:1\r\n/);
    expect(await raw.call('COMMAND', 'DOCS', 'set')).toContain('Sets the string value of a key');
    const info = await raw.call('INFO', 'everything');
    for (const section of ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Commandstats', 'Keyspace']) {
      expect(info).toContain(`# ${section === 'CPU' ? 'Cpu' : section}\r\n`);
    }
    expect(info).toMatch(/cmdstat_command\|count:calls=1,usec=\d+/);
    raw.close();
  });

  it('disconnects a pub/sub client whose pending output exceeds its limit, and nobody else', async () => {
    const limited = await startKeel(['--client-output-buffer-limit-pubsub', '64kb']);
    try {
      const slow = await RawClient.connect(limited.port);
      await slow.call('SUBSCRIBE', 'firehose');
      slow.pause();
      const publisher = await RawClient.connect(limited.port);
      const message = 'x'.repeat(64 * 1024);
      let receivers = 1;
      for (let i = 0; i < 2000 && receivers === 1; i++) {
        receivers = Number(/^:(\d+)/.exec(await publisher.call('PUBLISH', 'firehose', message))![1]);
      }
      expect(receivers).toBe(0);
      expect(await publisher.call('PING')).toBe('+PONG\r\n');
      publisher.close();
      slow.close();
    } finally {
      await limited.stop();
    }
  }, 30_000);
});
