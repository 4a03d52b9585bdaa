// Command-line flags declared as data: each subcommand lists its flags (name, kind, default,
// help); the same table parses argv, reads a config file and the environment, and prints
// --help. Precedence: command line > environment (KEEL_FLAG_NAME) > config file > default.
import { readFileSync } from 'node:fs';

export type FlagKind = 'string' | 'int' | 'bytes' | 'bool' | 'list';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  default?: string | number | boolean | string[];
  help: string;
  /** Placeholder in help, e.g. PORT. */
  value?: string;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export class UsageError extends Error {}

/** Parses Redis-style memory sizes: 100, 1k (1000), 1kb (1024), 5mb, 1gb. */
export function parseBytes(text: string): number | null {
  const match = /^([0-9]+)(k|kb|m|mb|g|gb|b)?$/i.exec(text.trim());
  if (!match) return null;
  const units: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const value = Number(match[1]) * units[(match[2] ?? '').toLowerCase()]!;
  return Number.isSafeInteger(value) ? value : null;
}

function convert(spec: FlagSpec, raw: string, source: string): string | number | boolean | string[] {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'int': {
      if (!/^-?[0-9]+$/.test(raw)) throw new UsageError(`${source}: --${spec.name} expects an integer, got '${raw}'`);
      return Number(raw);
    }
    case 'bytes': {
      const bytes = parseBytes(raw);
      if (bytes === null) throw new UsageError(`${source}: --${spec.name} expects a size like 512mb, got '${raw}'`);
      return bytes;
    }
    case 'bool': {
      const lower = raw.toLowerCase();
      if (['yes', 'true', '1', 'on'].includes(lower)) return true;
      if (['no', 'false', '0', 'off'].includes(lower)) return false;
      throw new UsageError(`${source}: --${spec.name} expects yes or no, got '${raw}'`);
    }
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  }
}

/** Reads `name value` lines (redis.conf style; # comments) into raw flag strings. */
function readConfigFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  const values = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(\S+)\s+(.*)$/.exec(trimmed);
    if (!match) throw new UsageError(`${path}:${index + 1}: expected 'name value'`);
    values.set(match[1]!.replace(/^--/, ''), match[2]!.replace(/^"(.*)"$/, '$1'));
  });
  return values;
}

/** Flags that were renamed: the old name gets a usage error naming the new one. */
const renamedFlags: ReadonlyMap<string, string> = new Map([['read-bytes-per-sec', 'bytes-per-sec']]);

/** The new name of a renamed flag this command has, for the error about its old name. */
function renamedTo(name: string, byName: ReadonlyMap<string, FlagSpec>): string | undefined {
  const renamed = renamedFlags.get(name);
  return renamed !== undefined && byName.has(renamed) ? renamed : undefined;
}

export function parseFlags(specs: FlagSpec[], argv: string[], env: NodeJS.ProcessEnv = process.env): { values: FlagValues; positional: string[]; help: boolean } {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const commandLine = new Map<string, string>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    const renamed = spec ? undefined : renamedTo(name, byName);
    if (renamed) throw new UsageError(`--${name} was renamed to --${renamed} (see --help)`);
    if (!spec && name !== 'config') throw new UsageError(`unknown flag --${name} (see --help)`);
    if (eq !== -1) commandLine.set(name, arg.slice(eq + 1));
    else if (spec?.kind === 'bool' && (i + 1 >= argv.length || argv[i + 1]!.startsWith('--') || !/^(yes|no|true|false|on|off|0|1)$/i.test(argv[i + 1]!))) commandLine.set(name, 'yes');
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      commandLine.set(name, argv[++i]!);
    }
  }
  const configPath = commandLine.get('config') ?? env.KEEL_CONFIG;
  const fromFile = configPath ? readConfigFile(configPath) : new Map<string, string>();
  for (const name of fromFile.keys()) {
    if (byName.has(name)) continue;
    const renamed = renamedTo(name, byName);
    throw new UsageError(renamed ? `${configPath}: setting '${name}' was renamed to '${renamed}'` : `${configPath}: unknown setting '${name}'`);
  }
  const values: FlagValues = {};
  for (const spec of specs) {
    const envName = `KEEL_${spec.name.toUpperCase().replace(/-/g, '_')}`;
    const raw = commandLine.get(spec.name) ?? env[envName] ?? fromFile.get(spec.name);
    const source = commandLine.has(spec.name) ? 'command line' : env[envName] !== undefined ? envName : configPath ?? '';
    values[spec.name] = raw === undefined ? spec.default : convert(spec, raw, source);
  }
  return { values, positional, help };
}

export function formatHelp(usage: string, description: string, specs: FlagSpec[]): string {
  const lines = [`Usage: ${usage}`, '', description, '', 'Flags:'];
  const left = specs.map((spec) => `  --${spec.name}${spec.kind === 'bool' ? '' : ` ${spec.value ?? spec.kind.toUpperCase()}`}`);
  const width = Math.max(...left.map((text) => text.length), 20) + 2;
  specs.forEach((spec, index) => {
    const defaultText = spec.default === undefined || spec.default === '' ? '' : ` (default: ${Array.isArray(spec.default) ? spec.default.join(',') : spec.default})`;
    lines.push(`${left[index]!.padEnd(width)}${spec.help}${defaultText}`);
  });
  lines.push(`  --config FILE`.padEnd(width) + 'read settings from FILE (lines of `flag value`)');
  lines.push(`  --help`.padEnd(width) + 'show this help');
  lines.push('', 'Every flag can also be set as KEEL_<FLAG> in the environment (e.g. KEEL_PORT=6380).');
  return lines.join('\n');
}
