// The db layer for Keel: a `keel up`-style local cluster — three log nodes (AZs a, b, c) and
// two db nodes — with every link going through its own TCP proxy, so the nemesis can cut any
// one of them. All on loopback.
//
//   client  -> db-i       proxy "client->db-i"   (clients reach db nodes only through these)
//   db-i    -> log-x      proxy "db-i->log-x"    (each db node's view of each log node)
//   log-x   -> log-y      proxy "log-x->log-y"   (Raft traffic x initiates to y)
//
// What it needs from Keel (the contract; `probeKeel` checks it before a run):
//   keel log-node --id X --listen 127.0.0.1:PORT --dir DIR --peers a=ADDR,b=ADDR,c=ADDR
//       (exists; each node gets its own peers list, in which the other nodes' addresses are
//        the proxies of its outgoing links)
//   keel server --port PORT --bind 127.0.0.1 --dir DIR --node-id ID --az AZ --log ADDR,ADDR,ADDR
//       (each ADDR is this db node's own proxy towards log node a, b, c)
//   ROLE on a db node answers ["master", …] on the primary (used to aim primary faults).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Endpoint } from '../client/session.js';
import { RespConnection } from '../client/resp.js';
import { LinkProxy } from '../net/proxy.js';
import { CodedError } from '../util/assert.js';
import { ClusterDb, ClusterNode, linkName } from './cluster.js';
import { ProcessSpec, ProcessSupervisor } from './processes.js';
import { freePortRange } from '../../src/cluster/ports.js';

export const logNodeIds = ['log-a', 'log-b', 'log-c'] as const;
export const dbNodeIds = ['db-1', 'db-2'] as const;

/** Flags the harness passes; a run is refused unless `--help` of each command lists them. */
export const requiredFlags = {
  'log-node': ['--id', '--listen', '--dir', '--peers'],
  server: ['--port', '--bind', '--dir', '--node-id', '--log'],
} as const;

export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'keel') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new CodedError('DB_LAYER_UNAVAILABLE', 'cannot find the keel repository root');
    dir = parent;
  }
}

/**
 * Checks that `keel` is built and that its commands take the flags this db layer passes.
 * Throws DB_LAYER_UNAVAILABLE with a one-line reason otherwise.
 */
export function probeKeel(repoRoot: string = findRepoRoot()): void {
  const bin = join(repoRoot, 'bin', 'keel.js');
  for (const [command, flags] of Object.entries(requiredFlags)) {
    const result = spawnSync(process.execPath, [bin, command, '--help'], { encoding: 'utf8', timeout: 15_000 });
    const text = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (/not built yet/.test(text)) throw new CodedError('DB_LAYER_UNAVAILABLE', 'keel is not built (run `npm run build`)');
    const missing = flags.filter((flag) => !new RegExp(`${flag}\\b`).test(text));
    if (missing.length > 0) {
      throw new CodedError('DB_LAYER_UNAVAILABLE', `\`keel ${command}\` does not take ${missing.join(', ')} yet, so there is no log-backed cluster to test; no run performed`);
    }
  }
}

/** Below the ephemeral range, so a killed process's port is still free when it restarts. */
function freePort(): Promise<number> {
  return freePortRange('127.0.0.1', 1);
}

export interface KeelClusterOptions {
  /** The run's directory: data under data/, process logs under logs/. */
  runDir: string;
  repoRoot?: string;
  readyTimeoutMs?: number;
  /** Proxies stop by themselves after this long (the run's hard limit). */
  stopAfterMs: number;
}

export class KeelCluster implements ClusterDb {
  readonly name = 'keel';
  private supervisor: ProcessSupervisor | undefined;
  private readonly proxies = new Map<string, LinkProxy>();
  private readonly directPorts = new Map<string, number>();
  private readonly repoRoot: string;

  constructor(private readonly options: KeelClusterOptions) {
    this.repoRoot = options.repoRoot ?? findRepoRoot();
  }

  nodes(): readonly ClusterNode[] {
    return [...logNodeIds.map((id) => ({ id, kind: 'log' as const })), ...dbNodeIds.map((id) => ({ id, kind: 'db' as const }))];
  }

  async setup(): Promise<void> {
    probeKeel(this.repoRoot);
    for (const id of [...logNodeIds, ...dbNodeIds]) this.directPorts.set(id, await freePort());
    const addProxy = async (from: string, to: string): Promise<string> => {
      const proxy = await LinkProxy.start({ name: linkName(from, to), targetHost: '127.0.0.1', targetPort: this.directPorts.get(to)!, stopAfterMs: this.options.stopAfterMs });
      this.proxies.set(linkName(from, to), proxy);
      return `127.0.0.1:${proxy.port}`;
    };
    const bin = join(this.repoRoot, 'bin', 'keel.js');
    const specs: ProcessSpec[] = [];
    for (const id of logNodeIds) {
      const peers: string[] = [];
      for (const other of logNodeIds) {
        const az = other.slice(4);
        peers.push(`${az}=${other === id ? `127.0.0.1:${this.directPorts.get(id)}` : await addProxy(id, other)}`);
      }
      const port = this.directPorts.get(id)!;
      const dataDir = join(this.options.runDir, 'data', id);
      specs.push({ id, command: process.execPath, args: [bin, 'log-node', '--id', id.slice(4), '--listen', `127.0.0.1:${port}`, '--dir', dataDir, '--peers', peers.join(',')], dataDir, readyHost: '127.0.0.1', readyPort: port, logPath: join(this.options.runDir, 'logs', `${id}.log`) });
    }
    for (const id of dbNodeIds) {
      const logs: string[] = [];
      for (const log of logNodeIds) logs.push(await addProxy(id, log));
      await addProxy('client', id);
      const port = this.directPorts.get(id)!;
      const dataDir = join(this.options.runDir, 'data', id);
      specs.push({ id, command: process.execPath, args: [bin, 'server', '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--node-id', id, '--log', logs.join(',')], dataDir, readyHost: '127.0.0.1', readyPort: port, logPath: join(this.options.runDir, 'logs', `${id}.log`) });
    }
    this.supervisor = new ProcessSupervisor(specs, this.options.readyTimeoutMs ?? 30_000);
    await Promise.all(logNodeIds.map((id) => this.supervisor!.start(id)));
    for (const id of dbNodeIds) await this.supervisor.start(id);
  }

  async teardown(): Promise<void> {
    await this.supervisor?.stopAll(5_000);
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
  }

  clientEndpoints(): readonly Endpoint[] {
    return dbNodeIds.map((id) => ({ nodeId: id, host: '127.0.0.1', port: this.proxies.get(linkName('client', id))!.port }));
  }

  links(): ReadonlyMap<string, LinkProxy> {
    return this.proxies;
  }

  async primary(): Promise<string | undefined> {
    for (const id of dbNodeIds) {
      if (!this.supervisor?.isRunning(id) || this.supervisor.isPaused(id)) continue;
      try {
        const connection = await RespConnection.connect('127.0.0.1', this.directPorts.get(id)!);
        try {
          const [role] = await connection.call([['ROLE']], 1_000);
          if (Array.isArray(role) && role[0] === 'master') return id;
        } finally {
          connection.close();
        }
      } catch {
        // not answering: not a primary we can aim at
      }
    }
    return undefined;
  }

  kill(id: string): Promise<void> { return this.processes().kill(id); }
  start(id: string): Promise<void> { return this.processes().start(id); }
  pause(id: string): Promise<void> { return this.processes().pause(id); }
  resume(id: string): Promise<void> { return this.processes().resume(id); }
  wipe(id: string): Promise<void> { return this.processes().wipe(id); }
  unexpectedExits(): readonly string[] { return this.supervisor?.unexpectedExits() ?? []; }

  private processes(): ProcessSupervisor {
    if (this.supervisor === undefined) throw new CodedError('DB_NOT_SET_UP', 'the cluster has not been set up');
    return this.supervisor;
  }
}
