// The Sentinel-protocol endpoint `keel up` serves: unmodified clients in Sentinel mode (ioredis
// `sentinels: […]`, node-redis `createSentinel`) ask it where the primary is, and hear
// `+switch-master` (and `+sdown`/`-sdown`) on pub/sub when discovery sees a change.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { RequestReader } from '../resp/request-reader.js';
import { encodeReply, type ProtocolVersion } from '../resp/encoder.js';
import { ErrorReply, MapReply, MultiReply, OK, PONG, PushReply, type Reply } from '../resp/reply.js';
import { globMatch } from './glob.js';
import { callOnce } from './resp-client.js';
import { sentinelInfo, sentinelReply, type SentinelView } from './sentinel-replies.js';
import type { Discovery } from './discovery.js';
import type { TopologyEvent } from './topology.js';
import type { ClusterLimits } from './limits.js';

export interface SentinelServerOptions {
  host: string;
  port: number;
  masterName: string;
  discovery: Discovery;
  limits: ClusterLimits;
}

interface SentinelClient {
  socket: net.Socket;
  protocol: ProtocolVersion;
  channels: Set<string>;
  patterns: Set<string>;
  name: string | null;
}

export class SentinelServer {
  readonly runId = randomBytes(20).toString('hex');
  private readonly server: net.Server;
  private readonly clients = new Set<SentinelClient>();
  private readonly startedAt = Date.now();
  private configEpoch = 0;
  private unsubscribe: (() => void) | null = null;
  private boundPort = 0;

  constructor(private readonly options: SentinelServerOptions) {
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.maxConnections = options.limits.sentinelClientsMax;
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => { this.server.off('error', reject); resolve(); });
    });
    this.boundPort = (this.server.address() as net.AddressInfo).port;
    this.unsubscribe = this.options.discovery.onEvent((event) => this.announce(event));
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    for (const client of this.clients) client.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private view(): SentinelView {
    const discovery = this.options.discovery;
    return {
      masterName: this.options.masterName,
      runId: this.runId,
      sentinelAddr: `${this.options.host}:${this.boundPort}`,
      topology: discovery.topology,
      lastPrimary: discovery.lastPrimary,
      configEpoch: this.configEpoch,
      downAfterMs: this.options.limits.discoveryRequestTimeoutMs,
    };
  }

  /** Turns a topology event into the messages a real Sentinel publishes for it. */
  private announce(event: TopologyEvent): void {
    const name = this.options.masterName;
    switch (event.kind) {
      case 'switch-master': {
        if (!event.from) return; // the first primary discovered is no switch
        this.configEpoch++;
        this.publish('+switch-master', `${name} ${event.from.host} ${event.from.port} ${event.to.host} ${event.to.port}`);
        void this.disconnectClientsOf(event.from);
        return;
      }
      case 'sdown':
      case 'sdown-cleared': {
        const primary = this.options.discovery.lastPrimary;
        const isPrimary = primary !== null && primary.id === event.id;
        const channel = event.kind === 'sdown' ? '+sdown' : '-sdown';
        const what = isPrimary
          ? `master ${name} ${event.addr.host} ${event.addr.port}`
          : `slave ${event.addr.host}:${event.addr.port} ${event.addr.host} ${event.addr.port} @ ${name} ${primary ? primary.addr.replace(/:(\d+)$/, ' $1') : '? 0'}`;
        this.publish(channel, what);
        return;
      }
    }
  }

  /**
   * As a real Sentinel does after a failover: the old primary (now a replica, if it lives)
   * drops its normal and pub/sub clients, so that clients which did not hear +switch-master
   * reconnect, ask again, and find the new primary instead of getting -READONLY.
   */
  private async disconnectClientsOf(addr: { host: string; port: number }): Promise<void> {
    for (const type of ['normal', 'pubsub']) {
      await callOnce(addr.host, addr.port, this.options.limits.discoveryRequestTimeoutMs, 'CLIENT', 'KILL', 'TYPE', type).catch(() => undefined);
    }
  }

  publish(channel: string, message: string): number {
    let receivers = 0;
    for (const client of this.clients) {
      if (client.channels.has(channel)) { this.send(client, new PushReply(['message', channel, message])); receivers++; }
      for (const pattern of client.patterns) {
        if (globMatch(pattern, channel)) { this.send(client, new PushReply(['pmessage', pattern, channel, message])); receivers++; }
      }
    }
    return receivers;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const client: SentinelClient = { socket, protocol: 2, channels: new Set(), patterns: new Set(), name: null };
    this.clients.add(client);
    const limits = this.options.limits;
    const reader = new RequestReader(
      { protoMaxBulkLenBytes: limits.sentinelQueryBufferBytes, multibulkLenMax: 1024, inlineLenBytes: limits.sentinelQueryBufferBytes, queryBufferBytes: limits.sentinelQueryBufferBytes },
      {
        command: (argv) => this.send(client, this.execute(client, argv)),
        protocolError: (message) => { this.send(client, new ErrorReply(`ERR ${message}`)); socket.end(); },
      },
    );
    socket.on('data', (chunk) => reader.feed(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.clients.delete(client));
  }

  private send(client: SentinelClient, reply: Reply | undefined): void {
    if (reply === undefined || client.socket.destroyed) return;
    client.socket.write(encodeReply(reply, client.protocol), 'latin1');
  }

  private execute(client: SentinelClient, argv: string[]): Reply | undefined {
    const name = argv[0]!.toLowerCase();
    const args = argv.slice(1);
    switch (name) {
      case 'ping':
        if (client.channels.size + client.patterns.size > 0 && client.protocol === 2) return ['pong', args[0] ?? ''];
        return args.length > 0 ? args[0]! : PONG;
      case 'sentinel':
        return sentinelReply(this.view(), args);
      case 'info':
        return sentinelInfo(this.view(), args[0], Math.floor((Date.now() - this.startedAt) / 1000));
      case 'role':
        return ['sentinel', [this.options.masterName]];
      case 'hello':
        return this.hello(client, args);
      case 'auth':
        return new ErrorReply('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
      case 'client':
        return this.clientCommand(client, args);
      case 'command':
        return [];
      case 'subscribe':
      case 'psubscribe': {
        if (args.length === 0) return new ErrorReply(`ERR wrong number of arguments for '${name}' command`);
        const set = name === 'subscribe' ? client.channels : client.patterns;
        return new MultiReply(args.map((channel) => {
          set.add(channel);
          return new PushReply([name, channel, client.channels.size + client.patterns.size]);
        }));
      }
      case 'unsubscribe':
      case 'punsubscribe': {
        const set = name === 'unsubscribe' ? client.channels : client.patterns;
        const targets = args.length > 0 ? args : [...set];
        if (targets.length === 0) return new PushReply([name, null, client.channels.size + client.patterns.size]);
        return new MultiReply(targets.map((channel) => {
          set.delete(channel);
          return new PushReply([name, channel, client.channels.size + client.patterns.size]);
        }));
      }
      case 'quit':
        client.socket.end(encodeReply(OK, client.protocol), 'latin1');
        return undefined;
      default:
        return new ErrorReply(`ERR unknown command '${argv[0]}', with args beginning with: ${args.slice(0, 3).map((arg) => `'${arg}' `).join('')}`);
    }
  }

  private hello(client: SentinelClient, args: string[]): Reply {
    if (args.length > 0) {
      const version = Number(args[0]);
      if (version !== 2 && version !== 3) return new ErrorReply('NOPROTO unsupported protocol version');
      client.protocol = version;
      for (let i = 1; i < args.length; i++) {
        const option = args[i]!.toLowerCase();
        if (option === 'setname' && i + 1 < args.length) client.name = args[++i]!;
        else if (option === 'auth' && i + 2 < args.length) i += 2;
        else return new ErrorReply(`ERR Syntax error in HELLO option '${args[i]}'`);
      }
    }
    return new MapReply(['server', 'redis', 'version', '7.2.0', 'proto', client.protocol, 'id', 1, 'mode', 'sentinel', 'role', 'sentinel', 'modules', []]);
  }

  private clientCommand(client: SentinelClient, args: string[]): Reply {
    switch ((args[0] ?? '').toLowerCase()) {
      case 'setname': client.name = args[1] ?? null; return OK;
      case 'getname': return client.name;
      case 'setinfo': return OK;
      case 'id': return 1;
      default: return new ErrorReply(`ERR unknown subcommand '${args[0] ?? ''}'`);
    }
  }
}

