// Three real log-node processes (node dist/log-service/bin.js log-node …) on loopback, with
// their stderr logs kept in the data root for post-mortems.

import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts } from './ports.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const binPath = join(repoRoot, 'dist/log-service/bin.js');

/** The processes run the compiled code: build once if it is missing. */
export function ensureBuilt(): void {
  if (!existsSync(binPath)) execFileSync('npx', ['tsc', '-p', '.'], { cwd: repoRoot, stdio: 'ignore' });
}

export interface ProcessCluster {
  ids: string[];
  addresses: Map<string, string>;
  nodeList: string[];
  root: string;
  processes: Map<string, ChildProcess>;
  start(id: string): void;
  kill(id: string, signal?: NodeJS.Signals): Promise<void>;
  signal(id: string, signal: NodeJS.Signals): void;
  close(): Promise<void>;
}

export async function startProcessCluster(extraArgs: string[] = []): Promise<ProcessCluster> {
  ensureBuilt();
  const ids = ['a', 'b', 'c'];
  const ports = await freePorts(3);
  const addresses = new Map(ids.map((id, i) => [id, `127.0.0.1:${ports[i]}`]));
  const peers = [...addresses].map(([id, address]) => `${id}=${address}`).join(',');
  const root = await mkdtemp(join(tmpdir(), 'keel-log-procs-'));
  const processes = new Map<string, ChildProcess>();
  const cluster: ProcessCluster = {
    ids,
    addresses,
    nodeList: [...addresses.values()],
    root,
    processes,
    start(id) {
      const stderr = openSync(join(root, `${id}.log`), 'a');
      const child = spawn(
        process.execPath,
        [binPath, 'log-node', '--id', id, '--listen', addresses.get(id)!, '--dir', join(root, `data-${id}`), '--peers', peers, '--log-level', 'info', ...extraArgs],
        { stdio: ['ignore', 'ignore', stderr] },
      );
      closeSync(stderr);
      processes.set(id, child);
    },
    async kill(id, signal = 'SIGKILL') {
      const child = processes.get(id);
      if (!child) return;
      processes.delete(id);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
    signal(id, signal) {
      processes.get(id)?.kill(signal);
    },
    async close() {
      for (const id of [...processes.keys()]) {
        cluster.signal(id, 'SIGCONT');
        await cluster.kill(id);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
  for (const id of ids) cluster.start(id);
  return cluster;
}
