// Replication commands: WAIT and WAITAOF (how many replicas / the log quorum have a write),
// and REPLCONF (replicas report what they applied).
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { DeferredReply, type CommandResult, type CommandSpec } from './spec.js';
import { err, ErrorReply, Errors, OK } from '../resp/reply.js';
import { intArg, is } from './args.js';
import type { ClientState } from './client-state.js';

const group = 'generic';

function lastWriteLsn(client: ClientState): number {
  return (client as ClientState & { lastWriteLsn?: number }).lastWriteLsn ?? 0;
}

function timeoutArgMs(text: string): number | ErrorReply {
  const timeout = intArg(text, err('ERR timeout is not an integer or out of range'));
  if (timeout instanceof ErrorReply) return timeout;
  if (timeout < 0) return err('ERR timeout is negative');
  return timeout;
}

/** WAIT numreplicas timeout: replicas that applied this connection's last write. */
function cmdWait(ctx: ExecContext, argv: string[]): CommandResult {
  const count = intArg(argv[1]!);
  if (count instanceof ErrorReply) return count;
  const timeoutMs = timeoutArgMs(argv[2]!);
  if (timeoutMs instanceof ErrorReply) return timeoutMs;
  const replication = ctx.server.replication;
  if (!replication) return 0;
  // Inside MULTI (where nothing blocks) Redis answers the count as it stands.
  if (!ctx.canBlock) return replication.replicasAt(lastWriteLsn(ctx.client));
  return new DeferredReply(replication.waitForReplicas(lastWriteLsn(ctx.client), count, timeoutMs));
}

/**
 * WAITAOF numlocal numreplicas timeout. Keel's "local fsync" is the quorum log: local is 1
 * once this connection's last write is committed to a majority of log nodes. Blocks until
 * both counts are reached or the timeout (0 = forever) passes, then replies [local, replicas]
 * as they stand. Argument checks and refusals in Redis 7.2's order and words.
 */
function cmdWaitaof(ctx: ExecContext, argv: string[]): CommandResult {
  const numlocal = intArg(argv[1]!);
  if (numlocal instanceof ErrorReply) return numlocal;
  // Redis reads both counts as positive longs (getPositiveLongFromObjectOrReply); a numlocal
  // above 1 can never be met and waits for the timeout, as in Redis.
  if (numlocal < 0) return err('ERR value is out of range, must be positive');
  const numreplicas = intArg(argv[2]!);
  if (numreplicas instanceof ErrorReply) return numreplicas;
  if (numreplicas < 0) return err('ERR value is out of range, must be positive');
  const timeoutMs = timeoutArgMs(argv[3]!);
  if (timeoutMs instanceof ErrorReply) return timeoutMs;
  if (ctx.server.facts.role === 'replica') {
    return err('ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.');
  }
  const replication = ctx.server.replication;
  // No log attached (--log none): like Redis with appendonly off, nothing is ever "fsynced".
  if (!replication) return numlocal > 0 ? err('ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.') : [0, 0];
  const lsn = lastWriteLsn(ctx.client);
  // Inside MULTI (where nothing blocks) Redis answers the counts as they stand.
  if (!ctx.canBlock) return [replication.isCommitted(lsn) ? 1 : 0, replication.replicasAt(lsn)];
  const local = numlocal > 0 && ctx.client.whenCommitted ? ctx.client.whenCommitted(lsn, timeoutMs) : Promise.resolve(true);
  const replicas = replication.waitForReplicas(lsn, numreplicas, timeoutMs);
  return new DeferredReply(Promise.all([local, replicas]).then(([, count]) => [replication.isCommitted(lsn) ? 1 : 0, count]));
}

function cmdReplconf(ctx: ExecContext, argv: string[]): CommandResult {
  if ((argv.length - 1) % 2 !== 0) return Errors.syntax;
  let lsn: number | null = null;
  let nodeId = '';
  let address = '';
  for (let i = 1; i < argv.length; i += 2) {
    if (is(argv[i], 'ACK')) {
      const value = intArg(argv[i + 1]!);
      if (value instanceof ErrorReply) return value;
      lsn = value;
    } else if (is(argv[i], 'NODE-ID')) nodeId = argv[i + 1]!;
    else if (is(argv[i], 'ADDRESS')) address = argv[i + 1]!;
    else if (is(argv[i], 'LISTENING-PORT') || is(argv[i], 'CAPA') || is(argv[i], 'IP-ADDRESS')) continue;
    else return err(`ERR Unrecognized REPLCONF option: ${argv[i]}`);
  }
  if (lsn !== null && nodeId !== '') ctx.server.replication?.ack(nodeId, address, lsn);
  return OK;
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds] (Redis 6.2 texts). */
function cmdFailover(ctx: ExecContext, argv: string[]): CommandResult {
  let to: string | null = null;
  let timeoutMs = 0;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    if (is(argv[i], 'TO') && i + 2 < argv.length) {
      const port = intArg(argv[i + 2]!);
      if (port instanceof ErrorReply) return port;
      to = `${argv[i + 1]}:${port}`;
      i += 2;
    } else if (is(argv[i], 'TIMEOUT') && i + 1 < argv.length) {
      const value = intArg(argv[++i]!);
      if (value instanceof ErrorReply) return value;
      if (value <= 0) return err('ERR FAILOVER timeout must be greater than 0');
      timeoutMs = value;
    } else if (is(argv[i], 'FORCE')) force = true;
    else if (is(argv[i], 'ABORT')) abort = true;
    else return Errors.syntax;
  }
  if (abort) return err('ERR No failover in progress.');
  if (force && (to === null || timeoutMs === 0)) return err('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
  const replication = ctx.server.replication;
  if (!replication) return err('ERR FAILOVER requires connected replicas.');
  try {
    replication.startFailover(to, timeoutMs, force);
  } catch (error) {
    return err((error as Error).message);
  }
  return OK;
}

export const commands: CommandSpec[] = [
  defineCommand({ name: 'failover', arity: -1, flags: ['admin', 'noscript', 'stale'], group: 'server', since: '6.2.0', summary: 'Starts a coordinated failover from a server to one of its replicas.', complexity: 'O(1)', syntax: '[TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]', handler: cmdFailover }),
  defineCommand({ name: 'wait', arity: 3, flags: ['noscript'], acl: ['connection'], group, since: '3.0.0', summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.', complexity: 'O(1)', syntax: 'numreplicas timeout', handler: cmdWait }),
  defineCommand({ name: 'waitaof', arity: 4, flags: ['noscript'], acl: ['connection'], group, since: '7.2.0', summary: 'Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.', complexity: 'O(1)', syntax: 'numlocal numreplicas timeout', handler: cmdWaitaof }),
  defineCommand({ name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], group: 'server', since: '3.0.0', summary: 'An internal command for configuring the replication stream.', handler: cmdReplconf }),
];
