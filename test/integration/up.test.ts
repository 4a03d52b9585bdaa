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
    // (An empty store gets a first snapshot at the first check: it may already be there.)
    expect(first.shards).toEqual([expect.objectContaining({ id: 0, firstLsn: expect.any(Number), tailLsn: expect.any(Number) })]);
    const table = (await keel('status', '--dir', dir)).stdout;
    expect(table).toMatch(/Log nodes[\s\S]*leader[\s\S]*Db nodes[\s\S]*primary[\s\S]*Shards/);

    // An empty store gets a first snapshot at the first check; the writes come after it, so that
    // the next written snapshot is one the entry threshold made due.
    await up.waitForOutput(/snapshot due: no snapshot yet[\s\S]*snapshot of shard 0 at LSN \d+ written/, 30_000);

    // Writes through the primary.
    const primary = connect(await primaryAddr(dir));
    await primary.connect();
    const beforeWrites = up.output().length;
    for (let i = 0; i < 50; i++) await primary.set(`key:${i}`, `value:${i}`);
    primary.disconnect();

    // The snapshot schedule runs `keel snapshot` once the log grew 40 entries; status shows it.
    await up.waitForOutput(/snapshot due: \d+ entries since the newest snapshot \(>= 40\)[^\n]*\n[\s\S]*snapshot of shard 0 at LSN \d+ written/, 30_000, beforeWrites);
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

  it('takes a snapshot once --snapshot-every-bytes of log payloads were written, and trims the log behind it', async () => {
    const dir = tempClusterDir();
    // Bytes are the only criterion: entries and time are off.
    up = await startUp(dir, ['--snapshot-every-bytes', '64kb', '--snapshot-every-entries', '0', '--snapshot-interval', '0', '--snapshot-retain-entries', '5']);
    expect(up.output()).toMatch(/snapshots in snapshots after 64 KiB\)/);
    // An empty store: the first check takes a first snapshot.
    const [, firstSnapshotLsn] = await up.waitForOutput(/snapshot due: no snapshot yet[\s\S]*snapshot of shard 0 at LSN (\d+) written/, 30_000);

    const primary = connect(await primaryAddr(dir));
    await primary.connect();
    const value = (i: number) => `${i}:`.padEnd(200, 'v');
    // Well below 64 KiB (about 10 KiB of payloads with the lease renewals): no snapshot through
    // more than one check (every 5 s).
    const belowMark = up.output().length;
    await primary.pipeline(Array.from({ length: 40 }, (_, i) => ['set', `small:${i}`, value(i)])).exec();
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    expect(up.output().slice(belowMark)).not.toMatch(/snapshot due/);

    // About 450 KiB (2000 SETs; group commit packs them into far fewer log entries): due by bytes.
    const aboveMark = up.output().length;
    for (let batch = 0; batch < 4; batch++) {
      await primary.pipeline(Array.from({ length: 500 }, (_, i) => ['set', `big:${batch * 500 + i}`, value(i)])).exec();
    }
    await up.waitForOutput(/snapshot due: \d+\+ bytes since the newest snapshot \(>= 65536\)/, 30_000, aboveMark);
    const [, lsn, trimmedBefore] = await up.waitForOutput(/snapshot of shard 0 at LSN (\d+) written \([^;]*; log trimmed before LSN (\d+);/, 45_000, aboveMark);
    expect(up.output().slice(aboveMark)).not.toMatch(/snapshot due: (?!\d+\+ bytes)/);
    // --snapshot-retain-entries 5, and never past the first snapshot (the fallback).
    expect(Number(trimmedBefore)).toBe(Math.min(Number(lsn) + 1 - 5, Number(firstSnapshotLsn) + 1));

    // keel status: the log's first LSN moved up to the trim point, behind the newest snapshot.
    const now = await status(dir);
    const shard = now.shards[0]!;
    expect(shard.firstLsn).toBeGreaterThanOrEqual(Number(trimmedBefore));
    expect(shard.lastSnapshot!.lsn).toBeGreaterThanOrEqual(Number(lsn));
    expect(shard.firstLsn).toBeLessThanOrEqual(shard.lastSnapshot!.lsn + 1);
    // Nothing was lost on the way.
    expect(await primary.mget('small:0', 'small:39', 'big:0', 'big:1999')).toEqual([value(0), value(39), value(0), value(499)]);
    primary.disconnect();

    up.child.kill('SIGINT');
    expect(await up.exited).toBe(0);
  }, 150_000);

  it('rejects a negative snapshot threshold with a one-line usage error, and documents the thresholds in --help', async () => {
    for (const flag of ['--snapshot-every-entries', '--snapshot-every-bytes', '--snapshot-interval', '--snapshot-retain-entries']) {
      const result = await run(process.execPath, [keelBin, 'up', '--dir', tempClusterDir(), flag, '-1'], { timeout: 20_000 }).catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect((result as { code: number }).code).toBe(2);
      expect((result as { stdout: string }).stdout).toBe('');
      expect((result as { stderr: string }).stderr).toMatch(new RegExp(`^keel: [^\\n]*${flag}[^\\n]*(must not be negative|expects a size)[^\\n]*\\n$`));
    }
    const help = (await keel('up', '--help')).stdout;
    expect(help).toMatch(/--snapshot-every-bytes BYTES +run `keel snapshot` once the log holds BYTES of entry payloads/);
    expect(help).toMatch(/--snapshot-every-entries N/);
    expect(help).toMatch(/--snapshot-interval SECONDS/);
  });

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
