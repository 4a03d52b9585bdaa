// The db layer: everything the harness needs from the cluster under test, behind one
// interface. KeelCluster (keel-cluster.ts) implements it for a `keel up`-style local cluster;
// the harness's own tests implement it with stand-ins.
import type { Endpoint } from '../client/session.js';
import type { LinkProxy } from '../net/proxy.js';

export type NodeKind = 'log' | 'db';

export interface ClusterNode {
  /** e.g. "log-a", "db-1" */
  id: string;
  kind: NodeKind;
}

export interface ClusterDb {
  readonly name: string;
  nodes(): readonly ClusterNode[];
  /** Starts every process (and every link proxy) and waits until clients can be served. */
  setup(): Promise<void>;
  /** Stops everything it started; safe to call after a failed setup. */
  teardown(): Promise<void>;
  /** Where clients connect (through the client-side proxies), one per db node. */
  clientEndpoints(): readonly Endpoint[];
  /** Every link proxy, by "from->to" node ids (a partition cuts some of them). */
  links(): ReadonlyMap<string, LinkProxy>;
  /** The db node currently serving as primary, if any answers. */
  primary(): Promise<string | undefined>;
  /** SIGKILL. */
  kill(nodeId: string): Promise<void>;
  /** Starts a stopped or killed node again (with its data directory as it is). */
  start(nodeId: string): Promise<void>;
  /** SIGSTOP. */
  pause(nodeId: string): Promise<void>;
  /** SIGCONT. */
  resume(nodeId: string): Promise<void>;
  /** Deletes a stopped node's data directory (it must rebuild from the log / its peers). */
  wipe(nodeId: string): Promise<void>;
  /** Processes that exited without the harness killing or stopping them, one line each (empty: none). */
  unexpectedExits(): readonly string[];
}

export function linkName(from: string, to: string): string {
  return `${from}->${to}`;
}
