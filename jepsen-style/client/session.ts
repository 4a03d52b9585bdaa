// One client process's connection to the cluster. It connects lazily to one of the db nodes
// (through their client-side proxies), sends each operation's commands in one round trip and
// classifies what happened (client/outcome.ts). It never resends: after any error the
// connection is dropped, and the next operation starts a new one, on the next node if the
// error suggests this one cannot serve (connect failure, READONLY).
import { defaultHarnessLimits, HarnessLimits } from '../limits.js';
import { classifyCallError, classifyErrorReply, Outcome } from './outcome.js';
import { RespConnection, RespError, RespValue } from './resp.js';

export interface Endpoint {
  /** The db node behind this address (for logs and reports). */
  nodeId: string;
  host: string;
  port: number;
}

export type Command = readonly (string | number)[];

export class ClientSession {
  private connection: RespConnection | undefined;
  private endpointIndex: number;

  constructor(private readonly endpoints: () => readonly Endpoint[], startIndex = 0, private readonly limits: HarnessLimits = defaultHarnessLimits) {
    this.endpointIndex = startIndex;
  }

  get currentEndpoint(): Endpoint | undefined {
    const list = this.endpoints();
    return list.length === 0 ? undefined : list[this.endpointIndex % list.length];
  }

  /**
   * Sends the commands in one write. `isWrite` says whether they may change data, which
   * decides how a lost reply is classified. Error replies inside `ok` are left to the caller.
   */
  async exec(commands: readonly Command[], isWrite: boolean): Promise<Outcome<RespValue[]>> {
    let connection: RespConnection;
    try {
      connection = await this.connect();
    } catch (error) {
      this.rotate();
      return classifyCallError(error, isWrite);
    }
    try {
      // ROLE goes in the same write: commands that arrive together run in one turn of the
      // server, so the operation ran on a primary iff ROLE says so. Replicas serve reads (they
      // are allowed to be stale), and a primary can step down while we stay connected; a
      // linearizability test must only count what a primary answered.
      const replies = await connection.call([['ROLE'], ...commands], this.limits.operationTimeoutMs);
      const role = replies[0];
      if (!Array.isArray(role) || role[0] !== 'master') {
        this.drop();
        this.rotate();
        // A write sent to a non-primary was refused (READONLY/TRYAGAIN); a read's answer is dropped.
        return { type: 'fail', error: `not the primary (ROLE ${Array.isArray(role) ? String(role[0]) : 'error'})` };
      }
      return { type: 'ok', value: replies.slice(1) };
    } catch (error) {
      this.drop();
      return classifyCallError(error, isWrite);
    }
  }

  /** Classifies an error reply and, if it says this node cannot serve, moves to the next one. */
  errorOutcome<T>(error: RespError, isWrite: boolean): Outcome<T> {
    if (error.code === 'READONLY' || error.code === 'MOVED' || error.code === 'LOADING') {
      this.drop();
      this.rotate();
    }
    return classifyErrorReply(error, isWrite);
  }

  /** Closes the connection (after a timeout, an error or an `info` outcome). */
  drop(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  close(): void {
    this.drop();
  }

  private rotate(): void {
    this.endpointIndex++;
  }

  private async connect(): Promise<RespConnection> {
    if (this.connection !== undefined && this.connection.usable) return this.connection;
    this.connection = undefined;
    const endpoint = this.currentEndpoint;
    if (endpoint === undefined) throw new Error('no endpoints configured');
    this.connection = await RespConnection.connect(endpoint.host, endpoint.port, this.limits);
    return this.connection;
  }
}

export function firstError(replies: readonly RespValue[]): RespError | undefined {
  for (const reply of replies) if (reply instanceof RespError) return reply;
  return undefined;
}

/** Register and counter values are written as decimal strings; read them back as numbers. */
export function decodeScalar(value: RespValue): string | number | null {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return /^-?(0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : value;
  throw new TypeError(`expected a scalar reply, got ${JSON.stringify(value)}`);
}
