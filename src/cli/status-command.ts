// `keel status`: the cluster at a glance — log nodes (Raft role, term, commit index), db nodes
// (role, applied LSN, lag, lease), shards (first/tail LSN, last snapshot).
import { resolve } from 'node:path';
import { formatHelp, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { resolveTargets } from '../cluster/targets.js';
import { formatStatus, gatherStatus } from '../cluster/status.js';
import { snapshotStoreOf } from '../cluster/layout.js';

export const statusFlags: FlagSpec[] = [
  { name: 'dir', kind: 'string', default: 'data', value: 'DIR', help: 'directory of a `keel up` cluster (reads DIR/cluster.json)' },
  { name: 'nodes', kind: 'list', default: [], value: 'ADDR,…', help: 'db nodes (host:port) to ask instead of a layout' },
  { name: 'log-nodes', kind: 'list', default: [], value: 'ADDR,…', help: 'log nodes (host:port) to ask instead of a layout' },
  { name: 'json', kind: 'bool', default: false, help: 'print one JSON object {logNodes, dbNodes, shards}' },
  { name: 'timeout-ms', kind: 'int', default: 2000, value: 'MS', help: 'a node that does not answer within this long shows as unreachable' },
];

export async function statusMain(args: string[]): Promise<number> {
  const { values, help, positional } = parseFlags(statusFlags, args);
  if (help) {
    console.log(formatHelp('keel status [--dir DIR | --nodes ADDR,… --log-nodes ADDR,…] [--json]', 'Shows every log node, db node and shard of a cluster.', statusFlags));
    return 0;
  }
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const timeoutMs = values['timeout-ms'] as number;
  if (timeoutMs < 1) throw new UsageError('--timeout-ms must be positive');
  const dir = resolve(values.dir as string);
  const targets = resolveTargets(dir, values.nodes as string[], values['log-nodes'] as string[]);
  const store = targets.layout ? snapshotStoreOf(dir, targets.layout) : null;
  const status = await gatherStatus(targets.logNodes, targets.dbNodes, timeoutMs, store && !store.startsWith('s3://') ? store : null);
  process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  return 0;
}
