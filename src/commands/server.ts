// Server commands: COMMAND (from the command table itself), INFO, CONFIG, TIME, LASTSAVE,
// SLOWLOG, MONITOR, SAVE, BGSAVE.
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import { DeferredReply, keyPositions, type CommandFlag, type CommandResult, type CommandSpec } from './spec.js';
import { err, ErrorReply, Errors, MapReply, OK, SetReply, SimpleString, VerbatimReply, type Reply } from '../resp/reply.js';
import { globMatch, intArg, is } from './args.js';

const group = 'server';

/** Flags COMMAND shows (ours that are internal are left out). */
const publicFlags: ReadonlySet<CommandFlag> = new Set<CommandFlag>([
  'write', 'readonly', 'denyoom', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale', 'fast', 'no_auth',
  'no_multi', 'allow_busy', 'skip_monitor', 'skip_slowlog', 'may_replicate',
]);

/** ACL categories as Redis derives them from flags, plus the command's own. */
export function aclCategories(spec: CommandSpec): string[] {
  const categories = new Set<string>();
  const flags = spec.flags;
  if (flags.includes('write')) categories.add('write');
  if (flags.includes('readonly')) categories.add('read');
  if (flags.includes('admin')) { categories.add('admin'); categories.add('dangerous'); }
  if (flags.includes('pubsub')) categories.add('pubsub');
  if (flags.includes('blocking')) categories.add('blocking');
  categories.add(flags.includes('fast') ? 'fast' : 'slow');
  for (const category of spec.acl) categories.add(category);
  return [...categories].map((category) => `@${category}`);
}

function commandInfo(spec: CommandSpec, fullName: string): Reply {
  const range = spec.keys;
  return [
    fullName,
    spec.arity,
    new SetReply(spec.flags.filter((flag) => publicFlags.has(flag)).map((flag) => new SimpleString(flag))),
    range?.first ?? 0,
    range?.last ?? 0,
    range?.step ?? 0,
    new SetReply(aclCategories(spec).map((category) => new SimpleString(category))),
    new SetReply([]),
    [],
    (spec.subcommands ?? []).map((sub) => commandInfo(sub, `${fullName}|${sub.name}`)),
  ];
}

function commandDocs(spec: CommandSpec, fullName: string): Reply {
  const fields: Reply[] = ['summary', spec.docs.summary, 'since', spec.docs.since, 'group', spec.docs.group];
  if (spec.docs.complexity) fields.push('complexity', spec.docs.complexity);
  if (spec.docs.syntax) fields.push('syntax', spec.docs.syntax);
  if (spec.subcommands) {
    const subs: Reply[] = [];
    for (const sub of spec.subcommands) subs.push(`${fullName}|${sub.name}`, commandDocs(sub, `${fullName}|${sub.name}`));
    fields.push('subcommands', new MapReply(subs));
  }
  return new MapReply(fields);
}

function cmdCommand(ctx: ExecContext): Reply {
  return [...ctx.engine.commands.all()].map((spec) => commandInfo(spec, spec.name));
}

function cmdCommandInfo(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length === 2) return cmdCommand(ctx);
  return argv.slice(2).map((name) => {
    const [base, subName] = name.toLowerCase().split('|');
    const spec = ctx.engine.commands.get(base!);
    const target = subName === undefined ? spec : spec?.subcommands?.find((sub) => sub.name === subName);
    return target ? commandInfo(target, name.toLowerCase()) : null;
  });
}

function cmdCommandDocs(ctx: ExecContext, argv: string[]): Reply {
  const names = argv.length > 2 ? argv.slice(2).map((name) => name.toLowerCase()) : [...ctx.engine.commands.all()].map((spec) => spec.name);
  const entries: Reply[] = [];
  for (const name of names) {
    const spec = ctx.engine.commands.get(name);
    if (spec) entries.push(name, commandDocs(spec, name));
  }
  return new MapReply(entries);
}

function cmdCommandList(ctx: ExecContext, argv: string[]): Reply {
  const all = [...ctx.engine.commands.all()];
  if (argv.length === 2) return all.map((spec) => spec.name);
  if (argv.length !== 5 || !is(argv[2], 'FILTERBY')) return Errors.syntax;
  const value = argv[4]!;
  if (is(argv[3], 'PATTERN')) return all.filter((spec) => globMatch(value, spec.name, true)).map((spec) => spec.name);
  if (is(argv[3], 'ACLCAT')) return all.filter((spec) => aclCategories(spec).includes(`@${value.toLowerCase()}`)).map((spec) => spec.name);
  if (is(argv[3], 'MODULE')) return [];
  return Errors.syntax;
}

function cmdCommandGetKeys(ctx: ExecContext, argv: string[], withFlags: boolean): Reply {
  const target = argv.slice(2);
  const resolution = ctx.engine.commands.resolve(target);
  if (!resolution.ok) {
    return ctx.engine.commands.get(target[0]!) ? err('ERR Invalid number of arguments specified for command') : err('ERR Invalid command specified');
  }
  const positions = keyPositions(resolution.spec, target);
  if (positions.length === 0) return err('ERR The command has no key arguments');
  const accessFlags = resolution.spec.flags.includes('write') ? ['RW', 'update'] : ['RO', 'access'];
  return positions.map((position) => withFlags ? [target[position]!, new SetReply(accessFlags.map((flag) => new SimpleString(flag)))] : target[position]!);
}

/** INFO sections that render the keyspace section (server/info.ts): no argument, or one of these. */
const infoKeyspaceSections: ReadonlySet<string> = new Set(['keyspace', 'default', 'all', 'everything']);

/** Whether INFO renders the keyspace section: then it reads the whole keyspace and waits like DBSIZE. */
function infoReadsKeyspace(argv: string[]): boolean {
  return argv.length === 1 || argv.slice(1).some((section) => infoKeyspaceSections.has(section.toLowerCase()));
}

function cmdInfo(ctx: ExecContext, argv: string[]): Reply {
  const text = ctx.server.info(argv.slice(1).map((section) => section.toLowerCase()));
  return ctx.client.protocol === 3 ? new VerbatimReply('txt', text) : text;
}

function cmdConfigGet(ctx: ExecContext, argv: string[]): Reply {
  const seen = new Map<string, string>();
  for (const pattern of argv.slice(2)) for (const [name, value] of ctx.server.config.get(pattern)) seen.set(name, value);
  return new MapReply([...seen].flat());
}

function cmdConfigSet(ctx: ExecContext, argv: string[]): Reply {
  if (argv.length % 2 !== 0) return Errors.wrongArity('config|set');
  for (let i = 2; i < argv.length; i += 2) {
    const error = ctx.server.config.set(argv[i]!, argv[i + 1]!);
    if (error !== null) return err(`ERR ${error}`);
  }
  return OK;
}

function cmdTime(ctx: ExecContext): Reply {
  const micros = BigInt(Date.now()) * 1000n + (process.hrtime.bigint() / 1000n) % 1000n;
  return [String(micros / 1_000_000n), String(micros % 1_000_000n)];
}

function cmdSlowlogGet(ctx: ExecContext, argv: string[]): Reply {
  let count = 10;
  if (argv.length === 3) {
    const parsed = intArg(argv[2]!);
    if (parsed instanceof ErrorReply || parsed < -1) return err('ERR count should be greater than or equal to -1');
    count = parsed;
  }
  return ctx.server.slowlog.get(count);
}

function help(lines: string[]): () => Reply {
  return () => lines.map((line) => new SimpleString(line));
}

const adminFlags = ['admin', 'noscript', 'loading', 'stale'] as const;
const sub = (name: string, arity: number, summary: string, handler: (ctx: ExecContext, argv: string[]) => Reply, flags: CommandFlag[] = ['loading', 'stale'], acl: string[] = []): CommandSpec =>
  defineCommand({ name, arity, flags, acl, group, since: '2.0.0', summary, handler });

export const commands: CommandSpec[] = [
  defineCommand({
    name: 'command', arity: -1, flags: ['loading', 'stale'], acl: ['connection'], group, since: '2.8.13',
    summary: 'Returns detailed information about all commands.', complexity: 'O(N) where N is the total number of Redis commands',
    handler: cmdCommand,
    subcommands: [
      sub('count', 2, 'Returns a count of commands.', (ctx) => ctx.engine.commands.size),
      sub('info', -2, 'Returns information about one, multiple or all commands.', cmdCommandInfo),
      sub('docs', -2, 'Returns documentary information about one, multiple or all commands.', cmdCommandDocs),
      sub('list', -2, 'Returns a list of command names.', cmdCommandList),
      sub('getkeys', -3, 'Extracts the key names from an arbitrary command.', (ctx, argv) => cmdCommandGetKeys(ctx, argv, false)),
      sub('getkeysandflags', -3, 'Extracts the key names and access flags for an arbitrary command.', (ctx, argv) => cmdCommandGetKeys(ctx, argv, true)),
      sub('help', 2, 'Returns helpful text about the different subcommands.', help([
        'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        '(no subcommand)', '    Return details about all Redis commands.',
        'COUNT', '    Return the total number of commands in this Redis server.',
        'LIST', '    Return a list of all commands in this Redis server.',
        'INFO [<command-name> ...]', '    Return details about multiple Redis commands.',
        'DOCS [<command-name> ...]', '    Return documentation details about multiple Redis commands.',
        'GETKEYS <full-command>', '    Return the keys from a full Redis command.',
        'GETKEYSANDFLAGS <full-command>', '    Return the keys and the access flags from a full Redis command.',
        'HELP', '    Print this help.',
      ])),
    ],
  }),
  defineCommand({
    name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'], group, since: '1.0.0',
    summary: 'Returns information and statistics about the server.', complexity: 'O(1)', syntax: '[section [section ...]]', handler: cmdInfo,
    wholeKeyspaceWhen: infoReadsKeyspace,
  }),
  defineCommand({
    name: 'config', arity: -2, flags: [], acl: [], group, since: '2.0.0', summary: 'A container for server configuration commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('get', -3, 'Returns the effective values of configuration parameters.', cmdConfigGet, [...adminFlags]),
      sub('set', -4, 'Sets configuration parameters in-flight.', cmdConfigSet, [...adminFlags]),
      sub('resetstat', 2, 'Resets the server\'s statistics.', (ctx) => { ctx.server.config.resetStats(); return OK; }, [...adminFlags]),
      sub('rewrite', 2, 'Persists the effective configuration to file.', () => err('ERR The server is running without a config file'), [...adminFlags]),
      sub('help', 2, 'Returns helpful text about the different subcommands.', help([
        'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'GET <pattern>', '    Return parameters matching the glob-like <pattern> and their values.',
        'SET <directive> <value>', '    Set the configuration <directive> to <value>.',
        'RESETSTAT', '    Reset statistics reported by the INFO command.',
        'REWRITE', '    Rewrite the configuration file.',
        'HELP', '    Print this help.',
      ])),
    ],
  }),
  defineCommand({ name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], group, since: '2.6.0', summary: 'Returns the server time.', complexity: 'O(1)', handler: cmdTime }),
  defineCommand({ name: 'save', arity: 1, flags: ['admin', 'noscript'], acl: ['admin', 'dangerous'], group, since: '1.0.0', summary: 'Synchronously saves the database(s) to disk.', complexity: 'O(N) where N is the total number of keys in all databases', handler: cmdSave }),
  defineCommand({ name: 'bgsave', arity: -1, flags: ['admin', 'noscript'], acl: ['admin', 'dangerous'], group, since: '1.0.0', summary: 'Asynchronously saves the database(s) to disk.', complexity: 'O(1)', syntax: 'BGSAVE [SCHEDULE]', handler: cmdBgsave }),
  defineCommand({ name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], group, since: '1.0.0', summary: 'Returns the Unix timestamp of the last successful save to disk.', complexity: 'O(1)', handler: (ctx) => ctx.server.lastSave() }),
  defineCommand({
    name: 'slowlog', arity: -2, flags: [], group, since: '2.2.12', summary: 'A container for slow log commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('get', -2, 'Returns the slow log\'s entries.', cmdSlowlogGet, [...adminFlags]),
      sub('len', 2, 'Returns the number of entries in the slow log.', (ctx) => ctx.server.slowlog.len(), [...adminFlags]),
      sub('reset', 2, 'Clears all entries from the slow log.', (ctx) => { ctx.server.slowlog.reset(); return OK; }, [...adminFlags]),
      sub('help', 2, 'Show helpful text about the different subcommands', help([
        'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'GET [<count>]', '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
        '    Entries are made of:', '    id, timestamp, time in microseconds, arguments array, client IP and port,', '    client name',
        'LEN', '    Return the length of the slowlog.',
        'RESET', '    Reset the slowlog.',
        'HELP', '    Print this help.',
      ])),
    ],
  }),
  defineCommand({ name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], group, since: '1.0.0', summary: 'Listens for all requests received by the server in real-time.',
    handler: (ctx) => { ctx.server.clients.startMonitor(ctx.client); return OK; } }),
  defineCommand({ name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], group, since: '2.8.12', summary: 'Returns the replication role.', complexity: 'O(1)', handler: (ctx) => ctx.server.role() }),
];

// SAVE / BGSAVE take an off-box snapshot (a `keel snapshot` child that reads the log itself):
// the event loop never blocks on it. SAVE's reply waits for the child; BGSAVE's does not.
const alreadyInProgress = 'ERR Background save already in progress';

function cmdSave(ctx: ExecContext): CommandResult {
  const snapshots = ctx.server.snapshots;
  if (!snapshots) return err('ERR snapshots are not available on this node (no log attached)');
  if (snapshots.inProgress) return err(alreadyInProgress);
  return new DeferredReply(snapshots.save().then(() => OK, (error: unknown) => err(`ERR snapshot failed: ${error instanceof Error ? error.message : String(error)}`)));
}

function cmdBgsave(ctx: ExecContext, argv: string[]): Reply {
  const snapshots = ctx.server.snapshots;
  if (argv.length > 2 || (argv.length === 2 && !is(argv[1]!, 'schedule'))) return Errors.syntax;
  if (!snapshots) return err('ERR snapshots are not available on this node (no log attached)');
  if (snapshots.startBackground()) return new SimpleString('Background saving started');
  if (argv.length === 2) {
    snapshots.schedule();
    return new SimpleString('Background saving scheduled');
  }
  return err(alreadyInProgress);
}
