// `keel log-node` refuses a bad command line or config file before it starts: one line on
// stderr, exit code 2, no stack trace. A valid config file still starts a node. Every case
// spawns the real CLI.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, repoRoot } from './helpers/process-cluster.js';
import { freePorts } from './helpers/ports.js';

const run = promisify(execFile);
const keelPath = join(repoRoot, 'bin/keel.js');
let root = '';
let ports: number[] = [];
let peers = '';
const children: ChildProcess[] = [];

interface Result { code: number; stdout: string; stderr: string }

async function exec(script: string, args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number | string; killed?: boolean; stdout: string; stderr: string };
    if (failed.killed) throw new Error(`log-node ${args.join(' ')} did not exit; stderr: ${failed.stderr}`);
    return { code: Number(failed.code), stdout: failed.stdout, stderr: failed.stderr };
  }
}

const logNode = (...args: string[]) => exec(binPath, ['log-node', ...args]);

/** Exit 2, exactly one line on stderr, containing `text`, and nothing that looks like a stack. */
function expectRefused(result: Result, text: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(/^error: /);
  expect(result.stderr).toContain(text);
  expect(result.stderr).not.toMatch(/\n\s+at |AssertionError/);
}

async function configFile(name: string, content: unknown): Promise<string> {
  const path = join(root, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function nodeConfig(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, listen: `127.0.0.1:${ports[['a', 'b', 'c'].indexOf(id)]}`, dir: join(root, `data-${id}`), peers, logLevel: 'warn', ...extra };
}

beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), 'keel-log-node-config-'));
  ports = await freePorts(3);
  peers = `a=127.0.0.1:${ports[0]},b=127.0.0.1:${ports[1]},c=127.0.0.1:${ports[2]}`;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

describe('log-node config file', () => {
  it('refuses an unknown top-level key, naming it', async () => {
    const path = await configFile('limitz.json', nodeConfig('a', { limitz: { frameBytesMax: 1 } }));
    const result = await logNode('--config', path);
    expectRefused(result, '"limitz"');
    expect(result.stderr).toContain('did you mean "limits"');
  });

  it('refuses an unknown key inside limits or timings, naming it', async () => {
    expectRefused(await logNode('--config', await configFile('tickmz.json', nodeConfig('a', { timings: { tickMz: 3 } }))), '"timings.tickMz"');
    expectRefused(await logNode('--config', await configFile('limit.json', nodeConfig('a', { limits: { frameBytes: 3 } }))), '"limits.frameBytes"');
    // Through the `keel` entry point too.
    expectRefused(await exec(keelPath, ['log-node', '--config', join(root, 'tickmz.json')]), '"timings.tickMz"');
  });

  it('refuses values of the wrong type, broken JSON and a missing file, in one line', async () => {
    expectRefused(await logNode('--config', await configFile('string.json', nodeConfig('a', { limits: { entryBytesMax: '5' } }))), '"limits.entryBytesMax" must be an integer');
    expectRefused(await logNode('--config', await configFile('peers.json', nodeConfig('a', { peers: ['a'] }))), '"peers" must be');
    expectRefused(await logNode('--config', await configFile('id.json', nodeConfig('a', { id: 7 }))), '"id" must be a non-empty string');
    expectRefused(await logNode('--config', await configFile('array.json', '[]')), 'must be a JSON object');
    expectRefused(await logNode('--config', await configFile('broken.json', '{"id": "a",}')), 'not valid JSON');
    expectRefused(await logNode('--config', join(root, 'missing.json')), 'cannot read it');
  });

  it('refuses a broken limit relation from the file like from a flag', async () => {
    const path = await configFile('relation.json', nodeConfig('a', { limits: { entryBytesMax: 99_999_999 } }));
    expectRefused(await logNode('--config', path), 'entryBytesMax must be <= batchBytesMax');
  });
});

describe('log-node flags', () => {
  const base = () => ['--id', 'a', '--listen', `127.0.0.1:${ports[0]}`, '--dir', join(root, 'never'), '--peers', peers];

  it('refuses --entry-bytes-max 99999999 in one line with exit 2, through bin.js and keel', async () => {
    expectRefused(await logNode(...base(), '--entry-bytes-max', '99999999'), 'entryBytesMax must be <= batchBytesMax');
    expectRefused(await exec(keelPath, ['log-node', ...base(), '--entry-bytes-max', '99999999']), 'entryBytesMax must be <= batchBytesMax');
  });

  it('refuses every other unsafe limit or timing combination the same way', async () => {
    const cases: Array<[string[], string]> = [
      [['--batch-bytes-max', '99999999', '--entry-bytes-max', '1024'], 'must fit in frameBytesMax'],
      [['--read-bytes-max', '99999999'], 'a full Read answer must fit in frameBytesMax'],
      [['--frame-bytes-max', '999999999', '--peer-frame-bytes-max', '268435456'], 'frameBytesMax must be <= peerFrameBytesMax'],
      [['--peer-frame-bytes-max', '4294967296'], 'peerFrameBytesMax must fit the 4-byte length prefix'],
      [['--connection-queue-bytes-max', '1024'], 'connectionQueueBytesMax must hold one full frame'],
      [['--in-flight-batches-max', '2000'], 'inFlightBatchesMax must be <= connectionRequestsMax'],
      [['--raft-compact-margin-entries', '10000'], 'raftCompactMarginEntries must be < raftCompactEveryEntries'],
      [['--peer-queue-bytes-max', '1024'], 'peerQueueBytesMax must hold several large Raft messages'],
      [['--raft-append-entries-max', '0'], 'limit raftAppendEntriesMax must be a positive integer'],
      [['--store-write-buffer-bytes', '4096'], 'storeWriteBufferBytes must be in 64 KiB..1 GiB'],
      [['--heartbeat-ticks', '6'], 'heartbeatTicks must be < electionTicks'],
      [['--reconnect-backoff-min-ms', '5000'], 'reconnect backoff min must be <= max'],
      [['--commit-timeout-ms', '100'], 'commitTimeoutMs must exceed an election'],
      [['--append-timeout-ms', '1000'], 'appendTimeoutMs must exceed commitTimeoutMs'],
      [['--apply-write-delay-ms', '50'], 'applyWriteDelayMs must be < tickMs'],
      [['--commit-broadcast-delay-ms', '50'], 'commitBroadcastDelayMs must be < tickMs'],
      [['--commit-timeout-ms', '3000000000', '--append-timeout-ms', '3000000001'], 'timing commitTimeoutMs must be at most 2147483647'],
      [['--tick-ms', '0'], 'timing tickMs must be a positive integer'],
      [['--tick-ms', 'fast'], '--tick-ms must be a non-negative integer'],
      [['--log-level', 'loud'], '--log-level must be one of'],
      [['--peers', 'b=127.0.0.1:1,c=127.0.0.1:2'], "--peers must include this node's own id a"],
      [['--peers', 'a=nowhere'], '--peers: bad address'],
      [['--listen', 'nowhere'], '--listen: bad address'],
      [['--bogus', '1'], 'unknown option --bogus'],
    ];
    const results = await Promise.all(cases.map(([extra]) => logNode(...base(), ...extra)));
    results.forEach((result, i) => expectRefused(result, cases[i]![1]));
  });
});

describe('log-node with a valid config file', () => {
  it('starts, forms the group, and stops on SIGTERM with exit 0', async () => {
    const addresses = Object.fromEntries(['a', 'b', 'c'].map((id, i) => [id, `127.0.0.1:${ports[i]}`]));
    const files = [
      // peers as a string, as an object; limits and timings set from the file.
      await configFile('a.json', nodeConfig('a', { logLevel: 'info', limits: { entryBytesMax: 512 * 1024, raftAppendEntriesMax: 512, raftInflightAppendsMax: 8 }, timings: { tickMs: 50 } })),
      await configFile('b.json', nodeConfig('b', { peers: addresses, timings: { electionTicks: 6, heartbeatTicks: 1 } })),
      await configFile('c.json', nodeConfig('c', { peers: addresses })),
    ];
    const stderr = files.map(() => [] as string[]);
    files.forEach((file, i) => {
      const child = spawn(process.execPath, [binPath, 'log-node', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (chunk) => stderr[i]!.push(String(chunk)));
      children.push(child);
    });
    const nodes = Object.values(addresses).join(',');
    const deadline = Date.now() + 15_000;
    let statuses: Array<{ role: string; term: number } | null> = [];
    while (Date.now() < deadline) {
      const { stdout } = await exec(binPath, ['log', 'status', '--nodes', nodes, '--json']);
      statuses = stdout ? JSON.parse(stdout) : [];
      // term > 0: every node has finished start-up (it is past waiting for its peers).
      if (statuses.length === 3 && statuses.every((s) => s && s.term > 0) && statuses.some((s) => s!.role === 'leader')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statuses.filter((s) => s?.role === 'leader'), stderr.map((lines) => lines.join('')).join('\n')).toHaveLength(1);
    expect(children.every((child) => child.exitCode === null), stderr.map((lines) => lines.join('')).join('\n')).toBe(true);
    expect(stderr[0]!.join('')).toContain('log node started');
    const exits = children.map((child) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))));
    for (const child of children) child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);
    for (const lines of stderr) expect(lines.join('')).not.toMatch(/"level":(50|60)|^error/m);
  }, 30_000);
});
