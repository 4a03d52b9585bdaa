import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessSupervisor } from './processes.js';

// Stand-in process: a TCP echo server that also writes a file into its data directory.
const standIn = `
const net = require('node:net'); const fs = require('node:fs');
const [port, dir] = process.argv.slice(2);
fs.writeFileSync(dir + '/marker', 'alive');
net.createServer((s) => s.pipe(s)).listen(Number(port), '127.0.0.1', () => console.log('listening ' + port));
`;

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'keel-procs-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function echoOnce(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => { socket.destroy(); resolve('timeout'); }, timeoutMs);
    socket.on('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); resolve(e.code ?? 'error'); });
    socket.on('connect', () => socket.write('ping'));
    socket.on('data', (d) => { clearTimeout(timer); socket.destroy(); resolve(d.toString()); });
  });
}

describe('ProcessSupervisor (with a stand-in echo process)', () => {
  it('starts, pauses (no reply) and resumes (the held request is answered), kills -9, restarts and wipes', async () => {
    const port = await freePort();
    const script = join(dir, 'stand-in.cjs');
    writeFileSync(script, standIn);
    const dataDir = join(dir, 'data-1');
    const supervisor = new ProcessSupervisor([{ id: 'n1', command: process.execPath, args: [script, String(port), dataDir], dataDir, readyHost: '127.0.0.1', readyPort: port, logPath: join(dir, 'logs', 'n1.log') }], 10_000);
    try {
      await supervisor.start('n1');
      expect(supervisor.isRunning('n1')).toBe(true);
      expect(await echoOnce(port, 1000)).toBe('ping');

      await supervisor.pause('n1');
      const held = echoOnce(port, 3000);
      await new Promise((r) => setTimeout(r, 300));
      await supervisor.resume('n1');
      expect(await held).toBe('ping'); // answered only after SIGCONT

      await supervisor.pause('n1');
      await supervisor.kill('n1'); // a paused process still dies on SIGKILL
      expect(supervisor.isRunning('n1')).toBe(false);
      expect(await echoOnce(port, 1000)).toBe('ECONNREFUSED');
      expect(supervisor.unexpectedExits()).toEqual([]); // the harness killed it: expected

      await supervisor.wipe('n1');
      expect(existsSync(dataDir)).toBe(false);
      await supervisor.start('n1');
      expect(readFileSync(join(dataDir, 'marker'), 'utf8')).toBe('alive');
      await expect(supervisor.wipe('n1')).rejects.toThrow(/while it runs/);
      await supervisor.stop('n1');
      expect(supervisor.isRunning('n1')).toBe(false);
      expect(readFileSync(join(dir, 'logs', 'n1.log'), 'utf8')).toMatch(/signal=SIGKILL/);
    } finally {
      await supervisor.stopAll(1000);
    }
  });

  it('reports a process that exits during start-up, with its log path', async () => {
    const supervisor = new ProcessSupervisor([{ id: 'bad', command: process.execPath, args: ['-e', 'process.exit(3)'], dataDir: join(dir, 'bad'), readyHost: '127.0.0.1', readyPort: await freePort(), logPath: join(dir, 'logs', 'bad.log') }], 5_000);
    await expect(supervisor.start('bad')).rejects.toThrow(/PROCESS_EXITED: bad exited/);
  });
});

describe('ProcessSupervisor when the harness dies', () => {
  it('kills its children if the harness process exits', async () => {
    const { spawnSync } = await import('node:child_process');
    const port = await freePort();
    const script = join(dir, 'stand-in-orphan.cjs');
    writeFileSync(script, standIn);
    const harness = join(dir, 'harness.mjs');
    const supervisorModule = new URL('./processes.ts', import.meta.url).pathname;
    // The harness is this test's own vitest-transformed module, so run it through a tiny loader:
    // spawn node with the compiled module if present, else skip (npm test builds first).
    const compiled = supervisorModule.replace('/jepsen-style/', '/dist/jepsen-style/').replace(/\.ts$/, '.js');
    if (!existsSync(compiled)) return;
    writeFileSync(harness, `
      import { ProcessSupervisor } from ${JSON.stringify(compiled)};
      const s = new ProcessSupervisor([{ id: 'n', command: process.execPath, args: [${JSON.stringify(script)}, '${port}', ${JSON.stringify(join(dir, 'orphan-data'))}], dataDir: ${JSON.stringify(join(dir, 'orphan-data'))}, readyHost: '127.0.0.1', readyPort: ${port}, logPath: ${JSON.stringify(join(dir, 'logs', 'orphan.log'))} }], 10000);
      await s.start('n');
      console.log(s.pid('n'));
      process.exit(0);
    `);
    const result = spawnSync(process.execPath, [harness], { encoding: 'utf8', timeout: 20_000 });
    const pid = Number(result.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    // Gone, or a zombie waiting for init to reap it: either way no longer running.
    const state = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] : 'gone';
    if (state !== 'gone' && state !== 'Z') process.kill(pid, 'SIGKILL'); // do not leak it if the test fails
    expect(['gone', 'Z']).toContain(state);
  });
});

describe('ProcessSupervisor: expected and unexpected exits', () => {
  it('reports a process that exits on its own as unexpected, and one it stops as expected', async () => {
    const port = await freePort();
    const script = join(dir, 'stand-in-crash.cjs');
    writeFileSync(script, standIn + "\nsetTimeout(() => process.exit(7), 300);\n");
    const dataDir = join(dir, 'data-crash');
    const spec = { id: 'c1', command: process.execPath, args: [script, String(port), dataDir], dataDir, readyHost: '127.0.0.1', readyPort: port, logPath: join(dir, 'logs', 'c1.log') };
    const supervisor = new ProcessSupervisor([spec], 10_000);
    await supervisor.start('c1');
    for (let i = 0; i < 50 && supervisor.isRunning('c1'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(supervisor.isRunning('c1')).toBe(false);
    expect(supervisor.unexpectedExits()).toHaveLength(1);
    expect(supervisor.unexpectedExits()[0]).toMatch(/c1 exited unexpectedly .*code 7/);
    await supervisor.start('c1');
    await supervisor.stop('c1');
    expect(supervisor.unexpectedExits()).toHaveLength(1);
  });
});
