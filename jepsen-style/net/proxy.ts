// A per-link TCP fault proxy (loopback only), after Toxiproxy: every connection between two
// cluster processes goes through one of these, so the nemesis can cut, delay or reset that
// link alone. netem is absent on the test machines, so this is how latency and partitions
// are made (see /work/shared/research/jepsen.md §3).
//
// Modes:
//   up         forward bytes (optionally delayed: each chunk released at max(previous, now + d ± j),
//              so order is kept)
//   blackhole  stop forwarding (per direction or both): reading pauses, so TCP flow control
//              stalls the sender exactly as a partition would; nothing is dropped, and on heal
//              the held bytes flow again. New connections are accepted but go nowhere.
//   refuse     reset every connection and reset new ones at once (a dead or firewalled peer)
//   reset()    a one-shot RST of every current connection (mode unchanged)
// Bounded: at most `proxyConnectionsMax` connections, at most `proxyBufferedBytesMax` bytes
// held per direction while delaying (beyond that the connection is reset), and an optional
// `stopAfterMs` after which the proxy closes itself even if nobody calls close().
import net from 'node:net';
import { defaultHarnessLimits, HarnessLimits } from '../limits.js';
import { assert } from '../util/assert.js';
import { Prng } from '../util/prng.js';

export type Direction = 'upstream' | 'downstream' | 'both';
export type LinkMode = 'up' | 'blackhole' | 'refuse';

export interface LinkProxyOptions {
  /** Names the link in logs and nemesis records, e.g. "db-1->log-b". */
  name: string;
  targetHost: string;
  targetPort: number;
  listenHost?: string;
  /** 0 picks a free port. */
  listenPort?: number;
  /** The proxy closes itself after this long (a harness that crashes leaves nothing behind). */
  stopAfterMs?: number;
  seed?: number;
  limits?: HarnessLimits;
}

export interface LinkStats {
  connectionsAccepted: number;
  connectionsRefused: number;
  connectionsReset: number;
  bytesUpstream: number;
  bytesDownstream: number;
}

interface Pipe {
  /** Where bytes come from and where they go. */
  from: net.Socket;
  to: net.Socket;
  direction: 'upstream' | 'downstream';
  queue: { releaseAtMs: number; chunk: Buffer }[];
  queuedBytes: number;
  lastReleaseMs: number;
  timer: NodeJS.Timeout | undefined;
}

interface Connection {
  client: net.Socket;
  server: net.Socket;
  upstream: Pipe;
  downstream: Pipe;
  closed: boolean;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

function isLoopback(host: string): boolean {
  return loopbackHosts.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class LinkProxy {
  readonly name: string;
  readonly stats: LinkStats = { connectionsAccepted: 0, connectionsRefused: 0, connectionsReset: 0, bytesUpstream: 0, bytesDownstream: 0 };
  private mode: LinkMode = 'up';
  private held = { upstream: false, downstream: false };
  private delayMs = 0;
  private jitterMs = 0;
  private readonly connections = new Set<Connection>();
  private readonly random: Prng;
  private readonly limits: HarnessLimits;
  private stopTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  private constructor(private readonly server: net.Server, private readonly options: LinkProxyOptions, readonly port: number) {
    this.name = options.name;
    this.random = new Prng(options.seed ?? 1);
    this.limits = options.limits ?? defaultHarnessLimits;
  }

  static async start(options: LinkProxyOptions): Promise<LinkProxy> {
    const listenHost = options.listenHost ?? '127.0.0.1';
    assert(isLoopback(listenHost) && isLoopback(options.targetHost), `proxy ${options.name}: loopback addresses only`);
    const server = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort ?? 0, listenHost, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const proxy = new LinkProxy(server, options, port);
    server.on('connection', (socket) => proxy.accept(socket));
    if (options.stopAfterMs !== undefined) {
      proxy.stopTimer = setTimeout(() => void proxy.close(), options.stopAfterMs);
      proxy.stopTimer.unref();
    }
    return proxy;
  }

  get currentMode(): LinkMode {
    return this.mode;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Adds latency to every chunk in both directions (0 removes it). */
  setDelay(delayMs: number, jitterMs = 0): void {
    assert(delayMs >= 0 && jitterMs >= 0 && delayMs + jitterMs <= this.limits.proxyDelayMsMax, `proxy ${this.name}: delay ${delayMs}±${jitterMs} ms out of range`);
    this.delayMs = delayMs;
    this.jitterMs = jitterMs;
  }

  /** Holds traffic in one or both directions (a partition as TCP sees it). */
  blackhole(direction: Direction = 'both'): void {
    this.mode = 'blackhole';
    if (direction !== 'downstream') this.held.upstream = true;
    if (direction !== 'upstream') this.held.downstream = true;
    for (const c of this.connections) this.applyHold(c);
  }

  /** Resets every connection and every new one until healed. */
  refuse(): void {
    this.mode = 'refuse';
    this.reset();
  }

  /** One-shot: resets every current connection. */
  reset(): void {
    for (const c of [...this.connections]) this.destroyConnection(c, true);
  }

  /** Back to plain forwarding: no hold, no delay; held bytes flow again. */
  heal(): void {
    this.mode = 'up';
    this.held = { upstream: false, downstream: false };
    this.delayMs = 0;
    this.jitterMs = 0;
    for (const c of this.connections) this.applyHold(c);
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    if (this.stopTimer !== undefined) clearTimeout(this.stopTimer);
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const c of [...this.connections]) this.destroyConnection(c, false);
    });
    return this.closing;
  }

  private accept(client: net.Socket): void {
    if (this.mode === 'refuse' || this.connections.size >= this.limits.proxyConnectionsMax || this.closing !== undefined) {
      this.stats.connectionsRefused++;
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    this.stats.connectionsAccepted++;
    const server = net.connect({ host: this.options.targetHost, port: this.options.targetPort });
    server.pause();
    const pipe = (from: net.Socket, to: net.Socket, direction: Pipe['direction']): Pipe => ({ from, to, direction, queue: [], queuedBytes: 0, lastReleaseMs: 0, timer: undefined });
    const c: Connection = { client, server, upstream: pipe(client, server, 'upstream'), downstream: pipe(server, client, 'downstream'), closed: false };
    this.connections.add(c);
    client.setNoDelay(true);
    server.setNoDelay(true);
    for (const p of [c.upstream, c.downstream]) {
      p.from.on('data', (chunk: Buffer) => this.onData(c, p, chunk));
      p.from.on('end', () => this.whenDrained(p, () => p.to.end()));
    }
    const fail = (): void => this.destroyConnection(c, true);
    client.on('error', fail);
    server.on('error', fail);
    client.on('close', () => this.destroyConnection(c, false));
    server.on('close', () => this.destroyConnection(c, false));
    server.once('connect', () => this.applyHold(c));
  }

  private applyHold(c: Connection): void {
    if (c.closed || c.server.connecting) return;
    for (const p of [c.upstream, c.downstream]) {
      if (this.held[p.direction]) p.from.pause();
      else p.from.resume();
    }
  }

  private onData(c: Connection, p: Pipe, chunk: Buffer): void {
    if (c.closed) return;
    if (p.direction === 'upstream') this.stats.bytesUpstream += chunk.length;
    else this.stats.bytesDownstream += chunk.length;
    if (this.delayMs === 0 && this.jitterMs === 0 && p.queue.length === 0) {
      this.write(c, p, chunk);
      return;
    }
    const nowMs = performance.now();
    const jitter = this.jitterMs === 0 ? 0 : (this.random.next() * 2 - 1) * this.jitterMs;
    const releaseAtMs = Math.max(p.lastReleaseMs, nowMs + Math.max(0, this.delayMs + jitter));
    p.lastReleaseMs = releaseAtMs;
    p.queue.push({ releaseAtMs, chunk });
    p.queuedBytes += chunk.length;
    if (p.queuedBytes > this.limits.proxyBufferedBytesMax) {
      this.destroyConnection(c, true); // a bounded buffer: a link that cannot keep up is reset
      return;
    }
    this.schedule(c, p);
  }

  private schedule(c: Connection, p: Pipe): void {
    if (p.timer !== undefined || p.queue.length === 0) return;
    const waitMs = Math.max(0, p.queue[0]!.releaseAtMs - performance.now());
    p.timer = setTimeout(() => {
      p.timer = undefined;
      const nowMs = performance.now();
      while (p.queue.length > 0 && p.queue[0]!.releaseAtMs <= nowMs + 1) {
        const { chunk } = p.queue.shift()!;
        p.queuedBytes -= chunk.length;
        this.write(c, p, chunk);
      }
      this.schedule(c, p);
      if (p.queue.length === 0) p.to.emit('proxy-drained');
    }, waitMs);
  }

  private write(c: Connection, p: Pipe, chunk: Buffer): void {
    if (c.closed) return;
    if (!p.to.write(chunk)) {
      p.from.pause();
      p.to.once('drain', () => { if (!this.held[p.direction]) p.from.resume(); });
    }
  }

  private whenDrained(p: Pipe, then: () => void): void {
    if (p.queue.length === 0) then();
    else p.to.once('proxy-drained', then);
  }

  private destroyConnection(c: Connection, reset: boolean): void {
    if (c.closed) return;
    c.closed = true;
    this.connections.delete(c);
    for (const p of [c.upstream, c.downstream]) if (p.timer !== undefined) clearTimeout(p.timer);
    if (reset) {
      this.stats.connectionsReset++;
      for (const s of [c.client, c.server]) {
        if (s.destroyed) continue;
        s.on('error', () => {});
        if (s.connecting) s.destroy();
        else s.resetAndDestroy();
      }
    } else {
      c.client.destroy();
      c.server.destroy();
    }
  }
}
