// The command table: every command family's specs, looked up by name. COMMAND, COMMAND DOCS
// and the dispatcher all read it.
import { err, ErrorReply } from '../resp/reply.js';
import type { CommandSpec } from './spec.js';
import { Errors } from '../resp/reply.js';
import { commandFamilies } from './index.js';
import { assert } from '../util/assert.js';

export type Resolution =
  | { ok: true; spec: CommandSpec; fullName: string }
  | { ok: false; error: ErrorReply };

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();

  constructor(specs: Iterable<CommandSpec>) {
    for (const spec of specs) {
      assert(!this.byName.has(spec.name), `command declared twice: ${spec.name}`);
      assert(spec.handler !== undefined || spec.subcommands !== undefined, `command ${spec.name} has no handler`);
      this.byName.set(spec.name, spec);
    }
  }

  static standard(): CommandTable {
    return new CommandTable(commandFamilies.flat());
  }

  get size(): number {
    return this.byName.size;
  }

  get(name: string): CommandSpec | undefined {
    return this.byName.get(name.toLowerCase());
  }

  all(): IterableIterator<CommandSpec> {
    return this.byName.values();
  }

  /** Finds the spec for argv (descending into subcommands) and checks its arity. */
  resolve(argv: string[]): Resolution {
    const name = argv[0]!.toLowerCase();
    const spec = this.byName.get(name);
    if (spec === undefined) return { ok: false, error: unknownCommand(argv) };
    if (spec.subcommands !== undefined && (argv.length >= 2 || spec.handler === undefined)) {
      if (argv.length < 2) return { ok: false, error: Errors.wrongArity(name) };
      const subName = argv[1]!.toLowerCase();
      const sub = spec.subcommands.find((candidate) => candidate.name === subName);
      if (sub === undefined) {
        if (spec.handler === undefined) {
          return { ok: false, error: err(`ERR unknown subcommand '${sanitize(argv[1]!, 128)}'. Try ${name.toUpperCase()} HELP.`) };
        }
      } else {
        const fullName = `${name}|${subName}`;
        if (!arityMatches(sub.arity, argv.length)) return { ok: false, error: Errors.wrongArity(fullName) };
        return { ok: true, spec: sub, fullName };
      }
    }
    if (!arityMatches(spec.arity, argv.length)) return { ok: false, error: Errors.wrongArity(name) };
    return { ok: true, spec, fullName: name };
  }
}

/** Redis arity: n > 0 exactly n arguments (name included), n < 0 at least -n. */
export function arityMatches(arity: number, argc: number): boolean {
  return arity > 0 ? argc === arity : argc >= -arity;
}

/** Redis replaces newlines in echoed input so an error stays one line. */
function sanitize(text: string, lengthMax: number): string {
  return text.slice(0, lengthMax).replace(/[\r\n]/g, ' ');
}

/** `ERR unknown command 'foo', with args beginning with: 'a' 'b' ` (Redis 7, byte for byte). */
function unknownCommand(argv: string[]): ErrorReply {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i]!.slice(0, 128 - args.length)}' `;
  }
  return err(sanitize(`ERR unknown command '${argv[0]!.slice(0, 128)}', with args beginning with: ${args}`, Infinity));
}
