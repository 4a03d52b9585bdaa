// CONFIG GET / CONFIG SET parameters, declared as data. Unknown parameters get Redis's
// errors. Some parameters exist only so that tools that read them (redis-benchmark reads
// `save` and `appendonly`) get a truthful answer.
import { parseBytes } from '../cli/flags.js';
import { assertServerLimits } from '../config/limits.js';
import type { ServerSettings } from './settings.js';
import type { Slowlog } from './slowlog.js';

interface ConfigParam {
  name: string;
  get(): string;
  /** Absent: read-only ("ERR CONFIG SET failed (possibly related to argument 'x') - can't set immutable config"). */
  set?(value: string): string | null;
}

function integer(value: string): number | null {
  return /^-?[0-9]+$/.test(value) ? Number(value) : null;
}

export function configParams(settings: ServerSettings, slowlog: Slowlog): ConfigParam[] {
  const limit = (name: string, key: keyof ServerSettings['limits'], parse: (text: string) => number | null): ConfigParam => ({
    name,
    get: () => String(settings.limits[key]),
    set: (value) => {
      const parsed = parse(value);
      if (parsed === null) return `argument couldn't be parsed into an integer`;
      const next = { ...settings.limits, [key]: parsed };
      try {
        assertServerLimits(next);
      } catch (error) {
        return (error as Error).message;
      }
      settings.limits[key] = parsed;
      return null;
    },
  });
  return [
    { name: 'port', get: () => String(settings.port) },
    { name: 'bind', get: () => settings.host },
    { name: 'dir', get: () => settings.dir },
    { name: 'databases', get: () => String(settings.databases) },
    { name: 'requirepass', get: () => settings.requirepass, set: (value) => { settings.requirepass = value; return null; } },
    limit('maxclients', 'maxClients', integer),
    limit('proto-max-bulk-len', 'protoMaxBulkLenBytes', parseBytes),
    limit('client-query-buffer-limit', 'queryBufferBytes', parseBytes),
    {
      name: 'client-output-buffer-limit',
      get: () => `normal ${settings.limits.outputBufferNormalBytes} 0 0 replica 0 0 0 pubsub ${settings.limits.outputBufferPubsubBytes} 0 0`,
      set: (value) => {
        const words = value.trim().split(/\s+/);
        if (words.length % 4 !== 0) return 'Wrong number of arguments in buffer limit configuration.';
        for (let i = 0; i < words.length; i += 4) {
          const hard = parseBytes(words[i + 1]!);
          if (hard === null) return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
          const kind = words[i]!.toLowerCase();
          if (kind === 'normal') settings.limits.outputBufferNormalBytes = hard;
          else if (kind === 'pubsub') settings.limits.outputBufferPubsubBytes = hard;
          else if (kind !== 'replica' && kind !== 'slave') return 'Invalid client class specified in buffer limit configuration.';
        }
        return null;
      },
    },
    {
      name: 'slowlog-log-slower-than',
      get: () => String(slowlog.slowerThanMicros),
      set: (value) => { const n = integer(value); if (n === null) return "argument couldn't be parsed into an integer"; slowlog.slowerThanMicros = n; return null; },
    },
    {
      name: 'slowlog-max-len',
      get: () => String(slowlog.entriesMax),
      set: (value) => { const n = integer(value); if (n === null || n < 0) return "argument couldn't be parsed into an integer"; slowlog.entriesMax = n; return null; },
    },
    // Keel persists through its log, not through RDB/AOF files: report that honestly.
    { name: 'save', get: () => '' },
    { name: 'appendonly', get: () => 'no' },
    { name: 'appendfsync', get: () => 'always' },
    { name: 'maxmemory', get: () => '0' },
    { name: 'maxmemory-policy', get: () => 'noeviction' },
    { name: 'timeout', get: () => '0' },
    { name: 'tcp-keepalive', get: () => '300' },
    { name: 'hz', get: () => String(Math.round(1000 / settings.limits.activeExpireIntervalMs)) },
    { name: 'loglevel', get: () => settings.logLevel },
    { name: 'notify-keyspace-events', get: () => '' },
    { name: 'cluster-enabled', get: () => 'no' },
  ];
}
