// TEST FIXTURE ONLY: a ClusterDb made of the in-process fake RESP server behind a link proxy,
// plus a stand-in "log node" (an echo server behind its own proxy), so the runner, nemesis,
// recorder, checkers and reports can be exercised end to end without Keel. "kill" refuses the
// node's proxies, "pause" blackholes them. It is evidence about the harness, never about Keel.
import net from 'node:net';
import { once } from 'node:events';
import type { Endpoint } from '../client/session.js';
import type { ClusterDb, ClusterNode } from '../db/cluster.js';
import { linkName } from '../db/cluster.js';
import { LinkProxy } from '../net/proxy.js';
import { FakeRedis, startFakeRedis } from './fake-redis.js';

export class FakeCluster implements ClusterDb {
  readonly name = 'fake (test fixture)';
  fake: FakeRedis | undefined;
  private echo: net.Server | undefined;
  private readonly proxies = new Map<string, LinkProxy>();
  readonly actions: string[] = [];
  /** What unexpectedExits() reports (a test sets it to simulate a crashed process). */
  crashed: string[] = [];

  constructor(private readonly configure: (fake: FakeRedis) => void = () => {}) {}

  nodes(): readonly ClusterNode[] {
    return [{ id: 'fake-1', kind: 'db' }, { id: 'log-a', kind: 'log' }];
  }

  async setup(): Promise<void> {
    this.fake = await startFakeRedis();
    this.configure(this.fake);
    this.echo = net.createServer((s) => { s.on('error', () => {}); s.pipe(s); }).listen(0, '127.0.0.1');
    await once(this.echo, 'listening');
    this.proxies.set(linkName('client', 'fake-1'), await LinkProxy.start({ name: 'client->fake-1', targetHost: '127.0.0.1', targetPort: this.fake.port, stopAfterMs: 120_000 }));
    this.proxies.set(linkName('fake-1', 'log-a'), await LinkProxy.start({ name: 'fake-1->log-a', targetHost: '127.0.0.1', targetPort: (this.echo.address() as net.AddressInfo).port, stopAfterMs: 120_000 }));
  }

  async teardown(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    await this.fake?.close();
    await new Promise((r) => (this.echo ? this.echo.close(r) : r(undefined)));
  }

  clientEndpoints(): readonly Endpoint[] {
    return [{ nodeId: 'fake-1', host: '127.0.0.1', port: this.proxies.get('client->fake-1')!.port }];
  }

  links(): ReadonlyMap<string, LinkProxy> {
    return this.proxies;
  }

  async primary(): Promise<string | undefined> {
    return 'fake-1';
  }

  private touching(id: string): LinkProxy[] {
    return [...this.proxies].filter(([name]) => name.split('->').includes(id)).map(([, p]) => p);
  }

  async kill(id: string): Promise<void> { this.actions.push(`kill ${id}`); for (const p of this.touching(id)) p.refuse(); }
  async start(id: string): Promise<void> { this.actions.push(`start ${id}`); for (const p of this.touching(id)) p.heal(); }
  async pause(id: string): Promise<void> { this.actions.push(`pause ${id}`); for (const p of this.touching(id)) p.blackhole(); }
  async resume(id: string): Promise<void> { this.actions.push(`resume ${id}`); for (const p of this.touching(id)) p.heal(); }
  async wipe(id: string): Promise<void> { this.actions.push(`wipe ${id}`); }
  unexpectedExits(): readonly string[] { return this.crashed; }
}
