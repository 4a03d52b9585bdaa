// The log service's command lines: `keel log-node …` runs one log node; `keel log status |
// append | read …` talks to a running cluster. The lead's `keel` entry point calls
// logNodeMain / logToolMain with the arguments after those words; each returns an exit code.

import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { LogError } from './errors.js';
import { defaultLogLimits, defaultLogTimings, type LogLimits, type LogTimings } from './limits.js';
import { LogNode } from './node/log-node.js';
import { parsePeers } from './node/address.js';
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
  --config FILE        JSON with any of: id, listen, dir, peers (string or {id: addr}),
                       logLevel, limits {…}, timings {…}; flags override it
  --log-level LEVEL    pino level for the stderr log (default info)
Limits and timings (defaults in parentheses), e.g. --tick-ms 50:
${[...limitFlags].map(([flag, name]) => `  --${flag} (${defaultLogLimits[name]})`).join('\n')}
${[...timingFlags].map(([flag, name]) => `  --${flag} (${defaultLogTimings[name]})`).join('\n')}
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
    const file: NodeFileConfig = flags.has('config') ? JSON.parse(await readFile(String(flags.get('config')), 'utf8')) : {};
    const id = (flags.get('id') as string | undefined) ?? file.id;
    const listen = (flags.get('listen') as string | undefined) ?? file.listen;
    const dir = (flags.get('dir') as string | undefined) ?? file.dir;
    const peersText = (flags.get('peers') as string | undefined)
      ?? (typeof file.peers === 'string' ? file.peers : file.peers ? Object.entries(file.peers).map(([k, v]) => `${k}=${v}`).join(',') : undefined);
    if (!id || !listen || !dir || !peersText) throw new UsageError('--id, --listen, --dir and --peers are required (flags or --config)');
    const limits: Partial<LogLimits> = { ...file.limits };
    const timings: Partial<LogTimings> = { ...file.timings };
    for (const [flag, name] of limitFlags) if (flags.has(flag)) limits[name] = parseCount(String(flags.get(flag)), `--${flag}`);
    for (const [flag, name] of timingFlags) if (flags.has(flag)) timings[name] = parseCount(String(flags.get(flag)), `--${flag}`);
    const level = (flags.get('log-level') as string | undefined) ?? file.logLevel ?? 'info';
    logger = pino({ level, base: { node: id } }, pino.destination(2));
    node = await LogNode.start({ id, listen, dir, peers: parsePeers(peersText), limits, timings, logger });
  } catch (error) {
    return reportError(error, logNodeUsage);
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
