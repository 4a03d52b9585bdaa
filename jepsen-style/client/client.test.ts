import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startFakeRedis, FakeRedis } from '../testing/fake-redis.js';
import { ClientSession } from './session.js';
import { parseReply, RespError, encodeCommand } from './resp.js';
import { defaultHarnessLimits } from '../limits.js';
import { registerWorkload } from '../workloads/register.js';
import { counterWorkload } from '../workloads/counter.js';
import { setWorkload } from '../workloads/set.js';
import { listAppendWorkload } from '../workloads/list-append.js';

const limits = { ...defaultHarnessLimits, operationTimeoutMs: 300, connectTimeoutMs: 200 };
let fake: FakeRedis;
let session: ClientSession;
beforeEach(async () => {
  fake = await startFakeRedis();
  session = new ClientSession(() => [{ nodeId: 'fake', host: '127.0.0.1', port: fake.port }], 0, limits);
});
afterEach(async () => { session.close(); await fake.close(); });

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('RESP parsing', () => {
  it('parses every reply type, split at every byte boundary', () => {
    const text = '+OK\r\n-ERR x y\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n*-1\r\n';
    const bytes = Buffer.from(text);
    const parseAll = (buffer: Buffer) => {
      const values = [];
      let offset = 0;
      for (;;) { const p = parseReply(buffer, offset); if (!p) break; values.push(p.value); offset = p.end; }
      return values;
    };
    const values = parseAll(bytes);
    expect(values).toEqual(['OK', new RespError('ERR x y'), 42, 'hello', null, ['a', null]]);
    // A truncated buffer yields exactly the replies that are complete in it, never a partial one.
    const ends = [5, 15, 20, 31, 36, 52];
    expect(ends[ends.length - 1]).toBe(bytes.length);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseAll(bytes.subarray(0, cut))).toEqual(values.slice(0, ends.filter((e) => e <= cut).length));
    }
    expect((values[1] as RespError).code).toBe('ERR');
    expect(encodeCommand(['SET', 'k', 'é'])).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });
});

describe('outcome classification (ok / fail / info) against a fake server', () => {
  it('ok for a normal write and read', async () => {
    expect(await registerWorkload.invoke(session, { f: 'write', key: 'x', value: 7 })).toEqual({ type: 'ok', value: 7 });
    expect(await registerWorkload.invoke(session, { f: 'read', key: 'x', value: null })).toEqual({ type: 'ok', value: 7 });
  });

  it('fail when the connection is refused (nothing was sent)', async () => {
    const dead = new ClientSession(() => [{ nodeId: 'dead', host: '127.0.0.1', port: 1 }], 0, limits);
    const outcome = await registerWorkload.invoke(dead, { f: 'write', key: 'x', value: 1 });
    expect(outcome.type).toBe('fail');
  });

  it('info when a write times out, and the client does not resend it', async () => {
    fake.faultForWrites = 'hang';
    const outcome = await registerWorkload.invoke(session, { f: 'write', key: 'x', value: 1 });
    expect(outcome).toMatchObject({ type: 'info' });
    fake.faultForWrites = 'none';
    expect(await registerWorkload.invoke(session, { f: 'write', key: 'x', value: 2 })).toMatchObject({ type: 'ok' });
    expect(fake.received.filter((c) => c[0] === 'SET').map((c) => c[2])).toEqual(['1', '2']);
  });

  it('fail when a read times out', async () => {
    fake.faultForReads = 'hang';
    expect(await registerWorkload.invoke(session, { f: 'read', key: 'x', value: null })).toMatchObject({ type: 'fail' });
  });

  it('info when the connection drops after the write was applied (it was)', async () => {
    fake.faultForWrites = 'apply-then-close';
    expect(await registerWorkload.invoke(session, { f: 'write', key: 'x', value: 5 })).toMatchObject({ type: 'info' });
    expect(fake.data.get('x')).toBe('5');
  });

  it('READONLY is a definite fail for a write; TRYAGAIN is info; any error on a read is fail', async () => {
    fake.faultForWrites = 'readonly';
    expect(await registerWorkload.invoke(session, { f: 'write', key: 'x', value: 1 })).toMatchObject({ type: 'fail' });
    fake.faultForWrites = 'tryagain';
    expect(await counterWorkload.invoke(session, { f: 'add', key: 'c', value: 1 })).toMatchObject({ type: 'info' });
    fake.faultForReads = 'tryagain';
    expect(await counterWorkload.invoke(session, { f: 'read', key: 'c', value: null })).toMatchObject({ type: 'fail' });
  });

  it('compare-and-set through WATCH/MULTI/EXEC: ok, mismatch fail, and an aborted EXEC is fail', async () => {
    await registerWorkload.invoke(session, { f: 'write', key: 'r', value: 1 });
    expect(await registerWorkload.invoke(session, { f: 'cas', key: 'r', value: [1, 2] })).toEqual({ type: 'ok', value: [1, 2] });
    expect(await registerWorkload.invoke(session, { f: 'cas', key: 'r', value: [1, 3] })).toMatchObject({ type: 'fail' });
    expect(fake.data.get('r')).toBe('2');
    // Another client changes the key between WATCH and EXEC: the fake aborts EXEC.
    const other = new ClientSession(() => [{ nodeId: 'fake', host: '127.0.0.1', port: fake.port }], 0, limits);
    const sneaky = session.exec([['WATCH', 'r'], ['GET', 'r']], false);
    await sneaky;
    await registerWorkload.invoke(other, { f: 'write', key: 'r', value: 9 });
    const txn = await session.exec([['MULTI'], ['SET', 'r', '4'], ['EXEC']], true);
    expect(txn).toMatchObject({ type: 'ok' });
    expect((txn as { value: unknown[] }).value[2]).toBeNull();
    expect(fake.data.get('r')).toBe('9');
    other.close();
  });

  it('counter, set and list-append operations round-trip', async () => {
    await counterWorkload.invoke(session, { f: 'add', key: 'c', value: 3 });
    expect(await counterWorkload.invoke(session, { f: 'read', key: 'c', value: null })).toEqual({ type: 'ok', value: 3 });
    expect(await counterWorkload.invoke(session, { f: 'read', key: 'missing', value: null })).toEqual({ type: 'ok', value: 0 });
    await setWorkload.invoke(session, { f: 'add', key: 's', value: 2 });
    await setWorkload.invoke(session, { f: 'add', key: 's', value: 1 });
    expect(await setWorkload.invoke(session, { f: 'read', key: 's', value: null })).toEqual({ type: 'ok', value: [1, 2] });
    const txn = await listAppendWorkload.invoke(session, { f: 'txn', key: 'a,b', value: [['append', 'a', 1], ['r', 'a', null], ['r', 'b', null]] });
    expect(txn).toEqual({ type: 'ok', value: [['append', 'a', 1], ['r', 'a', [1]], ['r', 'b', []]] });
  });

  it('moves to the next endpoint after a refused connect or READONLY', async () => {
    const port = await freePort();
    const endpoints = [{ nodeId: 'down', host: '127.0.0.1', port }, { nodeId: 'fake', host: '127.0.0.1', port: fake.port }];
    const rotating = new ClientSession(() => endpoints, 0, limits);
    expect((await registerWorkload.invoke(rotating, { f: 'write', key: 'x', value: 1 })).type).toBe('fail');
    expect(rotating.currentEndpoint?.nodeId).toBe('fake');
    expect((await registerWorkload.invoke(rotating, { f: 'write', key: 'x', value: 2 })).type).toBe('ok');
    rotating.close();
  });
});
