// `keel failover`: hands the primary role to another db node (planned, lossless) and waits
// until the new primary serves.
import { resolve } from 'node:path';
import { formatHelp, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { resolveTargets } from '../cluster/targets.js';
import { failover, FailoverError } from '../cluster/failover.js';

export const failoverFlags: FlagSpec[] = [
  { name: 'dir', kind: 'string', default: 'data', value: 'DIR', help: 'directory of a `keel up` cluster (reads DIR/cluster.json)' },
  { name: 'nodes', kind: 'list', default: [], value: 'ADDR,…', help: 'db nodes (host:port) instead of a layout' },
  { name: 'to', kind: 'string', default: '', value: 'NODE', help: 'the node to become primary: id (db-2) or host:port (default: the primary picks)' },
  { name: 'timeout-ms', kind: 'int', default: 10_000, value: 'MS', help: 'give up when no other node serves as primary within this long' },
];

export async function failoverMain(args: string[]): Promise<number> {
  const { values, help, positional } = parseFlags(failoverFlags, args);
  if (help) {
    console.log(formatHelp('keel failover [--dir DIR | --nodes ADDR,…] [--to NODE]', 'Sends FAILOVER [TO host port] to the current primary and waits until the new primary serves.', failoverFlags));
    return 0;
  }
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const timeoutMs = values['timeout-ms'] as number;
  if (timeoutMs < 100) throw new UsageError('--timeout-ms must be at least 100');
  const targets = resolveTargets(resolve(values.dir as string), values.nodes as string[], []);
  if (targets.dbNodes.length < 2) throw new UsageError('failover needs at least two db nodes');
  try {
    const result = await failover(targets.dbNodes.map(({ id, addr }) => ({ id, addr })), (values.to as string) || null, timeoutMs, 100);
    console.log(`keel failover: ${result.to.id} (${result.to.addr}) is the primary now; was ${result.from.id} (${result.from.addr}); took ${result.elapsedMs} ms`);
    return 0;
  } catch (error) {
    if (!(error instanceof FailoverError)) throw error;
    console.error(`keel failover: ${error.code}: ${error.message}`);
    return 1;
  }
}
