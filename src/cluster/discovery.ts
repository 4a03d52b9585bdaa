// Discovery: asks every db node `INFO replication` every discoveryPollMs (one persistent
// connection per node) and keeps the current topology. Listeners hear the events a change
// implies (+switch-master, +sdown, -sdown); the Sentinel endpoint and `keel failover` use it.
import { computeTopology, parseReplicationInfo, topologyEvents, unreachableReport, type DbNodeReport, type Topology, type TopologyEvent } from './topology.js';
import { NodeUnreachableError, RespClient } from './resp-client.js';
import { splitAddr } from './layout.js';

export interface DiscoveryTarget {
  id: string;
  addr: string;
}

export interface DiscoveryOptions {
  nodes: DiscoveryTarget[];
  pollMs: number;
  /** Poll interval while no primary serves; pollMs when absent. */
  pollFastMs?: number;
  requestTimeoutMs: number;
}

export async function askReplicationInfo(client: RespClient, target: DiscoveryTarget): Promise<DbNodeReport> {
  // A connection the node closed (CLIENT KILL after a failover, a restart) is retried once at
  // once, so that one dropped connection does not read as a node going down.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const reply = await client.call('INFO', 'replication');
      if (typeof reply !== 'string') return unreachableReport(target.id, target.addr);
      return parseReplicationInfo(target.id, target.addr, reply);
    } catch (error) {
      if (!(error instanceof NodeUnreachableError && error.closedByPeer)) break;
    }
  }
  return unreachableReport(target.id, target.addr);
}

export class Discovery {
  private readonly clients: Map<string, RespClient>;
  private current: Topology | null = null;
  /** The primary clients were last told about: survives polls that find none. */
  private announced: DbNodeReport | null = null;
  private readonly listeners = new Set<(event: TopologyEvent, topology: Topology) => void>();
  private readonly pollListeners = new Set<(topology: Topology) => void>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private polling: Promise<void> | null = null;

  constructor(private readonly options: DiscoveryOptions) {
    this.clients = new Map(options.nodes.map((node) => {
      const { host, port } = splitAddr(node.addr);
      return [node.id, new RespClient(host, port, options.requestTimeoutMs)];
    }));
  }

  get topology(): Topology | null {
    return this.current;
  }

  /** The last primary announced to clients (the address Sentinel reports while none serves). */
  get lastPrimary(): DbNodeReport | null {
    return this.announced;
  }

  get targets(): DiscoveryTarget[] {
    return this.options.nodes;
  }

  onEvent(listener: (event: TopologyEvent, topology: Topology) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    const loop = async (): Promise<void> => {
      if (this.stopped) return;
      const startedAt = Date.now();
      await this.pollOnce();
      if (this.stopped) return;
      const intervalMs = this.current?.primary ? this.options.pollMs : this.options.pollFastMs ?? this.options.pollMs;
      this.timer = setTimeout(() => void loop(), Math.max(0, intervalMs - (Date.now() - startedAt)));
    };
    void loop();
  }

  /** Asks every node once and updates the topology (emitting what changed). */
  pollOnce(): Promise<void> {
    this.polling ??= (async () => {
      const reports = await Promise.all(this.options.nodes.map((node) => askReplicationInfo(this.clients.get(node.id)!, node)));
      if (this.stopped) return;
      const next = computeTopology(reports);
      const events = topologyEvents(this.announced, this.current, next);
      this.current = next;
      if (next.primary) this.announced = next.primary;
      for (const event of events) for (const listener of this.listeners) listener(event, next);
      for (const listener of this.pollListeners) listener(next);
    })().finally(() => { this.polling = null; });
    return this.polling;
  }

  /** Resolves with the first topology (polled from now on) that `accept` takes; null on timeout. */
  waitFor(accept: (topology: Topology) => boolean, timeoutMs: number): Promise<Topology | null> {
    if (this.current && accept(this.current)) return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const done = (result: Topology | null) => { clearTimeout(timer); this.pollListeners.delete(listener); resolve(result); };
      const listener = (topology: Topology) => { if (accept(topology)) done(topology); };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.pollListeners.add(listener);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const client of this.clients.values()) client.close();
  }
}
