// `keel up` as a user runs it: a real supervisor process, its real children. It must print where
// to connect, keep the layout file, restart what dies, stop everything on SIGINT, bring the same
// data back on the same --dir, and leave no orphan when it is itself killed with kill -9.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { keelBin } from '../helpers/server.js';
import { allGone, layoutPids, startUp, tempClusterDir, waitUntil, type UpProcess } from '../cluster/up-helpers.js';
import { processAlive, splitAddr } from '../../src/cluster/layout.js';
import type { ClusterStatus } from '../../src/cluster/status.js';

const run = promisify(execFile);
const clients: Redis[] = [];
let up: UpProcess | null = null;

async function keel(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [keelBin, ...args], { timeout: 20_000 });
}

async function status(dir: string): Promise<ClusterStatus> {
  return JSON.parse((await keel('status', '--dir', dir, '--json')).stdout) as ClusterStatus;
}

function connect(addr: string): Redis {
  const { host, port } = splitAddr(addr);
  const client = new Redis({ host, port, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  clients.push(client);
  return client;
}

async function primaryAddr(dir: string): Promise<string> {
  let found = '';
  await waitUntil(async () => {
    const current = await status(dir).catch(() => null);
    found = current?.dbNodes.find((node) => node.role === 'primary')?.addr ?? '';
    return found !== '';
  }, 20_000, 'a primary serves');
  return found;
}

afterAll(() => {
  for (const client of clients) client.disconnect();
  up?.child.kill('SIGKILL');
});

describe('keel up', () => {
  it('runs a cluster, restarts what dies, stops cleanly, comes back with its data, and leaves no orphans', async () => {
    const dir = tempClusterDir();
    up = await startUp(dir, ['--snapshot-every-entries', '40']);
    // Where to connect, and the layout file.
    expect(up.output()).toMatch(/primary\s+db-\d\s+127\.0\.0\.1:\d+/);
    expect(up.output()).toMatch(new RegExp(`sentinel\\s+127\\.0\\.0\\.1:${up.sentinelPort}`));
    const layout = up.layout();
    expect(layout.dbNodes).toHaveLength(2);
    expect(layout.logNodes.map((node) => node.id)).toEqual(['a', 'b', 'c']);
    expect(layoutPids(layout).every((pid) => processAlive(pid))).toBe(true);
    expect(layout.supervisorPid).toBe(up.child.pid);

    // keel status --json: the documented shape.
    const first = await status(dir);
    expect(first.logNodes.map((node) => node.role).sort()).toEqual(['follower', 'follower', 'leader']);
    expect(first.logNodes.every((node) => typeof node.term === 'number' && typeof node.commitIndex === 'number' && node.pid !== null)).toBe(true);
    expect(first.dbNodes.map((node) => node.role).sort()).toEqual(['primary', 'replica']);
    expect(first.shards).toEqual([expect.objectContaining({ id: 0, lastSnapshot: null })]);
    const table = (await keel('status', '--dir', dir)).stdout;
    expect(table).toMatch(/Log nodes[\s\S]*leader[\s\S]*Db nodes[\s\S]*primary[\s\S]*Shards/);

    // Writes through the primary.
    const primary = connect(await primaryAddr(dir));
    await primary.connect();
    for (let i = 0; i < 50; i++) await primary.set(`key:${i}`, `value:${i}`);
    primary.disconnect();

    // The snapshot schedule runs `keel snapshot` once the log grew 40 entries; status shows it.
    await up.waitForOutput(/snapshot of shard 0 at LSN \d+ written/, 20_000);
    const snapshotted = await status(dir);
    expect(snapshotted.shards[0]!.lastSnapshot).toEqual(expect.objectContaining({ lsn: expect.any(Number) }));
    expect(snapshotted.shards[0]!.lastSnapshot!.lsn).toBeGreaterThanOrEqual(40);

    // kill -9 of the primary: the supervisor logs the restart, another primary serves, the
    // killed node comes back (as a replica).
    const primaryNode = up.layout().dbNodes.find((node) => node.addr === first.dbNodes.find((candidate) => candidate.role === 'primary')!.addr)!;
    const killedPid = primaryNode.pid!;
    const mark = up.output().length;
    process.kill(killedPid, 'SIGKILL');
    await up.waitForOutput(new RegExp(`${primaryNode.id} ended \\(signal SIGKILL\\); starting it again in \\d+ ms`), 10_000, mark);
    await up.waitForOutput(new RegExp(`${primaryNode.id} started again \\(pid \\d+\\)`), 10_000, mark);
    await up.waitForOutput(/primary is now db-\d/, 20_000, mark);
    await waitUntil(async () => {
      const now = await status(dir).catch(() => null);
      return now !== null && now.dbNodes.filter((node) => node.role === 'primary').length === 1 && now.dbNodes.filter((node) => node.role === 'replica').length === 1;
    }, 20_000, 'the restarted node rejoins');
    expect(up.layout().dbNodes.find((node) => node.id === primaryNode.id)!.pid).not.toBe(killedPid);

    // Ctrl-C: every process stops, the supervisor exits 0.
    const pids = layoutPids(up.layout());
    up.child.kill('SIGINT');
    expect(await up.exited).toBe(0);
    expect(allGone(pids)).toBe(true);
    expect(up.layout().supervisorPid).toBeNull();

    // Again on the same --dir: same nodes, same data.
    up = await startUp(dir, ['--snapshot-every-entries', '0'], { port: up.port, logPort: up.logPort, sentinelPort: up.sentinelPort });
    const again = connect(await primaryAddr(dir));
    await again.connect();
    expect(await again.mget(...Array.from({ length: 50 }, (_, i) => `key:${i}`))).toEqual(Array.from({ length: 50 }, (_, i) => `value:${i}`));
    again.disconnect();

    // kill -9 of the supervisor: its children notice and stop by themselves.
    const orphans = layoutPids(up.layout());
    expect(orphans).toHaveLength(5);
    up.child.kill('SIGKILL');
    await up.exited;
    await waitUntil(() => allGone(orphans), 10_000, 'the children of a killed supervisor stop');
  }, 120_000);

  it('refuses ports that are taken, with a message that says which', async () => {
    const dir = tempClusterDir();
    const blocker = connectServer();
    const port = await blocker.listening;
    const result = await run(process.execPath, [keelBin, 'up', '--dir', dir, '--port', String(port), '--log-port', String(port + 10), '--sentinel-port', String(port + 20)], { timeout: 20_000 }).catch((error: { code: number; stderr: string }) => error);
    blocker.server.close();
    expect((result as { code: number }).code).toBe(1);
    // Another of the derived ports may happen to be taken as well: then keel up names both.
    expect((result as { stderr: string }).stderr).toMatch(new RegExp(`ports? (\\d+, )*${port}(, \\d+)* already in use`));
  });
});

function connectServer(): { server: net.Server; listening: Promise<number> } {
  const server = net.createServer();
  const listening = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  return { server, listening };
}
