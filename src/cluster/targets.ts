// Which nodes an operator command talks to: the layout recorded in --dir, or addresses given
// with --nodes (db nodes) and --log-nodes.
import { UsageError } from '../cli/flags.js';
import { readLayout, layoutPath, type ClusterLayout } from './layout.js';
import type { StatusTarget } from './status.js';

export interface ClusterTargets {
  logNodes: StatusTarget[];
  dbNodes: StatusTarget[];
  layout: ClusterLayout | null;
}

export function resolveTargets(dir: string, dbAddrs: string[], logAddrs: string[]): ClusterTargets {
  if (dbAddrs.length > 0 || logAddrs.length > 0) {
    return {
      logNodes: logAddrs.map((addr) => ({ id: addr, addr, pid: null })),
      dbNodes: dbAddrs.map((addr) => ({ id: addr, addr, pid: null })),
      layout: null,
    };
  }
  const layout = readLayout(dir);
  if (!layout) throw new UsageError(`no cluster layout at ${layoutPath(dir)}: give --dir of a \`keel up\` cluster, or --nodes (and --log-nodes)`);
  return {
    logNodes: layout.logNodes.map((node) => ({ id: node.id, addr: node.addr, pid: node.pid })),
    dbNodes: layout.dbNodes.map((node) => ({ id: node.id, addr: node.addr, pid: node.pid })),
    layout,
  };
}
