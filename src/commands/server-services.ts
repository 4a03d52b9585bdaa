// What connection-, pub/sub- and server-level commands need from the server around the
// engine. Data-type commands never use it. `detachedServer` serves engine-only execution
// (applying effects, property tests), where such commands are never run.
import type { ErrorReply, Reply } from '../resp/reply.js';
import type { ClientState } from './client-state.js';

export interface ServerServices {
  /** Sub-object per concern, implemented by src/server/. */
  readonly config: {
    get(pattern: string): [string, string][];
    /** Returns an error message (without `ERR `) or null when applied. */
    set(name: string, value: string): string | null;
    resetStats(): void;
  };
  readonly clients: {
    /** CLIENT subcommands that act on connections. */
    list(filter?: { type?: string; ids?: number[] }): string;
    info(client: ClientState): string;
    /** Kills matching clients; returns how many. */
    kill(filter: { id?: number; addr?: string; laddr?: string; user?: string; skipMe?: boolean; type?: string }, self: ClientState): number;
    unblock(id: number, mode: 'timeout' | 'error'): boolean;
    setReplyMode(client: ClientState, mode: 'on' | 'off' | 'skip'): void;
    setNoEvict(client: ClientState, on: boolean): void;
    /** Marks the client to close after its pending replies. */
    closeAfterReply(client: ClientState): void;
    reset(client: ClientState): void;
    startMonitor(client: ClientState): void;
  };
  readonly pubsub: {
    publish(channel: string, message: string): number;
    subscribe(client: ClientState, channels: string[], pattern: boolean): Reply[];
    unsubscribe(client: ClientState, channels: string[], pattern: boolean): Reply[];
    channels(pattern: string | null): string[];
    numsub(channels: string[]): [string, number][];
    numpat(): number;
  };
  /** INFO text for the requested sections (already lower case; empty = default). */
  info(sections: string[]): string;
  readonly slowlog: {
    get(count: number): Reply;
    len(): number;
    reset(): void;
  };
  /** Unix time (seconds) of the last successful save/snapshot. */
  lastSave(): number;
  /** SAVE / BGSAVE: off-box snapshots of this node's shard; null when the node has no log or store. */
  readonly snapshots: SnapshotServices | null;
  /** Replication role as ROLE reports it. */
  role(): Reply;
  /** Whether `requirepass` is set, and a check of a password. */
  checkPassword(password: string): 'ok' | 'wrong' | 'none-set';
  /** Largest total argument size of a write (it must fit one log entry); 0 = no limit. */
  readonly writeBytesMax: number;
  /** Set while writes must be refused (e.g. the log quorum is unreachable). */
  readonly writeRefusal: ErrorReply | null;
  /** Replication facts and waits (WAIT, WAITAOF, REPLCONF); null on a node without a log. */
  readonly replication: ReplicationServices | null;
  /**
   * Set while the node must not serve data (loading its data set: -LOADING; a primary whose
   * lease ran out: -TRYAGAIN). Commands flagged 'loading' (PING, INFO, …) still run.
   */
  readonly unavailable: ErrorReply | null;
  /** Server id/version facts for HELLO and INFO. */
  readonly facts: { version: string; mode: 'standalone'; role: 'master' | 'replica' };
}

export interface SnapshotServices {
  /** Takes a snapshot; resolves once it is written and verified, rejects with the reason. */
  save(): Promise<void>;
  /** Starts a snapshot in the background; false when one is already running. */
  startBackground(): boolean;
  /** Runs one more snapshot after the running one (BGSAVE SCHEDULE). */
  schedule(): void;
  readonly inProgress: boolean;
}

export interface ReplicationServices {
  /** Resolves with the number of replicas that applied `lsn`, once ≥ count or at the deadline. */
  waitForReplicas(lsn: number, count: number, timeoutMs: number): Promise<number>;
  /** The number of replicas that applied `lsn` now (WAIT/WAITAOF where they cannot block). */
  replicasAt(lsn: number): number;
  /** Whether `lsn` is committed to the log quorum (WAITAOF's "local" fsync). */
  isCommitted(lsn: number): boolean;
  /**
   * Planned failover: checks synchronously (throws Error('ERR …') when it cannot start), then
   * hands over in the background. `to` is a replica's host:port, or null for the most caught up.
   */
  startFailover(to: string | null, timeoutMs: number, force: boolean): void;
  /** A replica reports what it applied (REPLCONF). */
  ack(nodeId: string, address: string, appliedLsn: number): void;
  /** The last LSN this node applied from the log (a replica's position; INFO persistence). */
  readonly appliedLsn: number;
}

function unavailable(): never {
  throw new Error('server services are not available in engine-only execution');
}

export const detachedServer: ServerServices = {
  config: { get: unavailable, set: unavailable, resetStats: unavailable },
  clients: {
    list: unavailable, info: unavailable, kill: unavailable, unblock: unavailable, setReplyMode: unavailable,
    setNoEvict: unavailable, closeAfterReply: unavailable, reset: unavailable, startMonitor: unavailable,
  },
  pubsub: {
    publish: unavailable, subscribe: unavailable, unsubscribe: unavailable, channels: unavailable,
    numsub: unavailable, numpat: unavailable,
  },
  info: unavailable,
  slowlog: { get: unavailable, len: unavailable, reset: unavailable },
  lastSave: unavailable,
  snapshots: null,
  role: unavailable,
  checkPassword: unavailable,
  unavailable: null,
  writeRefusal: null,
  writeBytesMax: 0,
  replication: null,
  facts: { version: '7.2.0', mode: 'standalone', role: 'master' },
};
