// lowerOwnPriority renices every thread of the process (on Linux a nice value is per thread:
// setPriority(pid) alone leaves V8's and libuv's threads at 0). Run in a child process: a
// test worker must not lower its own priority.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lowerOwnPriority, ownSessionId } from '../../src/snapshot/priority.js';

const compiled = join(resolve(import.meta.dirname, '../..'), 'dist', 'src', 'snapshot', 'priority.js');

describe('lowerOwnPriority', () => {
  it.runIf(existsSync('/proc/self/task') && existsSync(compiled))('renices every thread, including the threadpool started before it', () => {
    const script = `
      import { readdirSync, readFileSync } from 'node:fs';
      import { pbkdf2 } from 'node:crypto';
      const { lowerOwnPriority } = await import(${JSON.stringify(pathToFileURL(compiled).href)});
      // Start libuv's threadpool before renicing: its threads must be reniced too.
      await Promise.all([1, 2, 3, 4].map(() => new Promise((done) => pbkdf2('p', 's', 1000, 32, 'sha256', done))));
      const outcome = lowerOwnPriority(19);
      await Promise.all([1, 2, 3, 4].map(() => new Promise((done) => pbkdf2('p', 's', 1000, 32, 'sha256', done))));
      const nice = readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
      console.log(JSON.stringify({ outcome, nice }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const { outcome, nice } = JSON.parse(run.stdout) as { outcome: { threads: number; failed: number }; nice: number[] };
    expect(outcome.failed).toBe(0);
    expect(outcome.threads).toBeGreaterThan(4);
    expect(nice.length).toBeGreaterThan(4);
    expect(nice.every((value) => value === 19), JSON.stringify(nice)).toBe(true);
  });

  it('asserts its range', () => {
    expect(() => lowerOwnPriority(20)).toThrow(/0\.\.19/);
    expect(() => lowerOwnPriority(-1)).toThrow(/0\.\.19/);
    expect(() => lowerOwnPriority(1.5)).toThrow(/0\.\.19/);
  });

  // The autogroup is reniced only by a session leader, so what matters is recognising one. A
  // process's own session id may be 0 (its session leader lives outside the PID namespace, as
  // in CI containers), so the check runs in a child spawned detached, which calls setsid().
  it.runIf(existsSync('/proc/self/stat') && existsSync(compiled))('reads the session id: a detached child leads its own session', () => {
    expect(Number.isInteger(ownSessionId())).toBe(true);
    const script = `
      const { ownSessionId } = await import(${JSON.stringify(pathToFileURL(compiled).href)});
      console.log(JSON.stringify({ session: ownSessionId(), pid: process.pid }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise<void>((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      child.on('error', fail);
      child.on('exit', (code) => {
        try {
          expect(code).toBe(0);
          const { session, pid } = JSON.parse(out) as { session: number; pid: number };
          expect(session).toBe(pid);
          done();
        } catch (error) { fail(error); }
      });
    });
  });
});
