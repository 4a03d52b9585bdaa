// The RESP server of a database node: accepts connections, runs their commands on the
// engine, hands effects to the committer, and releases replies as commits arrive.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { Engine } from '../engine/engine.js';
import type { EffectBatch } from '../engine/effects.js';
import type { ExpiryPolicy } from '../engine/keyspace.js';
import { BlockRequest, DeferredReply, type CommandSpec } from '../commands/spec.js';
import type { ReplicationServices } from '../commands/server-services.js';
import { DirtyKeyTracker } from '../replication/dirty-keys.js';
import type { ServerServices, SnapshotServices } from '../commands/server-services.js';
import type { ClientState } from '../commands/client-state.js';
import { encodeReply } from '../resp/encoder.js';
import { ErrorReply, Errors, type Reply } from '../resp/reply.js';
import { assertServerLimits } from '../config/limits.js';
import { Connection, type ConnectionHost } from './connection.js';
import { PubSub } from './pubsub.js';
import { BlockedClients } from './blocking.js';
import { Slowlog } from './slowlog.js';
import { InMemoryCommitter, type Committer } from './commit.js';
import { configParams } from './config-params.js';
import type { ServerSettings } from './settings.js';
import { renderInfo } from './info.js';
import { renderClientInfo } from './client-info.js';
import { globMatch } from '../commands/args.js';
import { KEEL_VERSION } from '../version.js';

export interface CommandStats {
  calls: number;
  micros: number;
  rejected: number;
  failed: number;
}

/** What the replication layer adds to a server: WAIT/REPLCONF services, ROLE and INFO. */
export interface ReplicationHooks extends ReplicationServices {
  roleReply(): Reply;
  infoFields(): [string, string | number][];
}

/** Where the node stands; the dispatcher refuses most commands while 'loading'. */
export type ServingState = 'loading' | 'serving' | 'degraded';

export class KeelServer implements ConnectionHost {
  engine: Engine;
  committer: Committer;
  /** Keys with uncommitted writes (the primary's read path). */
  dirtyKeys: DirtyKeyTracker;
  state: ServingState = 'serving';
  /** Why the node is degraded (replies that would reveal uncertain state get this error). */
  degradedReason = '';
  /** Largest write (sum of argument bytes) the log can hold in one entry; 0 = no log, no limit. */
  writeBytesMax = 0;
  /** The node's replication layer (a node with a log attached); feeds WAIT, ROLE, INFO. */
  replication: ReplicationHooks | null = null;
  readonly pubsub = new PubSub();
  readonly blocked = new BlockedClients();
  readonly slowlog: Slowlog;
  readonly connections = new Map<number, Connection>();
  /** Connections holding replies that wait for a commit: the only ones a commit must visit. */
  private readonly waitingConnections = new Set<Connection>();
  /** Connections in MONITOR mode (kept apart so that normal commands pay nothing). */
  private readonly monitors = new Set<Connection>();
  readonly commandStats = new Map<string, CommandStats>();
  readonly startedAtMs = Date.now();
  readonly stats = { connectionsReceived: 0, commandsProcessed: 0, rejectedConnections: 0, expiredKeys: 0 };
  readonly services: ServerServices;
  /** Who serves: 'primary' executes writes; 'replica' refuses them (see dispatch). */
  policy: ExpiryPolicy = 'primary';
  lastSaveSeconds = Math.floor(Date.now() / 1000);
  /** engine.changesTotal when the newest save of this node started, or when loading ended. */
  changesAtLastSave = 0;
  /** SAVE / BGSAVE (set by the database node when it has a snapshot store). */
  snapshots: SnapshotServices | null = null;
  readonly runId = randomBytes(20).toString('hex');
  /** How writes are made durable, for INFO persistence ('memory' = no log attached). */
  durabilityName = 'memory';
  private readonly listener: net.Server;
  private nextClientId = 1;
  private expireTimer: NodeJS.Timeout | null = null;
  private readonly params;

  constructor(
    readonly settings: ServerSettings,
    readonly logger: Logger,
    committer: Committer = new InMemoryCommitter(),
    engine?: Engine,
  ) {
    assertServerLimits(settings.limits);
    this.engine = engine ?? new Engine({ databases: settings.databases });
    this.committer = committer;
    this.dirtyKeys = new DirtyKeyTracker(this.engine.commands);
    this.slowlog = new Slowlog(settings.limits.slowlogSlowerThanMicros, settings.limits.slowlogEntriesMax);
    this.params = configParams(settings, this.slowlog);
    this.services = this.buildServices();
    this.listener = net.createServer((socket) => this.accept(socket));
    this.setCommitter(committer);
  }

  /**
   * Monotonic time (performance.now) until which this node may serve as primary, or null when
   * no lease applies (replicas, a node without a log). Checked on every command.
   */
  leaseValidUntilMs: number | null = null;

  /** Why data commands are refused right now, or null. */
  unavailableReply(): ErrorReply | null {
    if (this.state === 'loading') return Errors.loading;
    if (this.leaseValidUntilMs !== null && performance.now() >= this.leaseValidUntilMs) return primaryLeaseExpired;
    return null;
  }

  /** Switches where effects go (primary: the log; replica: nowhere). */
  setCommitter(committer: Committer): void {
    this.committer = committer;
    this.dirtyKeys.reset();
    committer.onCommitted((lsn) => {
      if (this.committer !== committer) return;
      this.dirtyKeys.pruneCommitted(lsn);
      for (const connection of this.waitingConnections) {
        connection.commitAdvanced(lsn);
        if (connection.waitingReplies === 0) this.waitingConnections.delete(connection);
      }
    });
  }

  /** Installs a rebuilt data set; clients' WATCHes and blocked commands are void. */
  replaceEngine(engine: Engine): void {
    for (const connection of this.connections.values()) {
      const hadWatches = connection.watched.size > 0;
      this.engine.unwatchAll(connection);
      if (hadWatches) connection.watchDirty = true; // its EXEC must abort: what it watched is gone
      if (connection.blocked) {
        this.unblock(connection);
        connection.reply(new ErrorReply('UNBLOCKED the data set was rebuilt from the log; retry'));
        setImmediate(() => connection.resume());
      }
    }
    this.engine = engine;
    this.dirtyKeys = new DirtyKeyTracker(engine.commands);
  }

  /** Fails every reply still waiting for a commit (the outcome of those writes is unknown). */
  failAllPending(message: string): void {
    const text = `-${message}\r\n`;
    for (const connection of this.connections.values()) connection.failPending(text);
    this.waitingConnections.clear();
  }

  get committedLsn(): number {
    return this.committer.committedLsn;
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(this.settings.port, this.settings.host, () => {
        this.listener.off('error', reject);
        const address = this.listener.address() as net.AddressInfo;
        this.settings.port = address.port;
        this.expireTimer = setInterval(() => this.activeExpire(), this.settings.limits.activeExpireIntervalMs);
        this.expireTimer.unref();
        resolve(address.port);
      });
    });
  }

  async close(): Promise<void> {
    if (this.expireTimer) clearInterval(this.expireTimer);
    for (const connection of this.connections.values()) connection.close(true);
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.stats.connectionsReceived++;
    if (this.connections.size >= this.settings.limits.maxClients) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const limits = this.settings.limits;
    const connection = new Connection(this.nextClientId++, socket, this, limits, this.settings.requirepass !== '');
    this.connections.set(connection.id, connection);
  }

  waitingForCommit(connection: Connection): void {
    this.waitingConnections.add(connection);
  }

  connectionClosed(connection: Connection): void {
    this.connections.delete(connection.id);
    this.waitingConnections.delete(connection);
    this.monitors.delete(connection);
    this.unblock(connection);
    this.pubsub.dropConnection(connection);
    this.engine.unwatchAll(connection);
  }

  outputLimitBytes(connection: Connection): number {
    return connection.subscriptionCount() > 0 ? this.settings.limits.outputBufferPubsubBytes : this.settings.limits.outputBufferNormalBytes;
  }

  // --- command execution ------------------------------------------------------------------------

  executeCommand(connection: Connection, argv: string[]): void {
    this.feedMonitors(connection, argv);
    const startedAt = performance.now();
    const outcome = this.engine.execute(connection, argv, this.policy, this.services);
    const micros = Math.floor((performance.now() - startedAt) * 1000);
    this.stats.commandsProcessed++;
    const command = argv[0]!.toLowerCase();
    const name = outcome.spec ? (outcome.spec.name !== command ? `${command}|${outcome.spec.name}` : command) : null;
    if (name !== null) {
      let stats = this.commandStats.get(name);
      if (stats === undefined) this.commandStats.set(name, (stats = { calls: 0, micros: 0, rejected: 0, failed: 0 }));
      stats.calls++;
      stats.micros += micros;
      if (outcome.reply instanceof ErrorReply) stats.failed++;
      if (this.slowlog.isSlow(micros)) this.slowlog.record(argv, micros, connection.address, connection.name);
    }
    connection.lastCommandName = name ?? command;
    if (outcome.reply instanceof BlockRequest) {
      this.block(connection, argv, outcome.reply);
    } else if (outcome.reply instanceof DeferredReply) {
      this.defer(connection, outcome.reply);
    } else {
      this.replyAfterCommit(connection, outcome.reply, outcome.effects, outcome.spec, argv);
    }
    if (this.blocked.size > 0) this.serveBlockedClients();
  }

  /**
   * Commits a command's effects and queues its reply behind everything it depends on: its
   * own effects and every uncommitted write to the keys it read (DESIGN.md §4, read path).
   */
  private replyAfterCommit(connection: Connection, reply: Reply, effects: EffectBatch, spec: CommandSpec | null, argv: string[]): void {
    let waitLsn: number;
    if (effects.length > 0) {
      // A write's own LSN is the newest handed out: it is at or above every dirty key's.
      waitLsn = this.commit(effects);
      connection.lastWriteLsn = waitLsn;
    } else {
      waitLsn = this.dirtyKeys.waitLsnFor(spec, argv, this.committer.committedLsn);
    }
    if (this.state === 'degraded' && waitLsn > this.committer.committedLsn) {
      connection.reply(new ErrorReply(`TRYAGAIN ${this.degradedReason}`));
      return;
    }
    connection.reply(reply, waitLsn);
  }

  /** Hands effects to the committer; returns the LSN the reply must wait for. */
  commit(effects: EffectBatch): number {
    if (effects.length === 0) return 0;
    const lsn = this.committer.submit(effects);
    // Only writes still waiting for the log make keys dirty (a memory-only node commits at once).
    if (lsn > this.committer.committedLsn) this.dirtyKeys.noteWrites(effects, lsn);
    return lsn;
  }

  // --- blocking -------------------------------------------------------------------------------

  private block(connection: Connection, argv: string[], request: BlockRequest): void {
    const timer = request.deadlineMs === 0 ? null : setTimeout(() => {
      if (connection.blocked?.request !== request) return;
      this.unblock(connection);
      connection.reply(request.timeoutReply);
      connection.resume();
    }, Math.max(0, request.deadlineMs - Date.now()));
    connection.blocked = { argv, request, timer };
    this.blocked.add(connection, connection.dbIndex, request.keys);
    this.engine.wakeTracking = true;
  }

  /** Holds the connection until a deferred reply (WAIT) settles. */
  private defer(connection: Connection, deferred: DeferredReply): void {
    const request = new BlockRequest([], 0, null);
    connection.blocked = { argv: [], request, timer: null };
    deferred.promise.then(
      (reply) => { if (connection.blocked?.request === request) { connection.blocked = null; connection.reply(reply); connection.resume(); } },
      (error: unknown) => { if (connection.blocked?.request === request) { connection.blocked = null; connection.reply(new ErrorReply(`ERR ${String(error)}`)); connection.resume(); } },
    );
  }

  unblock(connection: Connection): void {
    const state = connection.blocked;
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    if (state.request.keys.length > 0) this.blocked.remove(connection, connection.dbIndex, state.request.keys);
    connection.blocked = null;
    if (this.blocked.size === 0) this.engine.wakeTracking = false;
  }

  /** Re-runs the commands of clients blocked on keys that were touched, FIFO per key. */
  serveBlockedClients(): void {
    let touched = this.engine.drainTouchedKeys();
    while (touched.length > 0) {
      for (const { db, key } of touched) {
        for (const connection of this.blocked.waitingOn(db, key)) {
          const state = connection.blocked;
          if (!state) continue;
          const outcome = this.engine.execute(connection, state.argv, this.policy, this.services);
          if (outcome.reply instanceof BlockRequest) continue;
          // The key now holds another type: Redis keeps the client blocked (it only wakes for data).
          if (outcome.reply instanceof ErrorReply && outcome.reply.message.startsWith('WRONGTYPE')) continue;
          this.unblock(connection);
          this.replyAfterCommit(connection, outcome.reply, outcome.effects, outcome.spec, state.argv);
          setImmediate(() => connection.resume());
        }
      }
      touched = this.engine.drainTouchedKeys();
    }
  }

  // --- background work --------------------------------------------------------------------------

  private activeExpire(): void {
    if (this.policy !== 'primary') return;
    const effects = this.engine.activeExpireStep(this.settings.limits.activeExpireKeysPerStep);
    if (effects.length === 0) return;
    this.stats.expiredKeys += effects.length;
    this.commit(effects);
    if (this.blocked.size > 0) this.serveBlockedClients();
  }

  private feedMonitors(connection: Connection, argv: string[]): void {
    if (this.monitors.size === 0) return;
    const monitors = [...this.monitors].filter((candidate) => candidate !== connection);
    const now = Date.now() / 1000;
    const args = argv.map((arg) => `"${arg.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f-\xff]/g, (c) => {
      const escapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b' };
      return escapes[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    })}"`).join(' ');
    const line = `+${now.toFixed(6)} [${connection.dbIndex} ${connection.address}] ${args}\r\n`;
    for (const monitor of monitors) monitor.push(line);
  }

  // --- services for connection/server commands ------------------------------------------------

  private connectionOf(client: ClientState): Connection {
    const connection = this.connections.get(client.id);
    if (!connection) throw new Error(`no connection for client ${client.id}`);
    return connection;
  }

  private buildServices(): ServerServices {
    const server = this;
    return {
      config: {
        get: (pattern) => {
          const result: [string, string][] = [];
          for (const param of this.params) if (globMatch(pattern, param.name, true)) result.push([param.name, param.get()]);
          return result;
        },
        set: (name, value) => {
          const param = this.params.find((candidate) => candidate.name === name.toLowerCase());
          if (!param) return `Unknown option or number of arguments for CONFIG SET - '${name}'`;
          if (!param.set) return `CONFIG SET failed (possibly related to argument '${name.toLowerCase()}') - can't set immutable config`;
          const error = param.set(value);
          return error === null ? null : `CONFIG SET failed (possibly related to argument '${name.toLowerCase()}') - ${error}`;
        },
        resetStats: () => {
          this.commandStats.clear();
          this.stats.commandsProcessed = 0;
          this.stats.connectionsReceived = 0;
          this.stats.rejectedConnections = 0;
          this.stats.expiredKeys = 0;
          this.slowlog.reset();
        },
      },
      clients: {
        list: (filter) => {
          const lines: string[] = [];
          for (const connection of this.connections.values()) {
            if (filter?.ids && !filter.ids.includes(connection.id)) continue;
            if (filter?.type && clientType(connection) !== filter.type) continue;
            lines.push(renderClientInfo(connection));
          }
          return lines.map((line) => `${line}\n`).join('');
        },
        info: (client) => `${renderClientInfo(this.connectionOf(client))}\n`,
        kill: (filter, self) => {
          let killed = 0;
          for (const connection of [...this.connections.values()]) {
            if (filter.id !== undefined && connection.id !== filter.id) continue;
            if (filter.addr !== undefined && connection.address !== filter.addr) continue;
            if (filter.laddr !== undefined && connection.localAddress !== filter.laddr) continue;
            if (filter.user !== undefined && filter.user !== 'default') continue;
            if (filter.type !== undefined && clientType(connection) !== filter.type) continue;
            if (filter.skipMe !== false && connection.id === self.id) continue;
            killed++;
            if (connection.id === self.id) connection.closeAfterReplies();
            else connection.close(false);
          }
          return killed;
        },
        unblock: (id, mode) => {
          const connection = this.connections.get(id);
          const state = connection?.blocked;
          if (!connection || !state) return false;
          this.unblock(connection);
          connection.reply(mode === 'error' ? new ErrorReply('UNBLOCKED client unblocked via CLIENT UNBLOCK') : state.request.timeoutReply);
          setImmediate(() => connection.resume());
          return true;
        },
        setReplyMode: (client, mode) => {
          // As Redis: ON replies OK; OFF and SKIP send no reply themselves, and SKIP also
          // drops the reply of the next command.
          const connection = this.connectionOf(client);
          connection.replyMode = mode === 'off' ? 'off' : 'on';
          connection.skipReplies = mode === 'skip' ? 2 : 0;
        },
        setNoEvict: (client, on) => { this.connectionOf(client).noEvict = on; },
        closeAfterReply: (client) => this.connectionOf(client).closeAfterReplies(),
        reset: (client) => {
          const connection = this.connectionOf(client);
          this.pubsub.dropConnection(connection);
          this.engine.unwatchAll(connection);
          connection.multi = null;
          connection.multiFailed = false;
          connection.dbIndex = 0;
          connection.protocol = 2;
          connection.name = '';
          connection.monitor = false;
          this.monitors.delete(connection);
          connection.replyMode = 'on';
          connection.skipReplies = 0;
          connection.noEvict = false;
          connection.authenticated = this.settings.requirepass === '';
        },
        startMonitor: (client) => {
          const connection = this.connectionOf(client);
          connection.monitor = true;
          this.monitors.add(connection);
        },
      },
      pubsub: {
        publish: (channel, message) => this.pubsub.publish(channel, message),
        subscribe: (client, channels, pattern) => this.pubsub.subscribe(this.connectionOf(client), channels, pattern),
        unsubscribe: (client, channels, pattern) => this.pubsub.unsubscribe(this.connectionOf(client), channels, pattern),
        channels: (pattern) => this.pubsub.channelNames(pattern),
        numsub: (channels) => channels.map((channel) => [channel, this.pubsub.subscriberCount(channel)]),
        numpat: () => this.pubsub.patternCount(),
      },
      info: (sections) => renderInfo(server, sections),
      slowlog: {
        get: (count) => this.slowlog.get(count),
        len: () => this.slowlog.length,
        reset: () => this.slowlog.reset(),
      },
      lastSave: () => this.lastSaveSeconds,
      get snapshots() { return server.snapshots; },
      get unavailable() { return server.unavailableReply(); },
      get writeBytesMax() { return server.writeBytesMax; },
      get writeRefusal() { return server.state === 'degraded' ? new ErrorReply(`TRYAGAIN ${server.degradedReason}`) : null; },
      get replication() { return server.replication; },
      role: (): Reply => this.replication?.roleReply() ?? ['master', 0, []],
      checkPassword: (password) => {
        if (this.settings.requirepass === '') return 'none-set';
        return password === this.settings.requirepass ? 'ok' : 'wrong';
      },
      facts: { version: KEEL_VERSION, mode: 'standalone', get role() { return server.policy === 'replica' ? 'replica' as const : 'master' as const; } },
    };
  }

  /** Encodes a reply for a client's protocol (used by tests and MONITOR-like paths). */
  static encode(reply: Reply, protocol: 2 | 3): string {
    return encodeReply(reply, protocol);
  }
}

const primaryLeaseExpired = new ErrorReply('TRYAGAIN this primary\'s lease has expired; a failover may be in progress');

export function clientType(connection: Connection): string {
  if (connection.subscriptionCount() > 0) return 'pubsub';
  return 'normal';
}
