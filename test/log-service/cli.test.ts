// The log CLIs as an operator uses them: real processes started by `log-node` (flags and a
// config file), then `log status | append | read` against them.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logNodeMain, logToolMain } from '../../log-service/cli.js';
import { parseArgs, UsageError } from '../../log-service/cli-args.js';
import { parsePeers } from '../../log-service/node/address.js';
import { binPath, ensureBuilt } from './helpers/process-cluster.js';
import { freePorts } from './helpers/ports.js';

const run = promisify(execFile);
let root = '';
let nodes = '';
const children: ChildProcess[] = [];

async function tool(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [binPath, 'log', ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function parseJson(result: { code: number; stdout: string; stderr: string }): any {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout} / stderr: ${result.stderr}`);
  }
}

beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), 'keel-log-cli-'));
  const ports = await freePorts(3);
  const peers = `a=127.0.0.1:${ports[0]},b=127.0.0.1:${ports[1]},c=127.0.0.1:${ports[2]}`;
  nodes = ports.map((port) => `127.0.0.1:${port}`).join(',');
  // a and b from flags, c from a config file.
  for (const [i, id] of ['a', 'b'].entries()) {
    children.push(spawn(process.execPath, [binPath, 'log-node', '--id', id, '--listen', `127.0.0.1:${ports[i]}`, '--dir', join(root, id), '--peers', peers, '--log-level', 'warn'], { stdio: 'ignore' }));
  }
  const config = join(root, 'c.json');
  await writeFile(config, JSON.stringify({ id: 'c', listen: `127.0.0.1:${ports[2]}`, dir: join(root, 'c'), peers: { a: `127.0.0.1:${ports[0]}`, b: `127.0.0.1:${ports[1]}`, c: `127.0.0.1:${ports[2]}` }, logLevel: 'warn', timings: { tickMs: 50 } }));
  children.push(spawn(process.execPath, [binPath, 'log-node', '--config', config], { stdio: 'ignore' }));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { stdout } = await tool('status', '--nodes', nodes, '--json');
    if (stdout.includes('"leader"') && !stdout.includes('null')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('cluster did not come up');
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

describe('keel log CLI', () => {
  it('appends values as one batch, conditionally with --prev, and reads them back', async () => {
    const first = await tool('append', '--nodes', nodes, '--log', 'cli', 'one', 'two', 'three');
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('LSN 1..3');
    const conflict = await tool('append', '--nodes', nodes, '--log', 'cli', '--prev', '1', 'x');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('LOG_CONFLICT');
    expect(conflict.stderr).toContain('tail is 3');
    expect((await tool('append', '--nodes', nodes, '--log', 'cli', '--prev', '3', 'four')).stdout).toContain('LSN 4..4');
    const read = await tool('read', '--nodes', nodes, '--log', 'cli', '--from', '2', '--limit', '2');
    expect(read.stdout).toBe('2\t"two"\n3\t"three"\n');
    const json = parseJson(await tool('read', '--nodes', nodes, '--log', 'cli', '--from', '1', '--json'));
    expect(json.map((e: { value: string }) => e.value)).toEqual(['one', 'two', 'three', 'four']);
    expect(json[0].checksum).toMatch(/^[0-9a-f]{32}$/);
  });

  it('status prints every node as JSON or a table, with null for a node that does not answer', async () => {
    const statuses = parseJson(await tool('status', '--nodes', `${nodes},127.0.0.1:1`, '--json'));
    expect(statuses).toHaveLength(4);
    expect(statuses[3]).toBeNull();
    const leader = statuses.find((s: { role: string } | null) => s?.role === 'leader');
    expect(Object.keys(leader)).toEqual(['id', 'role', 'term', 'leaderId', 'commitIndex', 'logs', 'peers']);
    expect(Object.keys(leader.peers).sort()).toEqual(['a', 'b', 'c'].filter((id) => id !== leader.id));
    // Followers show the leader's view from its latest heartbeat: every other node, the leader
    // at its own last index. (A follower that has not heard a heartbeat yet shows none: a
    // heartbeat goes out every tick, so a few tries are enough.)
    type Status = { id: string; role: string; peers: Record<string, { matchIndex: number }> } | null;
    const followersHeard = (all: Status[]) => all.filter((s) => s?.role === 'follower').every((s) => Object.keys(s!.peers).length > 0);
    let withFollowers: Status[] = statuses;
    for (let attempt = 0; attempt < 20 && !followersHeard(withFollowers); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      withFollowers = parseJson(await tool('status', '--nodes', nodes, '--json'));
    }
    for (const follower of withFollowers.filter((s) => s?.role === 'follower')) {
      expect(Object.keys(follower!.peers).sort()).toEqual(['a', 'b', 'c'].filter((id) => id !== follower!.id));
      expect(follower!.peers[leader.id]!.matchIndex).toBeGreaterThanOrEqual(leader.commitIndex);
    }
    const table = (await tool('status', '--nodes', `${nodes},127.0.0.1:1`)).stdout;
    expect(table).toMatch(/NODE\s+ADDRESS\s+ROLE/);
    expect(table).toContain('down');
  });
});

describe('CLI usage (in-process)', () => {
  async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
    try {
      const code = await run();
      return { code, stdout: out.join(''), stderr: err.join('') };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it('usage errors exit 2 with the usage text; --help exits 0', async () => {
    const missing = await capture(() => logToolMain(['append', '--nodes', '127.0.0.1:1', 'v']));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--log is required');
    expect((await capture(() => logToolMain(['status', '--bogus']))).code).toBe(2);
    expect((await capture(() => logToolMain(['read', '--nodes', '127.0.0.1:1', '--log', 'x', '--from', 'abc']))).stderr).toContain('--from must be');
    const help = await capture(() => logToolMain(['--help']));
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('keel log status');
    const nodeHelp = await capture(() => logNodeMain(['--help']));
    expect(nodeHelp.code).toBe(0);
    expect(nodeHelp.stdout).toContain('--frame-bytes-max');
    const nodeMissing = await capture(() => logNodeMain(['--id', 'a']));
    expect(nodeMissing.code).toBe(2);
    expect(nodeMissing.stderr).toContain('are required');
  });
});

describe('argument parsing', () => {
  it('parses flags, values and positionals, and rejects unknown flags', () => {
    const parsed = parseArgs(['--log', 'x', '--json', '--prev=3', 'a', '--', '--b'], new Set(['log', 'prev']), new Set(['json']));
    expect(parsed.flags.get('log')).toBe('x');
    expect(parsed.flags.get('prev')).toBe('3');
    expect(parsed.flags.get('json')).toBe(true);
    expect(parsed.positional).toEqual(['a', '--b']);
    expect(() => parseArgs(['--nope'], new Set(), new Set())).toThrow(UsageError);
    expect(() => parseArgs(['--log'], new Set(['log']), new Set())).toThrow(/needs a value/);
  });

  it('parses the peer list', () => {
    expect([...parsePeers('a=127.0.0.1:1,b=h:2')]).toEqual([['a', '127.0.0.1:1'], ['b', 'h:2']]);
    expect(() => parsePeers('a=127.0.0.1:1,a=127.0.0.1:2')).toThrow(/twice/);
    expect(() => parsePeers('a=nope')).toThrow(/bad address/);
  });
});
