// The generic command pipeline (Redis's processCommand + call): resolve the spec and check
// arity, authentication, role, RESP2 subscribed state and MULTI queueing, run the handler,
// and gather its effects. Nothing here knows about any particular data type.
import type { Engine } from '../engine/engine.js';
import type { ExpiryPolicy } from '../engine/keyspace.js';
import type { Effect } from '../engine/effects.js';
import { err, Errors, ErrorReply, QUEUED } from '../resp/reply.js';
import type { ClientState } from './client-state.js';
import { ExecContext, WrongTypeError } from './context.js';
import type { ServerServices } from './server-services.js';
import type { CommandResult, CommandSpec } from './spec.js';

export interface ExecuteOutcome {
  reply: CommandResult;
  /** Effects to commit before the reply may leave (empty for reads and failed writes). */
  effects: Effect[];
  /** The spec that ran, or null when the command was refused before running. */
  spec: CommandSpec | null;
  /** The error message when the reply is an error (for assertions while applying effects). */
  error?: string;
}

export function execute(
  engine: Engine,
  client: ClientState,
  argv: string[],
  policy: ExpiryPolicy,
  server: ServerServices,
  nowMs: number,
): ExecuteOutcome {
  const ctx = new ExecContext(engine, client, server, policy, nowMs);
  return executeIn(ctx, argv);
}

/** Runs argv inside an existing context (EXEC runs its queued commands this way). */
export function executeIn(ctx: ExecContext, argv: string[]): ExecuteOutcome {
  const client = ctx.client;
  const resolution = ctx.engine.commands.resolve(argv);
  if (!resolution.ok) return refuse(client, resolution.error);
  const spec = resolution.spec;
  const flags = spec.flags;

  if (ctx.policy !== 'apply') {
    if (!client.authenticated && !flags.includes('no_auth')) return refuse(client, Errors.noAuth);
    const unavailable = ctx.server.unavailable;
    if (unavailable !== null && !flags.includes('loading')) return refuse(client, unavailable);
    if (ctx.policy === 'replica' && flags.includes('write')) return refuse(client, Errors.readonly);
    if (flags.includes('write')) {
      if (ctx.server.writeRefusal !== null) return refuse(client, ctx.server.writeRefusal);
      const bytesMax = ctx.server.writeBytesMax;
      if (bytesMax > 0 && argvBytes(argv) > bytesMax) {
        return refuse(client, err(`ERR write of more than ${bytesMax} bytes refused: it must fit one log entry (see --log-entry-bytes-max)`));
      }
    }
    if (client.protocol === 2 && client.subscriptionCount() > 0 && !flags.includes('allowed_in_subscribe')) {
      return refuse(client, err(
        `ERR Can't execute '${resolution.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      ));
    }
    if (client.multi !== null && !flags.includes('multi_control')) {
      if (flags.includes('no_multi')) return refuse(client, err('ERR Command not allowed inside a transaction'));
      client.multi.push({ argv });
      return { reply: QUEUED, effects: [], spec: null };
    }
  }

  let reply: CommandResult;
  try {
    reply = spec.handler!(ctx, argv);
  } catch (error) {
    if (!(error instanceof WrongTypeError)) throw error;
    reply = Errors.wrongType;
  }
  ctx.finishEffects(argv);
  const outcome: ExecuteOutcome = { reply, effects: ctx.effects, spec };
  if (reply instanceof ErrorReply) outcome.error = reply.message;
  return outcome;
}

function argvBytes(argv: string[]): number {
  let bytes = 0;
  for (const arg of argv) bytes += arg.length;
  return bytes;
}

function refuse(client: ClientState, error: ErrorReply): ExecuteOutcome {
  if (client.multi !== null) client.multiFailed = true;
  return { reply: error, effects: [], spec: null, error: error.message };
}
