// `defineCommand`: the compact form every command family file declares its commands in.
import type { CommandFlag, CommandHandler, CommandSpec, KeyRange } from './spec.js';
import { assert } from '../util/assert.js';

export interface CommandDefinition {
  name: string;
  arity: number;
  flags?: CommandFlag[];
  keys?: KeyRange | null;
  keysFrom?: (argv: string[]) => number[];
  wholeKeyspaceWhen?: (argv: string[]) => boolean;
  acl?: string[];
  group: string;
  since: string;
  summary: string;
  complexity?: string;
  syntax?: string;
  handler?: CommandHandler;
  subcommands?: CommandSpec[];
}

/** Builds a spec from a compact definition (the form every command family file uses). */
export function defineCommand(definition: CommandDefinition): CommandSpec {
  assert(definition.name === definition.name.toLowerCase(), `command name must be lower case: ${definition.name}`);
  assert(definition.arity !== 0, `arity of ${definition.name} must not be 0`);
  return {
    name: definition.name,
    arity: definition.arity,
    flags: definition.flags ?? [],
    acl: definition.acl ?? [],
    keys: definition.keys ?? null,
    keysFrom: definition.keysFrom,
    wholeKeyspaceWhen: definition.wholeKeyspaceWhen,
    docs: {
      summary: definition.summary,
      since: definition.since,
      group: definition.group,
      complexity: definition.complexity,
      syntax: definition.syntax,
    },
    handler: definition.handler,
    subcommands: definition.subcommands,
  };
}

