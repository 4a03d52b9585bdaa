// MULTI / EXEC / DISCARD / WATCH / UNWATCH. A transaction's effects form one batch, so the
// log holds it as one entry: replicas and restarts apply it atomically.
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { ALL_KEYS, BlockRequest, type CommandSpec } from './spec.js';
import { err, NULL_ARRAY, OK, type Reply } from '../resp/reply.js';
import { executeIn } from './dispatch.js';

const group = 'transactions';
const acl = ['transaction'];

function cmdMulti(ctx: ExecContext): Reply {
  if (ctx.client.multi !== null) return err('ERR MULTI calls can not be nested');
  ctx.client.multi = [];
  ctx.client.multiFailed = false;
  return OK;
}

function cmdDiscard(ctx: ExecContext): Reply {
  if (ctx.client.multi === null) return err('ERR DISCARD without MULTI');
  ctx.client.multi = null;
  ctx.client.multiFailed = false;
  ctx.engine.unwatchAll(ctx.client);
  return OK;
}

/** A watched key that was live at WATCH time and has logically expired since counts as changed. */
function watchedKeyExpired(ctx: ExecContext): boolean {
  for (const { db, key, existed } of ctx.client.watched.values()) {
    if (!existed) continue;
    const entry = ctx.engine.database(db).peek(key);
    if (entry !== undefined && entry.expireAtMs !== 0 && entry.expireAtMs <= ctx.nowMs) return true;
  }
  return false;
}

function cmdExec(ctx: ExecContext): Reply {
  const queued = ctx.client.multi;
  if (queued === null) return err('ERR EXEC without MULTI');
  ctx.client.multi = null;
  if (ctx.client.multiFailed) {
    ctx.client.multiFailed = false;
    ctx.engine.unwatchAll(ctx.client);
    return err('EXECABORT Transaction discarded because of previous errors.');
  }
  const aborted = ctx.client.watchDirty || watchedKeyExpired(ctx);
  ctx.engine.unwatchAll(ctx.client);
  if (aborted) return NULL_ARRAY;
  ctx.canBlock = false;
  const replies: Reply[] = [];
  for (const { argv } of queued) {
    const outcome = executeIn(ctx, argv);
    // Blocking commands never block inside a transaction (canBlock is false).
    replies.push(outcome.reply instanceof BlockRequest ? outcome.reply.timeoutReply : outcome.reply);
  }
  // EXEC itself is not an effect; its commands' effects are already in ctx.effects.
  ctx.preventPropagation();
  return replies;
}

function cmdWatch(ctx: ExecContext, argv: string[]): Reply {
  if (ctx.client.multi !== null) return err('ERR WATCH inside MULTI is not allowed');
  for (let i = 1; i < argv.length; i++) {
    const entry = ctx.db.peek(argv[i]!);
    const live = entry !== undefined && (entry.expireAtMs === 0 || entry.expireAtMs > ctx.nowMs);
    ctx.engine.watch(ctx.client, ctx.dbIndex, argv[i]!, live);
  }
  return OK;
}

function cmdUnwatch(ctx: ExecContext): Reply {
  ctx.engine.unwatchAll(ctx.client);
  return OK;
}

const flags = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const commands: CommandSpec[] = [
  defineCommand({ name: 'multi', arity: 1, flags: [...flags, 'multi_control'], acl, group, since: '1.2.0', summary: 'Starts a transaction.', complexity: 'O(1)', handler: cmdMulti }),
  defineCommand({ name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog', 'multi_control'], acl, group, since: '1.2.0', summary: 'Executes all commands in a transaction.', complexity: 'Depends on commands in the transaction', handler: cmdExec }),
  defineCommand({ name: 'discard', arity: 1, flags: [...flags, 'multi_control'], acl, group, since: '2.0.0', summary: 'Discards a transaction.', complexity: 'O(N), when N is the number of queued commands', handler: cmdDiscard }),
  defineCommand({ name: 'watch', arity: -2, flags: [...flags, 'multi_control'], keys: ALL_KEYS, acl, group, since: '2.2.0', summary: 'Monitors changes to keys to determine the execution of a transaction.', complexity: 'O(1) for every key.', syntax: 'key [key ...]', handler: cmdWatch }),
  defineCommand({ name: 'unwatch', arity: 1, flags: [...flags], acl, group, since: '2.2.0', summary: 'Forgets about watched keys of a transaction.', complexity: 'O(1)', handler: cmdUnwatch }),
];
