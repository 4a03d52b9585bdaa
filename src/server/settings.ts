// The database node's settings: what `keel server` flags, the config file and CONFIG SET
// change. Limits live in config/limits.ts; this adds what is not a limit.
import { defaultServerLimits, type ServerLimits } from '../config/limits.js';

export interface ServerSettings {
  host: string;
  port: number;
  dir: string;
  requirepass: string;
  databases: number;
  logLevel: string;
  limits: ServerLimits;
}

export function defaultSettings(): ServerSettings {
  return {
    host: '127.0.0.1',
    port: 6379,
    dir: 'data',
    requirepass: '',
    databases: 16,
    logLevel: 'info',
    limits: { ...defaultServerLimits },
  };
}
