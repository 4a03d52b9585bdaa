// Connection commands: PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET, CLIENT.
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import type { CommandSpec } from './spec.js';
import { err, ErrorReply, Errors, MapReply, OK, PONG, SimpleString, VerbatimReply, type Reply } from '../resp/reply.js';
import { intArg, is } from './args.js';

const group = 'connection';
const acl = ['connection'];

const wrongPass = err('WRONGPASS invalid username-password pair or user is disabled.');

function cmdPing(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length > 2) return Errors.wrongArity('ping');
  if (ctx.client.protocol === 2 && ctx.client.subscriptionCount() > 0) return ['pong', argv[1] ?? ''];
  return argv.length === 2 ? argv[1]! : PONG;
}

/**
 * The only user is `default`, as in a Redis without ACL rules: without `requirepass` it
 * accepts any password given with the username form; the one-argument form then errors.
 */
function authenticate(ctx: ExecContext, username: string | null, password: string): ErrorReply | null {
  if (username !== null && username !== 'default') return wrongPass;
  const result = ctx.server.checkPassword(password);
  if (result === 'none-set' && username !== null) {
    ctx.client.authenticated = true;
    return null;
  }
  if (result === 'none-set') {
    return err('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
  }
  if (result === 'wrong') return wrongPass;
  ctx.client.authenticated = true;
  return null;
}

function cmdAuth(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length > 3) return Errors.syntax;
  const error = argv.length === 3 ? authenticate(ctx, argv[1]!, argv[2]!) : authenticate(ctx, null, argv[1]!);
  return error ?? OK;
}

function helloMap(ctx: ExecContext): MapReply {
  return new MapReply([
    'server', 'redis',
    'version', ctx.server.facts.version,
    'proto', ctx.client.protocol,
    'id', ctx.client.id,
    'mode', ctx.server.facts.mode,
    'role', ctx.server.facts.role,
    'modules', [],
  ]);
}

function cmdHello(ctx: ExecContext, argv: string[]): Reply {
  let protocol = ctx.client.protocol;
  let i = 1;
  if (argv.length >= 2) {
    const version = intArg(argv[1]!, err('ERR Protocol version is not an integer or out of range'));
    if (version instanceof ErrorReply) return version;
    if (version !== 2 && version !== 3) return err('NOPROTO unsupported protocol version');
    protocol = version;
    i = 2;
  }
  let name: string | null = null;
  for (; i < argv.length; i++) {
    if (is(argv[i], 'AUTH') && i + 2 < argv.length) {
      const error = authenticate(ctx, argv[i + 1]!, argv[i + 2]!);
      if (error) return error;
      i += 2;
    } else if (is(argv[i], 'SETNAME') && i + 1 < argv.length) {
      name = argv[++i]!;
      if (!validClientName(name)) return badClientName;
    } else {
      return err(`ERR Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (!ctx.client.authenticated) return err('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
  if (name !== null) ctx.client.name = name;
  ctx.client.protocol = protocol;
  return helloMap(ctx);
}

function cmdSelect(ctx: ExecContext, argv: string[]): Reply {
  const index = intArg(argv[1]!);
  if (index instanceof ErrorReply) return index;
  if (index < 0 || index >= ctx.engine.databaseCount) return Errors.dbIndexOutOfRange;
  ctx.client.dbIndex = index;
  return OK;
}

function cmdQuit(ctx: ExecContext): Reply {
  ctx.server.clients.closeAfterReply(ctx.client);
  return OK;
}

function cmdReset(ctx: ExecContext): Reply {
  ctx.server.clients.reset(ctx.client);
  return new SimpleString('RESET');
}

// --- CLIENT ---------------------------------------------------------------------------------

const badClientName = err('ERR Client names cannot contain spaces, newlines or special characters.');

function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 33 || code > 126) return false;
  }
  return true;
}

function clientText(ctx: ExecContext, text: string): Reply {
  return ctx.client.protocol === 3 ? new VerbatimReply('txt', text) : text;
}

function cmdClientList(ctx: ExecContext, argv: string[]): Reply {
  let type: string | undefined;
  let ids: number[] | undefined;
  for (let i = 2; i < argv.length; i++) {
    if (is(argv[i], 'TYPE') && i + 1 < argv.length) {
      type = argv[++i]!.toLowerCase();
      if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) return err(`ERR Unknown client type '${argv[i]}'`);
    } else if (is(argv[i], 'ID') && i + 1 < argv.length) {
      ids = [];
      for (i++; i < argv.length; i++) {
        const id = intArg(argv[i]!);
        if (id instanceof ErrorReply || id <= 0) return err('ERR Invalid client ID');
        ids.push(id);
      }
    } else {
      return Errors.syntax;
    }
  }
  return clientText(ctx, ctx.server.clients.list({ type, ids }));
}

function cmdClientKill(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length === 3) {
    // Old form: CLIENT KILL addr:port
    const killed = ctx.server.clients.kill({ addr: argv[2]!, skipMe: false }, ctx.client);
    return killed > 0 ? OK : err('ERR No such client');
  }
  const filter: Parameters<typeof ctx.server.clients.kill>[0] = {};
  for (let i = 2; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) return Errors.syntax;
    if (is(argv[i], 'ID')) {
      const id = intArg(value);
      if (id instanceof ErrorReply || id <= 0) return err('ERR client-id should be greater than 0');
      filter.id = id;
    } else if (is(argv[i], 'ADDR')) filter.addr = value;
    else if (is(argv[i], 'LADDR')) filter.laddr = value;
    else if (is(argv[i], 'USER')) filter.user = value;
    else if (is(argv[i], 'TYPE')) filter.type = value.toLowerCase();
    else if (is(argv[i], 'SKIPME')) {
      if (is(value, 'YES')) filter.skipMe = true;
      else if (is(value, 'NO')) filter.skipMe = false;
      else return Errors.syntax;
    } else return Errors.syntax;
  }
  return ctx.server.clients.kill(filter, ctx.client);
}

function cmdClientReply(ctx: ExecContext, argv: string[]): Reply {
  const mode = argv[2]!.toLowerCase();
  if (mode !== 'on' && mode !== 'off' && mode !== 'skip') return Errors.syntax;
  ctx.server.clients.setReplyMode(ctx.client, mode);
  return OK;
}

function cmdClientUnblock(ctx: ExecContext, argv: string[]): Reply {
  const id = intArg(argv[2]!);
  if (id instanceof ErrorReply) return id;
  let mode: 'timeout' | 'error' = 'timeout';
  if (argv.length === 4) {
    if (is(argv[3], 'ERROR')) mode = 'error';
    else if (!is(argv[3], 'TIMEOUT')) return err('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  return ctx.server.clients.unblock(id, mode) ? 1 : 0;
}

const clientHelp = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GETNAME', '    Return the name of the current connection.',
  'ID', '    Return the ID of the current connection.',
  'INFO', '    Return information about the current client connection.',
  'KILL <ip:port>', '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]', '    Kill connections. Options are: ID, ADDR, LADDR, USER, TYPE, SKIPME.',
  'LIST [options ...]', '    Return information about client connections. Options: TYPE (NORMAL|MASTER|REPLICA|PUBSUB), ID <id> [<id> ...]',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]', '    Unblock the specified blocked client.',
  'REPLY (ON|OFF|SKIP)', '    Control the replies sent to the current connection.',
  'SETNAME <name>', '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>', '    Set client meta attr. Options are: LIB-NAME, LIB-VER.',
  'NO-EVICT (ON|OFF)', '    Protect current client connection from eviction.',
  'HELP', '    Print this help.',
];

const sub = (name: string, arity: number, summary: string, handler: (ctx: ExecContext, argv: string[]) => Reply, flags: CommandSpec['flags'] = []): CommandSpec =>
  defineCommand({ name, arity, flags: ['noscript', 'loading', 'stale', ...flags], acl, group, since: '2.4.0', summary, handler });

const clientSubcommands: CommandSpec[] = [
  sub('id', 2, 'Returns the unique client ID of the connection.', (ctx) => ctx.client.id),
  sub('getname', 2, 'Returns the name of the connection.', (ctx) => (ctx.client.name === '' ? null : ctx.client.name)),
  sub('setname', 3, 'Sets the connection name.', (ctx, argv) => {
    if (!validClientName(argv[2]!)) return badClientName;
    ctx.client.name = argv[2]!;
    return OK;
  }),
  sub('setinfo', 4, 'Sets information specific to the client or connection.', (ctx, argv) => {
    if (!is(argv[2], 'LIB-NAME') && !is(argv[2], 'LIB-VER')) return err(`ERR Unrecognized option '${argv[2]}'`);
    return OK;
  }),
  sub('info', 2, 'Returns information about the connection.', (ctx) => clientText(ctx, ctx.server.clients.info(ctx.client))),
  sub('list', -2, 'Lists open connections.', cmdClientList, ['admin']),
  sub('kill', -3, 'Terminates open connections.', cmdClientKill, ['admin']),
  sub('reply', 3, "Instructs the server whether to reply to commands.", cmdClientReply),
  sub('unblock', -3, 'Unblocks a client blocked by a blocking command from a different connection.', cmdClientUnblock, ['admin']),
  sub('no-evict', 3, 'Sets the client eviction mode of the connection.', (ctx, argv) => {
    if (is(argv[2], 'ON')) ctx.server.clients.setNoEvict(ctx.client, true);
    else if (is(argv[2], 'OFF')) ctx.server.clients.setNoEvict(ctx.client, false);
    else return Errors.syntax;
    return OK;
  }, ['admin']),
  sub('help', 2, 'Returns helpful text about the different subcommands.', () => clientHelp.map((line) => new SimpleString(line))),
];

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'ping', arity: -1, flags: ['fast', 'allowed_in_subscribe', 'stale', 'loading'], acl, group, since: '1.0.0',
    summary: 'Returns the server\'s liveliness response.', complexity: 'O(1)', syntax: '[message]', handler: cmdPing,
  }),
  defineCommand({
    name: 'echo', arity: 2, flags: ['fast', 'stale', 'loading'], acl, group, since: '1.0.0',
    summary: 'Returns the given string.', complexity: 'O(1)', syntax: 'message', handler: (_ctx, argv) => argv[1]!,
  }),
  defineCommand({
    name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allowed_in_subscribe'], acl, group, since: '1.0.0',
    summary: 'Authenticates the connection.', complexity: 'O(N) where N is the number of passwords defined for the user', syntax: '[username] password', handler: cmdAuth,
  }),
  defineCommand({
    name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allowed_in_subscribe'], acl, group, since: '6.0.0',
    summary: 'Handshakes with the Redis server.', complexity: 'O(1)', syntax: '[protover [AUTH username password] [SETNAME clientname]]', handler: cmdHello,
  }),
  defineCommand({
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl, group, since: '1.0.0',
    summary: 'Changes the selected database.', complexity: 'O(1)', syntax: 'index', handler: cmdSelect,
  }),
  defineCommand({
    name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allowed_in_subscribe', 'multi_control'], acl, group, since: '1.0.0',
    summary: 'Closes the connection.', complexity: 'O(1)', handler: cmdQuit,
  }),
  defineCommand({
    name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allowed_in_subscribe', 'multi_control'], acl, group, since: '6.2.0',
    summary: 'Resets the connection.', complexity: 'O(1)', handler: cmdReset,
  }),
  defineCommand({
    name: 'client', arity: -2, flags: [], acl, group, since: '2.4.0',
    summary: 'A container for client connection commands.', complexity: 'Depends on subcommand.', subcommands: clientSubcommands,
  }),
];
