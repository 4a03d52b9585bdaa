import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { LinkProxy } from './proxy.js';
import { defaultHarnessLimits } from '../limits.js';

/** A plain TCP echo server; `greeting` is sent first on each connection (to see one direction alone). */
async function echoServer(greeting?: string): Promise<{ port: number; received: () => string; close: () => Promise<void> }> {
  let received = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    if (greeting !== undefined) s.write(greeting);
    s.on('data', (d) => { received += d.toString(); s.write(d); });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => received,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

interface Client { socket: net.Socket; data: () => string; closed: Promise<string> }

async function connect(port: number): Promise<Client> {
  const socket = net.connect({ host: '127.0.0.1', port });
  let data = '';
  socket.on('data', (d) => { data += d.toString(); });
  const closed = new Promise<string>((resolve) => {
    let error = 'none';
    socket.on('error', (e: NodeJS.ErrnoException) => { error = e.code ?? e.message; });
    socket.on('close', () => resolve(error));
  });
  await once(socket, 'connect');
  return { socket, data: () => data, closed };
}

async function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function setup(greeting?: string, extra: Partial<Parameters<typeof LinkProxy.start>[0]> = {}) {
  const echo = await echoServer(greeting);
  const proxy = await LinkProxy.start({ name: 'a->b', targetHost: '127.0.0.1', targetPort: echo.port, ...extra });
  cleanups.push(() => echo.close(), () => proxy.close());
  return { echo, proxy };
}

describe('LinkProxy', () => {
  it('forwards both ways and counts bytes', async () => {
    const { proxy } = await setup();
    const c = await connect(proxy.port);
    c.socket.write('hello');
    await waitFor(() => c.data() === 'hello');
    expect(proxy.stats).toMatchObject({ connectionsAccepted: 1, bytesUpstream: 5, bytesDownstream: 5 });
    c.socket.destroy();
  });

  it('delays each direction and keeps order', async () => {
    const { proxy } = await setup();
    proxy.setDelay(100, 20);
    const c = await connect(proxy.port);
    const started = performance.now();
    for (let i = 0; i < 50; i++) c.socket.write(`${i},`);
    const expected = Array.from({ length: 50 }, (_, i) => `${i},`).join('');
    await waitFor(() => c.data() === expected);
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeGreaterThanOrEqual(2 * 80 - 5); // at least (delay - jitter) each way
    proxy.heal();
    const t2 = performance.now();
    c.socket.write('x');
    await waitFor(() => c.data().endsWith('x'));
    expect(performance.now() - t2).toBeLessThan(80);
    c.socket.destroy();
  });

  it('blackhole holds bytes without losing them; heal releases them', async () => {
    const { proxy } = await setup();
    const c = await connect(proxy.port);
    proxy.blackhole();
    c.socket.write('during partition');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.data()).toBe('');
    const late = await connect(proxy.port); // accepted, but goes nowhere while cut
    late.socket.write('late');
    await new Promise((r) => setTimeout(r, 100));
    expect(late.data()).toBe('');
    proxy.heal();
    await waitFor(() => c.data() === 'during partition' && late.data() === 'late');
    c.socket.destroy();
    late.socket.destroy();
  });

  it('a one-way blackhole cuts only that direction', async () => {
    const { echo, proxy } = await setup('hi');
    proxy.blackhole('upstream');
    const c = await connect(proxy.port);
    await waitFor(() => c.data() === 'hi'); // downstream still flows
    c.socket.write('lost?');
    await new Promise((r) => setTimeout(r, 200));
    expect(echo.received()).toBe('');
    proxy.heal();
    await waitFor(() => echo.received() === 'lost?' && c.data() === 'hilost?');
    c.socket.destroy();
  });

  it('refuse resets current and new connections until healed', async () => {
    const { proxy } = await setup();
    const c = await connect(proxy.port);
    proxy.refuse();
    expect(await c.closed).toBe('ECONNRESET');
    const again = net.connect({ host: '127.0.0.1', port: proxy.port });
    const outcome = await new Promise<string>((resolve) => {
      again.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      again.on('close', () => resolve('closed'));
    });
    expect(['ECONNRESET', 'closed']).toContain(outcome);
    expect(proxy.stats.connectionsRefused).toBeGreaterThanOrEqual(1);
    proxy.heal();
    const ok = await connect(proxy.port);
    ok.socket.write('back');
    await waitFor(() => ok.data() === 'back');
    ok.socket.destroy();
  });

  it('reset is one-shot: the connection gets an RST, new ones work', async () => {
    const { proxy } = await setup();
    const c = await connect(proxy.port);
    proxy.reset();
    expect(await c.closed).toBe('ECONNRESET');
    const d = await connect(proxy.port);
    d.socket.write('ok');
    await waitFor(() => d.data() === 'ok');
    d.socket.destroy();
  });

  it('is bounded: connections beyond the limit are refused; a delayed link over its buffer is reset', async () => {
    const limits = { ...defaultHarnessLimits, proxyConnectionsMax: 1, proxyBufferedBytesMax: 64 * 1024 };
    const { proxy } = await setup(undefined, { limits });
    const first = await connect(proxy.port);
    const second = net.connect({ host: '127.0.0.1', port: proxy.port });
    const secondOutcome = await new Promise<string>((resolve) => {
      second.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      second.on('close', () => resolve('closed'));
    });
    expect(['ECONNRESET', 'closed']).toContain(secondOutcome);
    proxy.setDelay(5_000);
    first.socket.write(Buffer.alloc(200 * 1024, 1));
    expect(await first.closed).toBe('ECONNRESET');
    expect(proxy.stats.connectionsReset).toBe(1);
  });

  it('stops by itself after stopAfterMs', async () => {
    const { proxy } = await setup(undefined, { stopAfterMs: 100 });
    const c = await connect(proxy.port);
    expect(await c.closed).toBe('none');
    await new Promise((r) => setTimeout(r, 20));
    const refused = net.connect({ host: '127.0.0.1', port: proxy.port });
    const code = await new Promise<string>((resolve) => refused.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')));
    expect(code).toBe('ECONNREFUSED');
  });

  it('refuses to proxy anything but loopback', async () => {
    await expect(LinkProxy.start({ name: 'x', targetHost: '10.0.0.1', targetPort: 1 })).rejects.toThrow(/loopback/);
  });
});
