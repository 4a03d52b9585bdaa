// `keel server`: one database node.
import pino from 'pino';
import { KeelServer } from '../server/server.js';
import { defaultSettings } from '../server/settings.js';
import { formatHelp, parseFlags, type FlagSpec } from './flags.js';
import { defaultServerLimits } from '../config/limits.js';

export const serverFlags: FlagSpec[] = [
  { name: 'port', kind: 'int', default: 6379, value: 'PORT', help: 'TCP port for RESP clients (0 = any free port)' },
  { name: 'bind', kind: 'string', default: '127.0.0.1', value: 'ADDR', help: 'address to listen on' },
  { name: 'dir', kind: 'string', default: 'data', value: 'DIR', help: 'data directory' },
  { name: 'requirepass', kind: 'string', default: '', value: 'PASSWORD', help: 'require AUTH with this password' },
  { name: 'databases', kind: 'int', default: 16, value: 'N', help: 'number of logical databases (SELECT 0..N-1)' },
  { name: 'maxclients', kind: 'int', default: defaultServerLimits.maxClients, value: 'N', help: 'maximum concurrent client connections' },
  { name: 'proto-max-bulk-len', kind: 'bytes', default: defaultServerLimits.protoMaxBulkLenBytes, value: 'BYTES', help: 'largest bulk string a client may send' },
  { name: 'max-multibulk-len', kind: 'int', default: defaultServerLimits.multibulkLenMax, value: 'N', help: 'largest number of arguments in one request' },
  { name: 'client-query-buffer-limit', kind: 'bytes', default: defaultServerLimits.queryBufferBytes, value: 'BYTES', help: 'unparsed input buffered per client before it is disconnected' },
  { name: 'client-output-buffer-limit-normal', kind: 'bytes', default: defaultServerLimits.outputBufferNormalBytes, value: 'BYTES', help: 'pending output per normal client before it is disconnected (0 = no limit)' },
  { name: 'client-output-buffer-limit-pubsub', kind: 'bytes', default: defaultServerLimits.outputBufferPubsubBytes, value: 'BYTES', help: 'pending output per pub/sub client before it is disconnected' },
  { name: 'log-level', kind: 'string', default: 'info', value: 'LEVEL', help: 'log level: fatal, error, warn, info, debug, trace' },
];

export async function serverMain(args: string[]): Promise<number> {
  const { values, help } = parseFlags(serverFlags, args);
  if (help) {
    console.log(formatHelp('keel server [flags]', 'Runs one Keel database node: a RESP server (redis-cli, ioredis, node-redis, redis-benchmark work unmodified).', serverFlags));
    return 0;
  }
  const settings = defaultSettings();
  settings.port = values.port as number;
  settings.host = values.bind as string;
  settings.dir = values.dir as string;
  settings.requirepass = values.requirepass as string;
  settings.databases = values.databases as number;
  settings.logLevel = values['log-level'] as string;
  settings.limits.maxClients = values.maxclients as number;
  settings.limits.protoMaxBulkLenBytes = values['proto-max-bulk-len'] as number;
  settings.limits.multibulkLenMax = values['max-multibulk-len'] as number;
  settings.limits.queryBufferBytes = values['client-query-buffer-limit'] as number;
  settings.limits.outputBufferNormalBytes = values['client-output-buffer-limit-normal'] as number;
  settings.limits.outputBufferPubsubBytes = values['client-output-buffer-limit-pubsub'] as number;
  const logger = pino({ level: settings.logLevel, base: { node: 'server' } }, pino.destination(2));
  const server = new KeelServer(settings, logger);
  const port = await server.listen();
  logger.info({ port, host: settings.host }, 'ready to accept connections');
  // The line tests and supervisors wait for:
  process.stdout.write(`keel server listening on ${settings.host}:${port}\n`);
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return new Promise<number>(() => { /* runs until a signal */ });
}
