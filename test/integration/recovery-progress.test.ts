// Recovery with real processes: a node that loads a snapshot and then replays the log reports
// its replay progress ('loading progress', 'data set loaded') counting only the entries it
// replays, answers -LOADING while it loads, and a replica started with --az b tails log node b.
import { describe, expect, it } from 'vitest';
import { logClusterForFile } from '../helpers/db-nodes.js';
import { join } from 'node:path';
import { freePort, rawExchange, spawnKeel, startKeel, tempDir, type KeelProcess } from '../helpers/server.js';
import { encodeCommand } from '../helpers/resp-client.js';
import { connect, infoField, waitFor } from './snapshot-helpers.js';

const fixture = logClusterForFile();
const servers = fixture.nodes.servers;

async function startNode(nodeId: string, extra: string[] = []): Promise<KeelProcess> {
  const server = await startKeel([
    '--log', fixture.cluster.nodeList.join(','), '--node-id', nodeId, '--port', String(await freePort()), '--dir', tempDir(),
    '--log-level', 'info', ...extra,
  ]);
  servers.push(server);
  return server;
}

interface LogLine { msg: string; time: number; [field: string]: unknown }

function logLines(stderr: string): LogLine[] {
  return stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
}

/** Sequential SETs: each its own commit, so (nearly) each its own log entry. */
async function writeSequentially(port: number, prefix: string, count: number): Promise<void> {
  const redis = connect(port);
  await redis.connect();
  try {
    for (let i = 0; i < count; i++) await redis.set(`${prefix}:${i}`, `v${i}`);
  } finally {
    redis.disconnect();
  }
}

describe('recovery progress', () => {
  it('after a snapshot, progress counts only the replayed entries; -LOADING until loaded', async () => {
    const shard = ['--shard', '4'];
    const store = join(tempDir(), 'snapshots');
    const primary = await startNode('rp-1', [...shard, '--snapshot-store', store]);
    await waitFor(() => infoField(primary.port, 'role'), (role) => role === 'master');
    // A snapshot with many entries behind it, then at least as many entries after it.
    await writeSequentially(primary.port, 'before', 1500);
    const redis = connect(primary.port);
    await redis.connect();
    expect(await redis.call('SAVE')).toBe('OK');
    redis.disconnect();
    // Twice as many after: the replay below must outlast one progress interval (1 s) on a
    // fast log service too (1,511 entries took 965 ms once, and logged no progress line).
    await writeSequentially(primary.port, 'after', 3000);
    const tail = (await fixture.logClient.tail('shard-4')).tailLsn;
    await primary.stop();

    // Restart from the snapshot, reading one entry per request so that the replay lasts
    // long enough (seconds) for progress lines and for a client to see -LOADING.
    const port = await freePort();
    const started = spawnKeel(['server', '--log', fixture.cluster.nodeList.join(','), '--node-id', 'rp-2', '--port', String(port), '--dir', tempDir(),
      '--snapshot-store', store, '--replay-entries-max', '1', '--log-level', 'info', ...shard], /listening on/, 120_000);
    let ready = false;
    const replies: string[] = [];
    const probing = (async () => {
      while (!ready) {
        try {
          const { received } = await rawExchange(port, encodeCommand(['GET', 'after:0']), (text) => text.includes('\r\n'), 2_000);
          if (received) replies.push(received);
        } catch { /* not listening yet */ }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const node = await started.finally(() => { ready = true; });
    await probing;
    servers.push({ host: '127.0.0.1', port, dir: '', child: node.child, stderr: node.stderr, exited: node.exited, kill: (signal = 'SIGKILL') => { node.child.kill(signal); }, stop: async () => { node.child.kill('SIGKILL'); } });

    const lines = logLines(node.stderr());
    const snapshot = lines.find((line) => line.msg === 'snapshot loaded');
    expect(snapshot, node.stderr()).toBeDefined();
    const startLsn = snapshot!.lsn as number;
    expect(startLsn).toBeGreaterThan(1200);
    expect(tail - startLsn).toBeGreaterThan(1200);
    const begin = lines.find((line) => line.msg === 'loading data set from the log')!;

    const progress = lines.filter((line) => line.msg === 'loading progress');
    expect(progress.length, node.stderr()).toBeGreaterThan(0);
    for (const line of progress) {
      const applied = line.appliedLsn as number;
      const replayed = applied - startLsn;
      const percent = Number(line.percent);
      expect(percent).toBeGreaterThanOrEqual(0);
      expect(percent).toBeLessThanOrEqual(100);
      // The share of the replay done, not of the whole log (which the snapshot's LSN inflates).
      expect(Math.abs(percent - (100 * replayed) / (tail - startLsn))).toBeLessThan(0.2);
      // The rate of this replay: entries replayed over the time since it began (+ slack for
      // the log timestamps' and the rounding's granularity), never the snapshot's LSN over it.
      const rate = line.entriesPerSecond as number;
      expect(Number.isFinite(rate)).toBe(true);
      const seconds = (line.time - begin.time) / 1000;
      expect(rate).toBeLessThanOrEqual(replayed / seconds * 1.1 + 5);
      expect(rate).toBeGreaterThan(0);
      expect(line).toMatchObject({ startLsn, tailLsn: tail, replayed });
      expect(line.etaSeconds === null || (typeof line.etaSeconds === 'number' && line.etaSeconds >= 0)).toBe(true);
    }
    expect(begin).toMatchObject({ startLsn, tailLsn: tail });
    const loaded = lines.find((line) => line.msg === 'data set loaded')!;
    expect(loaded).toMatchObject({ appliedLsn: tail, startLsn, replayed: tail - startLsn });
    expect(loaded.entriesPerSecond as number).toBeLessThanOrEqual((tail - startLsn) / ((loaded.time - begin.time) / 1000) * 1.1 + 5);

    // While loading, data commands are refused with -LOADING (Keel's text for Redis's
    // "-LOADING Redis is loading the dataset in memory").
    expect(replies.length).toBeGreaterThan(0);
    expect(replies[0]).toMatch(/^-LOADING /);
    const reader = connect(port);
    await reader.connect();
    expect(await reader.get('after:0')).toBe('v0');
    expect(await reader.get('before:1499')).toBe('v1499');
    reader.disconnect();
  }, 180_000);

  it('a replica started with --az b tails log node b', async () => {
    const shard = ['--shard', '5'];
    const primary = await startNode('az-p', shard);
    await waitFor(() => infoField(primary.port, 'role'), (role) => role === 'master');
    const replica = await startNode('az-b', [...shard, '--az', 'b']);
    const following = await waitFor(async () => logLines(replica.stderr()).find((line) => line.msg === 'following the log as a replica'), (line) => line !== undefined);
    expect(following!.logNode).toBe(fixture.cluster.addresses.get('b'));
    // And it does follow: a write to the primary reaches it.
    const writer = connect(primary.port);
    await writer.connect();
    expect(await writer.set('az', 'b')).toBe('OK');
    writer.disconnect();
    const reader = connect(replica.port);
    await reader.connect();
    await waitFor(() => reader.get('az'), (value) => value === 'b');
    reader.disconnect();
  }, 60_000);
});
