// `keel snapshot|backup|restore --dir D` on a cluster described by D/cluster.json (the layout
// `keel up` writes), with real processes: three log nodes, a serving primary, the commands.
// Also: the snapshot replays from a follower log node, runs at nice 19 on every thread, does
// not fence the serving primary (MarkSnapshot takes no LSN), and bad flags are one-line errors.
import { describe, expect, it } from 'vitest';
import { logClusterForFile } from '../helpers/db-nodes.js';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKeel, tempDir, freePort } from '../helpers/server.js';
import { writeLayout, type ClusterLayout } from '../../src/cluster/layout.js';
import { connect, dumpAll, infoField, runKeel, waitFor, writeAllTypes } from './snapshot-helpers.js';

const fixture = logClusterForFile();
const servers = fixture.nodes.servers;
const shard = 3;

/** A layout as `keel up` writes it, for log nodes and db nodes started by the test. */
function layoutFor(logNodes: string[], dbAddrs: string[], supervisorPid: number | null = null): ClusterLayout {
  return {
    version: 1, host: '127.0.0.1', shard,
    logNodes: logNodes.map((addr, i) => ({ id: ['a', 'b', 'c'][i]!, addr, dir: `log-${['a', 'b', 'c'][i]}`, pid: null })),
    dbNodes: dbAddrs.map((addr, i) => ({ id: `db-${i + 1}`, az: 'a', addr, dir: `db-${i + 1}`, pid: null })),
    sentinel: { addr: `127.0.0.1:${1024 + Math.floor(Math.random() * 60000)}`, masterName: 'keel' },
    snapshotStore: 'snapshots', logsDir: 'logs', supervisorPid,
  };
}

/** The first pino line with this msg, parsed. */
function logLine(stderr: string, msg: string): Record<string, unknown> | null {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (parsed.msg === msg) return parsed;
  }
  return null;
}

describe('snapshot commands on a cluster layout (--dir)', () => {
  it('snapshot, backup and restore find log nodes, shard and store in DIR/cluster.json; the replay reads a follower; the primary keeps serving', async () => {
    const dir = tempDir();
    const port = await freePort();
    const primary = await startKeel(['--log', fixture.cluster.nodeList.join(','), '--node-id', 'db-1', '--shard', String(shard), '--port', String(port), '--dir', join(dir, 'db-1'), '--snapshot-store', join(dir, 'snapshots')]);
    servers.push(primary);
    await waitFor(() => infoField(primary.port, 'role'), (role) => role === 'master');
    writeLayout(dir, layoutFor(fixture.cluster.nodeList, [`127.0.0.1:${port}`]));
    await writeAllTypes(primary.port, 'x', 100);
    const epoch = await infoField(primary.port, 'keel_epoch');

    // No --log, --shard or --snapshot-store: all from the layout. NODE_DEBUG=module lists every
    // CommonJS module loaded (the AWS SDK is one): a local store must not load it.
    const run = await runKeel(['snapshot', '--dir', dir, '--retain-entries', '0'], { ...process.env, NODE_DEBUG: 'module' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('MODULE');
    expect(run.stderr).not.toContain('@aws-sdk');
    expect(run.json).toMatchObject({ status: 'written', shard });
    expect(run.json!.location as string).toContain(join(dir, 'snapshots', `shard-${shard}`));
    expect(readdirSync(join(dir, 'snapshots', `shard-${shard}`))).toHaveLength(1);
    const statuses = await fixture.logClient.statusAll();
    const leaderAddr = fixture.cluster.nodeList[statuses.findIndex((status) => status?.role === 'leader')];
    expect(fixture.cluster.nodeList).toContain(run.json!.readFrom);
    expect(run.json!.readFrom).not.toBe(leaderAddr);
    // Every thread at nice 19, as the start line reports.
    expect(logLine(run.stderr, 'snapshot: starting')).toMatchObject({ nice: 19, failed: 0, shard, layout: join(dir, 'cluster.json') });
    expect((logLine(run.stderr, 'snapshot: starting')!.threads as number)).toBeGreaterThan(1);
    const tail = await fixture.logClient.tail(`shard-${shard}`);
    expect(tail.snapshotLsn).toBe(run.json!.lsn);
    expect(tail.firstLsn).toBe((run.json!.lsn as number) + 1);

    // The marker fenced nobody: same primary, same epoch, writes go on.
    const redis = connect(primary.port);
    await redis.connect();
    expect(await redis.set('after-snapshot', '1')).toBe('OK');
    redis.disconnect();
    expect(await infoField(primary.port, 'role')).toBe('master');
    expect(await infoField(primary.port, 'keel_epoch')).toBe(epoch);

    // --background: the work runs in its own session; this process relays its JSON line and code.
    const background = await runKeel(['snapshot', '--dir', dir, '--background', '--force', '--read-from', 'leader', '--bytes-per-sec', '1mb']);
    expect(background.code, background.stderr).toBe(0);
    expect(background.json).toMatchObject({ status: 'written', shard, readFrom: 'leader' });
    expect(logLine(background.stderr, 'snapshot: starting')).toMatchObject({ nice: 19, autogroup: existsSync('/proc/self/autogroup') });

    // Backup from the layout's store and shard; restore into a new cluster laid out in DIR2.
    const backups = tempDir();
    const backup = await runKeel(['backup', '--dir', dir, '--to', backups]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.json).toMatchObject({ status: 'copied', lsn: background.json!.lsn });
    // The SDK is loaded once an s3:// store is used (here a dead endpoint: the copy fails).
    const s3Env = { ...process.env, NODE_DEBUG: 'module', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' };
    const toS3 = await runKeel(['backup', '--dir', dir, '--to', 's3://bucket/backups', '--s3-endpoint', 'http://127.0.0.1:1', '--s3-path-style'], s3Env);
    expect(toS3.code).toBe(4);
    expect(toS3.stderr).toContain('@aws-sdk/client-s3');
    const reference = await dumpAll(primary.port);
    const newDir = tempDir();
    writeLayout(newDir, layoutFor(fixture.cluster.nodeList, ['127.0.0.1:1']));
    const restored = await runKeel(['restore', '--from', backup.json!.to as string, '--dir', newDir]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readdirSync(join(newDir, 'snapshots', `shard-${shard}`))).toHaveLength(1);
    // The restored store serves a new node (embedded log) the same data.
    const seeded = await startKeel(['--dir', tempDir(), '--node-id', 'dr-1', '--shard', String(shard), '--snapshot-store', join(newDir, 'snapshots')]);
    servers.push(seeded);
    await waitFor(() => infoField(seeded.port, 'role'), (role) => role === 'master');
    expect(await dumpAll(seeded.port)).toEqual(reference);

    // Restore refuses a cluster that runs (its supervisor is alive) or whose log is not empty.
    const running = tempDir();
    writeLayout(running, layoutFor(fixture.cluster.nodeList, ['127.0.0.1:1'], process.pid));
    const refused = await runKeel(['restore', '--from', backup.json!.to as string, '--dir', running]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^keel: the cluster in .* is running/);
    const used = tempDir();
    writeLayout(used, layoutFor(fixture.cluster.nodeList, ['127.0.0.1:1']));
    mkdirSync(join(used, 'log-b', 'db'), { recursive: true });
    const usedRun = await runKeel(['restore', '--from', backup.json!.to as string, '--dir', used]);
    expect(usedRun.code).toBe(2);
    expect(usedRun.stderr).toContain(`${join(used, 'log-b')} exists`);
  }, 120_000);

  it('bad flags and a missing layout are one-line usage errors (exit 2)', async () => {
    const empty = tempDir();
    const renamedInConfig = join(tempDir(), 'snapshot.conf');
    writeFileSync(renamedInConfig, 'read-bytes-per-sec 1mb\n');
    const cases: Array<[string[], RegExp]> = [
      [['snapshot', '--dir', empty], /--log is required .* or --dir of a `keel up` cluster \(no .*cluster\.json\)/],
      [['snapshot', '--log', '127.0.0.1:1', '--nice', '20'], /--nice must be in 0\.\.19/],
      [['snapshot', '--log', '127.0.0.1:1', '--nice', '-5'], /--nice must be in 0\.\.19/],
      [['snapshot', '--log', '127.0.0.1:1', '--read-from', 'primary'], /--read-from must be follower or leader/],
      [['snapshot', '--log', '127.0.0.1:1', '--bytes-per-sec', '1kb'], /--bytes-per-sec must be 0 \(no limit\) or at least/],
      [['snapshot', '--log', '127.0.0.1:1', '--read-bytes-per-sec', '1mb'], /--read-bytes-per-sec was renamed to --bytes-per-sec/],
      [['snapshot', '--log', '127.0.0.1:1', '--config', renamedInConfig], /setting 'read-bytes-per-sec' was renamed to 'bytes-per-sec'/],
      [['snapshot', '--log', '127.0.0.1:1', '--shard', '-1'], /--shard must be a non-negative integer/],
      [['backup', '--dir', empty, '--to', tempDir(), '--nice', '99'], /--nice must be in 0\.\.19/],
    ];
    for (const [args, message] of cases) {
      const run = await runKeel(args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^keel: /);
      expect(lines[0]).toMatch(message);
    }
  }, 60_000);
});
