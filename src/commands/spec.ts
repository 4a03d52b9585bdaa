// The command table is data: one `CommandSpec` per command, declared in one file per family
// (commands/strings.ts, commands/lists.ts, …). The dispatcher checks arity, flags, auth and
// role generically; COMMAND, COMMAND DOCS and the dirty-key tracker read the same table.
import type { Reply } from '../resp/reply.js';
import type { ExecContext } from './context.js';

export type CommandFlag =
  | 'write' // changes the data set: refused on replicas, produces effects
  | 'readonly' // reads keys only
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking' // may block the client (BLPOP, …)
  | 'loading' // allowed while the node is loading its data
  | 'stale' // allowed on a replica that lags
  | 'fast' // O(1) or O(log n)
  | 'no_auth' // allowed before AUTH
  | 'no_multi' // refused inside MULTI
  | 'allow_busy'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'may_replicate'
  // Keel's own (not shown by COMMAND):
  | 'whole_keyspace' // a read of the whole keyspace (KEYS, SCAN, DBSIZE…): waits for every uncommitted write (see `wholeKeyspaceWhen`)
  | 'allowed_in_subscribe' // allowed in RESP2 subscribed state
  | 'multi_control'; // executed immediately inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET)

/** Redis's legacy key specification: positions first..last every step (last < 0 counts from the end). */
export interface KeyRange {
  first: number;
  last: number;
  step: number;
}

/** A blocking command asks the server to park the client until a key is ready or time runs out. */
export class BlockRequest {
  constructor(
    readonly keys: string[],
    /** Absolute deadline in ms (Unix time), or 0 to wait forever. */
    readonly deadlineMs: number,
    /** What the client gets when the deadline passes (usually a null array). */
    readonly timeoutReply: Reply,
  ) {}
}

/**
 * A reply that is not known yet (WAIT waits for replicas). The connection holds its later
 * commands until it settles, as for a blocked client.
 */
export class DeferredReply {
  constructor(readonly promise: Promise<Reply>) {}
}

export type CommandResult = Reply | BlockRequest | DeferredReply;

export type CommandHandler = (ctx: ExecContext, argv: string[]) => CommandResult;

export interface CommandDocs {
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  /** Argument synopsis as in the Redis docs, e.g. `key value [NX | XX]`. */
  syntax?: string;
}

export interface CommandSpec {
  /** Lower case. A subcommand's name is its own word (`setname`), its full name `client|setname`. */
  name: string;
  /** Redis convention, command name included: N = exactly N, -N = at least N. */
  arity: number;
  flags: readonly CommandFlag[];
  /** ACL categories without '@', beyond those derived from flags (write, read, fast, …). */
  acl: readonly string[];
  keys: KeyRange | null;
  /** Key positions for commands whose keys are not a fixed range (numkeys, …). */
  keysFrom?: (argv: string[]) => number[];
  /**
   * For a command that reads the whole keyspace only with some arguments (INFO renders the
   * keyspace section or not): whether this call does. Such calls wait like 'whole_keyspace'
   * ones (replication/dirty-keys.ts).
   */
  wholeKeyspaceWhen?: (argv: string[]) => boolean;
  docs: CommandDocs;
  handler?: CommandHandler;
  subcommands?: CommandSpec[];
}

export const NO_KEYS = null;
export const FIRST_KEY: KeyRange = { first: 1, last: 1, step: 1 };
export const ALL_KEYS: KeyRange = { first: 1, last: -1, step: 1 };

/** Positions of the keys in argv, from the spec. */
export function keyPositions(spec: CommandSpec, argv: string[]): number[] {
  if (spec.keysFrom) return spec.keysFrom(argv);
  const range = spec.keys;
  if (range === null) return [];
  const last = range.last < 0 ? argv.length + range.last : range.last;
  const positions: number[] = [];
  for (let i = range.first; i <= last && i < argv.length; i += range.step) positions.push(i);
  return positions;
}

/** Keys of a `numkeys key [key …]` argument list starting at `numkeysIndex`. */
export function numkeysPositions(argv: string[], numkeysIndex: number): number[] {
  const count = Number(argv[numkeysIndex]);
  if (!Number.isSafeInteger(count) || count <= 0) return [];
  const positions: number[] = [];
  for (let i = 0; i < count && numkeysIndex + 1 + i < argv.length; i++) positions.push(numkeysIndex + 1 + i);
  return positions;
}
