// The log service's command lines: `keel log-node …` runs one log node; `keel log status |
// append | read …` talks to a running cluster. The lead's `keel` entry point calls
// logNodeMain / logToolMain with the arguments after those words; each returns an exit code.

import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { LogAssertionError } from './assert.js';
import { LogError } from './errors.js';
import { assertLogLimits, assertLogTimings, defaultLogLimits, defaultLogTimings, type LogLimits, type LogTimings } from './limits.js';
import { LogNode } from './node/log-node.js';
import { parseAddress, parsePeers } from './node/address.js';
import { LogClient } from './client/log-client.js';
import { checksumHex } from './checksum.js';
import type { NodeStatus } from './wire/protocol.js';
import { kebab, parseArgs, parseCount, UsageError } from './cli-args.js';

const limitFlags = new Map(Object.keys(defaultLogLimits).map((name) => [kebab(name), name as keyof LogLimits]));
const timingFlags = new Map(Object.keys(defaultLogTimings).map((name) => [kebab(name), name as keyof LogTimings]));

export const logNodeUsage = `Usage: keel log-node --id ID --listen HOST:PORT --dir DIR --peers ID=HOST:PORT,… [options]
       keel log-node --config FILE.json [options]

Runs one log node of the three-node Raft group that stores Keel's named logs.

Options:
  --id ID              this node's id (one of the ids in --peers)
  --listen HOST:PORT   address for clients and peers (e.g. 127.0.0.1:7101)
  --dir DIR            data directory (LevelDB); an empty one joins safely (see README)
  --peers LIST         every node, this one included: a=127.0.0.1:7101,b=…,c=…
  --config FILE        a JSON object with any of: id, listen, dir, peers ("a=h:p,…" or
                       {"a": "h:p", …}), logLevel, limits {frameBytesMax: …}, timings
                       {tickMs: …} (camelCase names of the flags below); an unknown key
                       is an error; flags override the file; no environment variables
  --log-level LEVEL    pino level for the stderr log (default info)
Limits and timings (defaults in parentheses), e.g. --tick-ms 50:
${[...limitFlags].map(([flag, name]) => `  --${flag} (${defaultLogLimits[name]})`).join('\n')}
${[...timingFlags].map(([flag, name]) => `  --${flag} (${defaultLogTimings[name]})`).join('\n')}
Their relations (e.g. a full batch must fit a frame) are checked before the node starts.
Exit codes: 0 stopped by SIGINT/SIGTERM, 1 failed at start-up, 2 bad flags or config.
`;

export const logToolUsage = `Usage: keel log status --nodes ADDR,ADDR,ADDR [--json]
       keel log append --nodes ADDRS --log NAME [--prev LSN] VALUE…
       keel log read --nodes ADDRS --log NAME --from LSN [--limit N] [--json]

  status   role, term, leader, commit index, logs {first, tail} and peer match
           index of every node (null / "down" for a node that does not answer);
           "precandidate" is a node asking for pre-votes after losing its leader's
           heartbeats (no election, the term does not move)
  append   appends each VALUE as one entry, all in one batch; with --prev only if the
           log's tail is LSN (prints the committed LSN range, or the conflict)
  read     prints committed entries from LSN (at most --limit, default 100)

Options:
  --nodes ADDRS   comma-separated host:port of the log nodes (or env KEEL_LOG_NODES)
  --json          machine-readable output
Exit codes: 0 ok, 1 refused or failed (conflict, trimmed, unavailable), 2 usage.
`;

interface NodeFileConfig {
  id?: string;
  listen?: string;
  dir?: string;
  peers?: string | Record<string, string>;
  logLevel?: string;
  limits?: Partial<LogLimits>;
  timings?: Partial<LogTimings>;
}

const fileKeys = ['id', 'listen', 'dir', 'peers', 'logLevel', 'limits', 'timings'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Levenshtein distance, for "did you mean" on a misspelt key. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

function unknownKey(where: string, key: string, known: readonly string[]): UsageError {
  const near = known.filter((name) => distance(name.toLowerCase(), key.toLowerCase()) <= 2);
  const hint = near.length > 0 ? `did you mean ${near.map((n) => JSON.stringify(n)).join(' or ')}?` : `known keys: ${known.join(', ')}`;
  return new UsageError(`${where}: unknown key ${JSON.stringify(key)} (${hint})`);
}

/** Numbers of `limits` / `timings`: integers here, their ranges and relations asserted later. */
function numberSection<T extends object>(path: string, section: string, value: unknown, defaults: T): Partial<T> {
  if (!isPlainObject(value)) throw new UsageError(`--config ${path}: "${section}" must be an object`);
  const known = Object.keys(defaults);
  for (const [key, number] of Object.entries(value)) {
    if (!known.includes(key)) throw unknownKey(`--config ${path}`, `${section}.${key}`, known.map((name) => `${section}.${name}`));
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
      throw new UsageError(`--config ${path}: "${section}.${key}" must be an integer, got ${JSON.stringify(number)}`);
    }
  }
  return value as Partial<T>;
}

/**
 * The `--config` file: one JSON object (not the `flag value` lines of the other keel
 * commands). Every key is checked, at every level, so a typo fails instead of being ignored.
 */
export function parseNodeConfigFile(path: string, text: string): NodeFileConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path}: not valid JSON (${oneLine((error as Error).message)})`);
  }
  if (!isPlainObject(parsed)) throw new UsageError(`--config ${path}: must be a JSON object`);
  const config: NodeFileConfig = {};
  for (const [key, value] of Object.entries(parsed)) {
    switch (key) {
      case 'id':
      case 'listen':
      case 'dir':
      case 'logLevel':
        if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--config ${path}: "${key}" must be a non-empty string`);
        config[key] = value;
        break;
      case 'peers':
        if (isPlainObject(value)) {
          for (const [id, address] of Object.entries(value)) {
            if (typeof address !== 'string') throw new UsageError(`--config ${path}: "peers.${id}" must be a "host:port" string`);
          }
          config.peers = value as Record<string, string>;
        } else if (typeof value === 'string') {
          config.peers = value;
        } else {
          throw new UsageError(`--config ${path}: "peers" must be "id=host:port,…" or {"id": "host:port", …}`);
        }
        break;
      case 'limits':
        config.limits = numberSection(path, 'limits', value, defaultLogLimits);
        break;
      case 'timings':
        config.timings = numberSection(path, 'timings', value, defaultLogTimings);
        break;
      default:
        throw unknownKey(`--config ${path}`, key, fileKeys);
    }
  }
  return config;
}

async function readNodeConfigFile(path: string): Promise<NodeFileConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    // "ENOENT: no such file or directory, open '…'" -> "no such file or directory"
    const reason = oneLine((error as Error).message).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    throw new UsageError(`--config ${path}: cannot read it (${reason})`);
  }
  return parseNodeConfigFile(path, text);
}

/** An assertion of limits.ts about what an operator chose is a usage error, not a crash. */
function checked(check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof LogAssertionError) throw new UsageError(error.message);
    throw error;
  }
}

function asUsageError<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof LogError) throw new UsageError(`${what}: ${error.message.slice(error.code.length + 1)}`);
    throw error;
  }
}

export async function logNodeMain(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(logNodeUsage);
    return 0;
  }
  let node: LogNode;
  let logger: pino.Logger;
  try {
    const valueFlags = new Set(['id', 'listen', 'dir', 'peers', 'config', 'log-level', ...limitFlags.keys(), ...timingFlags.keys()]);
    const { flags, positional } = parseArgs(args, valueFlags, new Set());
    if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
    const file: NodeFileConfig = flags.has('config') ? await readNodeConfigFile(String(flags.get('config'))) : {};
    const id = (flags.get('id') as string | undefined) ?? file.id;
    const listen = (flags.get('listen') as string | undefined) ?? file.listen;
    const dir = (flags.get('dir') as string | undefined) ?? file.dir;
    const peersText = (flags.get('peers') as string | undefined)
      ?? (typeof file.peers === 'string' ? file.peers : file.peers ? Object.entries(file.peers).map(([k, v]) => `${k}=${v}`).join(',') : undefined);
    if (!id || !listen || !dir || !peersText) throw new UsageError('--id, --listen, --dir and --peers are required (flags or --config)');
    asUsageError('--listen', () => parseAddress(listen));
    const peers = asUsageError('--peers', () => parsePeers(peersText));
    if (!peers.has(id)) throw new UsageError(`--peers must include this node's own id ${id}`);
    const limits: Partial<LogLimits> = { ...file.limits };
    const timings: Partial<LogTimings> = { ...file.timings };
    for (const [flag, name] of limitFlags) if (flags.has(flag)) limits[name] = parseCount(String(flags.get(flag)), `--${flag}`);
    for (const [flag, name] of timingFlags) if (flags.has(flag)) timings[name] = parseCount(String(flags.get(flag)), `--${flag}`);
    // LogNode.start asserts the same; checked here so a bad combination is a usage error.
    checked(() => assertLogLimits({ ...defaultLogLimits, ...limits }));
    checked(() => assertLogTimings({ ...defaultLogTimings, ...timings }));
    const level = (flags.get('log-level') as string | undefined) ?? file.logLevel ?? 'info';
    if (level !== 'silent' && !(level in pino.levels.values)) {
      throw new UsageError(`--log-level must be one of ${[...Object.keys(pino.levels.values), 'silent'].join(', ')}, got ${JSON.stringify(level)}`);
    }
    logger = pino({ level, base: { node: id } }, pino.destination(2));
    node = await LogNode.start({ id, listen, dir, peers, limits, timings, logger });
  } catch (error) {
    return reportNodeError(error);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  logger.info('stopping');
  await node.close();
  return 0;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/**
 * log-node's errors are one line: a usage or config error exits 2; a failure to start
 * (address in use, directory locked or another node's) exits 1. Only an error that is none
 * of those — a bug — keeps its stack.
 */
function reportNodeError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${oneLine(error.message)}; see keel log-node --help\n`);
    return 2;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof LogError || (error instanceof Error && typeof code === 'string')) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const because = cause instanceof Error ? `: ${cause.message}` : '';
    process.stderr.write(`error: ${oneLine(`${error.message}${because}`)}\n`);
    return 1;
  }
  process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}

export async function logToolMain(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === '-h' || rest.includes('--help')) {
    process.stdout.write(logToolUsage);
    return command ? 0 : 2;
  }
  let client: LogClient | null = null;
  try {
    const { flags, positional } = parseArgs(rest, new Set(['nodes', 'log', 'prev', 'from', 'limit']), new Set(['json']));
    const nodesText = (flags.get('nodes') as string | undefined) ?? process.env.KEEL_LOG_NODES;
    if (!nodesText) throw new UsageError('--nodes is required');
    const nodes = nodesText.split(',').map((n) => n.trim()).filter(Boolean);
    const json = flags.has('json');
    client = new LogClient({ nodes, timings: { requestTimeoutMs: 5000, appendTimeoutMs: 15000 } });
    switch (command) {
      case 'status': {
        if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
        const statuses = await client.statusAll();
        const view = statuses.map((status) => (status ? statusView(status) : null));
        process.stdout.write(json ? `${JSON.stringify(view, null, 2)}\n` : statusTable(nodes, statuses));
        return 0;
      }
      case 'append': {
        const log = requireFlag(flags, 'log');
        if (positional.length === 0) throw new UsageError('append needs at least one VALUE');
        const payloads = positional.map((value) => Uint8Array.from(Buffer.from(value, 'utf8')));
        const prev = flags.get('prev');
        const result = prev === undefined
          ? await client.appendAtTail(log, payloads)
          : await client.append(log, payloads, { prevLsn: parseCount(String(prev), '--prev') });
        process.stdout.write(json ? `${JSON.stringify(result)}\n` : `appended ${log} LSN ${result.firstLsn}..${result.lastLsn}\n`);
        return 0;
      }
      case 'read': {
        const log = requireFlag(flags, 'log');
        const from = parseCount(requireFlag(flags, 'from'), '--from');
        const limit = flags.has('limit') ? parseCount(String(flags.get('limit')), '--limit') : 100;
        const entries = [];
        let next = from;
        while (entries.length < limit) {
          const result = await client.read(log, next, { entriesMax: limit - entries.length });
          if (result.entries.length === 0) break;
          entries.push(...result.entries);
          next = result.entries[result.entries.length - 1]!.lsn + 1;
        }
        if (json) {
          const view = entries.map((e) => ({ lsn: e.lsn, writerId: e.writerId, batchSeq: e.batchSeq, checksum: checksumHex(e.checksum), value: Buffer.from(e.payload).toString('utf8') }));
          process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
        } else {
          for (const entry of entries) process.stdout.write(`${entry.lsn}\t${JSON.stringify(Buffer.from(entry.payload).toString('utf8'))}\n`);
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    return reportError(error, logToolUsage);
  } finally {
    client?.close();
  }
}

function requireFlag(flags: Map<string, string | true>, name: string): string {
  const value = flags.get(name);
  if (typeof value !== 'string') throw new UsageError(`--${name} is required`);
  return value;
}

function statusView(status: NodeStatus): Record<string, unknown> {
  return {
    id: status.id, role: status.role, ...(status.campaignPhase ? { campaignPhase: status.campaignPhase } : {}), term: status.term, leaderId: status.leaderId, commitIndex: status.commitIndex,
    logs: status.logs,
    peers: Object.fromEntries(Object.entries(status.peers).map(([id, peer]) => [id, { matchIndex: peer.matchIndex }])),
  };
}

function statusTable(nodes: string[], statuses: Array<NodeStatus | null>): string {
  const rows = [['NODE', 'ADDRESS', 'ROLE', 'TERM', 'LEADER', 'COMMIT', 'PEERS (matchIndex/lag)']];
  const logRows: string[][] = [];
  statuses.forEach((status, i) => {
    if (!status) {
      rows.push(['?', nodes[i]!, 'down', '-', '-', '-', '-']);
      return;
    }
    const peers = Object.entries(status.peers).map(([id, p]) => `${id}:${p.matchIndex}/${p.lag}`).join(' ') || '-';
    // A pre-vote is not an election (the term does not move): say which one it is.
    const role = status.role === 'candidate' && status.campaignPhase === 'pre-vote' ? 'precandidate' : String(status.role);
    rows.push([String(status.id), nodes[i]!, role, String(status.term), String(status.leaderId ?? '-'), String(status.commitIndex), peers]);
    for (const [name, log] of Object.entries(status.logs)) logRows.push([String(status.id), name, String(log.firstLsn), String(log.tailLsn)]);
  });
  let text = table(rows);
  if (logRows.length > 0) text += `\n${table([['NODE', 'LOG', 'FIRST', 'TAIL'], ...logRows])}`;
  return text;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function reportError(error: unknown, usage: string): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (error instanceof LogError) {
    process.stderr.write(`error: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}
