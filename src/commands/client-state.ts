// What a command may know about the client that sent it. The server's connection object
// implements it; the engine-only paths (applying effects, tests) use `detachedClient`.
import type { ProtocolVersion } from '../resp/encoder.js';

export interface QueuedCommand {
  argv: string[];
}

export interface ClientState {
  readonly id: number;
  name: string;
  dbIndex: number;
  protocol: ProtocolVersion;
  authenticated: boolean;
  /** Commands queued since MULTI, or null outside a transaction. */
  multi: QueuedCommand[] | null;
  /** Set when a queued command was refused: EXEC then fails with EXECABORT. */
  multiFailed: boolean;
  /** Keys watched by WATCH, as `${db}\0${key}`, with whether each was live when watched. */
  watched: Map<string, { db: number; key: string; existed: boolean }>;
  /** Set when a watched key was touched: EXEC then returns a null array. */
  watchDirty: boolean;
  /** RESP2 subscribed state: number of channel and pattern subscriptions. */
  subscriptionCount(): number;
  /**
   * WAITAOF's local wait: resolves true once `lsn` is committed to the log quorum, false when
   * `timeoutMs` (> 0; 0 = no deadline) passes first or the commit fails. Only on a connection.
   */
  whenCommitted?(lsn: number, timeoutMs: number): Promise<boolean>;
}

export function detachedClient(overrides: Partial<ClientState> = {}): ClientState {
  return {
    id: 0,
    name: '',
    dbIndex: 0,
    protocol: 2,
    authenticated: true,
    multi: null,
    multiFailed: false,
    watched: new Map(),
    watchDirty: false,
    subscriptionCount: () => 0,
    ...overrides,
  };
}
