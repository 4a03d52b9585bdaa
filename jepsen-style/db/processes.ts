// Supervises the OS processes of a local cluster for the nemesis: start, kill -9,
// SIGSTOP/SIGCONT, graceful stop, wipe of the data directory. Output goes to one log file per
// process under the run's directory, so a failure can be read afterwards.
import { spawn, ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, WriteStream } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { assert, CodedError } from '../util/assert.js';

export interface ProcessSpec {
  id: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  cwd?: string;
  dataDir: string;
  /** The process is ready when this address accepts TCP connections. */
  readyHost: string;
  readyPort: number;
  logPath: string;
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  paused: boolean;
  /** Set before the harness kills or stops it: any other exit is unexpected. */
  exitExpected: boolean;
  log: WriteStream;
}

/** Children of every supervisor in this process, killed if the harness itself exits. */
const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOrphansOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A harness that dies (crash, Ctrl-C, a closed pipe) must not leave a cluster running.
  process.once('exit', () => {
    for (const child of allChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export class ProcessSupervisor {
  private readonly running = new Map<string, Running>();
  private readonly specs = new Map<string, ProcessSpec>();
  private readonly unexpected: string[] = [];

  constructor(specs: readonly ProcessSpec[], private readonly readyTimeoutMs: number) {
    for (const spec of specs) {
      assert(!this.specs.has(spec.id), `duplicate process id ${spec.id}`);
      this.specs.set(spec.id, spec);
    }
    killOrphansOnExit();
  }

  ids(): string[] {
    return [...this.specs.keys()];
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Exits the harness did not cause (a crash of the system under test), one line each. */
  unexpectedExits(): readonly string[] {
    return this.unexpected;
  }

  isPaused(id: string): boolean {
    return this.running.get(id)?.paused ?? false;
  }

  pid(id: string): number | undefined {
    return this.running.get(id)?.child.pid;
  }

  async start(id: string): Promise<void> {
    const spec = this.spec(id);
    if (this.running.has(id)) return;
    mkdirSync(spec.dataDir, { recursive: true });
    mkdirSync(dirname(spec.logPath), { recursive: true });
    const log = createWriteStream(spec.logPath, { flags: 'a' });
    log.write(`--- start ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    allChildren.add(child);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code, signal) => {
        allChildren.delete(child);
        log.write(`--- exit code=${code} signal=${signal}\n`);
        const r = this.running.get(id);
        if (r?.child === child) {
          // A crash (or a self-exit) the nemesis did not cause: the run cannot be judged as if
          // the cluster had been whole, so the runner turns its verdict into `unknown`.
          if (!r.exitExpected) this.unexpected.push(`${id} exited unexpectedly at ${new Date().toISOString()} (code ${code}, signal ${signal}; see ${spec.logPath})`);
          this.running.delete(id);
        }
        resolve(code);
      });
      child.once('error', () => resolve(null));
    });
    this.running.set(id, { child, exited, paused: false, exitExpected: false, log });
    await this.waitReady(spec, exited);
  }

  /** kill -9: no chance to flush or say goodbye. Resumes first if paused, so it really dies. */
  async kill(id: string): Promise<void> {
    const r = this.running.get(id);
    if (r === undefined) return;
    r.exitExpected = true;
    r.child.kill('SIGKILL');
    await r.exited;
  }

  async pause(id: string): Promise<void> {
    const r = this.running.get(id);
    if (r === undefined || r.paused) return;
    r.child.kill('SIGSTOP');
    r.paused = true;
  }

  async resume(id: string): Promise<void> {
    const r = this.running.get(id);
    if (r === undefined || !r.paused) return;
    r.child.kill('SIGCONT');
    r.paused = false;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(id: string, graceMs = 5_000): Promise<void> {
    const r = this.running.get(id);
    if (r === undefined) return;
    r.exitExpected = true;
    if (r.paused) await this.resume(id);
    r.child.kill('SIGTERM');
    const timer = setTimeout(() => r.child.kill('SIGKILL'), graceMs);
    await r.exited;
    clearTimeout(timer);
  }

  /** Deletes the data directory of a process that is not running. */
  async wipe(id: string): Promise<void> {
    const spec = this.spec(id);
    assert(!this.running.has(id), `refusing to wipe ${id} while it runs`);
    rmSync(spec.dataDir, { recursive: true, force: true });
  }

  async stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id, graceMs)));
  }

  private spec(id: string): ProcessSpec {
    const spec = this.specs.get(id);
    if (spec === undefined) throw new CodedError('UNKNOWN_NODE', `no process ${id}`);
    return spec;
  }

  private async waitReady(spec: ProcessSpec, exited: Promise<number | null>): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    let dead = false;
    void exited.then(() => { dead = true; });
    while (Date.now() < deadline) {
      if (dead) throw new CodedError('PROCESS_EXITED', `${spec.id} exited during start-up (see ${spec.logPath})`);
      if (await canConnect(spec.readyHost, spec.readyPort)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new CodedError('PROCESS_NOT_READY', `${spec.id} did not accept connections on ${spec.readyHost}:${spec.readyPort} within ${this.readyTimeoutMs} ms (see ${spec.logPath})`);
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok); };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
