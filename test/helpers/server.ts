// Starts real `keel server` processes for integration tests (the compiled CLI in dist/; run
// `npm run build` first — `npm test` does). Each server gets a free port and its own data
// directory under the OS temp dir, and is killed when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { freePortRange } from '../../src/cluster/ports.js';

/** The package root: the nearest folder above this file holding package.json (works from dist/ too). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above test helpers');
    dir = parent;
  }
  return dir;
}

const root = packageRoot();
export const keelBin = join(root, 'dist', 'src', 'cli', 'main.js');

export interface KeelProcess {
  host: string;
  port: number;
  dir: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far (pino logs). */
  stderr(): string;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free port below the ephemeral range, so a process killed and restarted finds it free again. */
export function freePort(): Promise<number> {
  return freePortRange('127.0.0.1', 1);
}

export function tempDir(prefix = 'keel-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spawns `keel <subcommand> …` and waits for the line matching `ready` on stdout. */
export async function spawnKeel(args: string[], ready: RegExp, timeoutMs = 15_000): Promise<{ child: ChildProcess; stderr: () => string; match: RegExpMatchArray; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [keelBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); if (stderr.length > 1e6) stderr = stderr.slice(-5e5); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { running.delete(child); resolve(code); }));
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`keel ${args[0]} not ready after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = stdout.match(ready);
      if (found) { clearTimeout(timer); resolve(found); }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`keel ${args[0]} exited with ${code} before ready; stderr:\n${stderr}`)); });
  });
  return { child, stderr: () => stderr, match, exited };
}

/** Starts `keel server --port <free> --dir <temp> …args`. */
export async function startKeel(args: string[] = []): Promise<KeelProcess> {
  const dir = args.includes('--dir') ? args[args.indexOf('--dir') + 1]! : tempDir();
  const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : await freePort();
  const finalArgs = ['server', ...(args.includes('--port') ? [] : ['--port', String(port)]), ...(args.includes('--dir') ? [] : ['--dir', dir]), ...args];
  const { child, stderr, exited } = await spawnKeel(finalArgs, /listening on ([^\s:]+):(\d+)/);
  return {
    host: '127.0.0.1',
    port,
    dir,
    child,
    stderr,
    exited,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => { child.kill(signal); },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A raw TCP exchange: sends bytes, collects what comes back until `until` matches or the socket closes. */
export async function rawExchange(port: number, payload: Buffer | string, until: (received: string) => boolean, timeoutMs = 5_000): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    const timer = setTimeout(() => { socket.destroy(); resolve({ received, closed }); }, timeoutMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (until(received)) { clearTimeout(timer); socket.destroy(); resolve({ received, closed }); }
    });
    socket.on('close', () => { closed = true; clearTimeout(timer); resolve({ received, closed }); });
    socket.on('error', (error) => { clearTimeout(timer); if (!closed) reject(error); });
    socket.on('connect', () => socket.write(payload));
  });
}
