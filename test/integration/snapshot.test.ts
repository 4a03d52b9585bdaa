// Snapshots with real processes: three log nodes, `keel server`s, the `keel snapshot` /
// `backup` / `restore` commands, SAVE / BGSAVE / LASTSAVE through a real client.
import { describe, expect, it } from 'vitest';
import { logClusterForFile } from '../helpers/db-nodes.js';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startKeel, tempDir, freePort, spawnKeel, type KeelProcess } from '../helpers/server.js';
import { connect, dumpAll, infoField, runKeel, waitFor, writeAllTypes } from './snapshot-helpers.js';
import { startLocalS3 } from '../snapshot/s3rver.js';

const fixture = logClusterForFile();
const servers = fixture.nodes.servers;

async function startNode(nodeId: string, store: string, extra: string[] = []): Promise<KeelProcess> {
  const server = await startKeel([
    '--log', fixture.cluster.nodeList.join(','), '--node-id', nodeId, '--port', String(await freePort()), '--dir', tempDir(),
    '--snapshot-store', store, ...extra,
  ]);
  servers.push(server);
  return server;
}

async function startPrimary(nodeId: string, store: string, extra: string[] = []): Promise<KeelProcess> {
  const server = await startNode(nodeId, store, extra);
  await waitFor(() => infoField(server.port, 'role'), (role) => role === 'master');
  return server;
}

describe('snapshots with real processes', () => {
  it('SAVE/BGSAVE, then snapshot + trim + full restart reproduce the data exactly; a replica added after trimming catches up', async () => {
    const store = join(tempDir(), 'snapshots');
    let primary = await startPrimary('snap-1', store);
    await writeAllTypes(primary.port, 'a', 200);
    const redis = connect(primary.port);
    await redis.connect();
    const before = Number(await redis.lastsave());
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await redis.call('SAVE')).toBe('OK');
    expect(Number(await redis.lastsave())).toBeGreaterThan(before);
    expect(readdirSync(join(store, 'shard-0'))).toHaveLength(1);
    // SAVE marks its snapshot in the log (the trim guard moves), and the primary stays primary.
    const guarded = (await fixture.logClient.tail('shard-0')).snapshotLsn;
    expect(guarded).toBeGreaterThan(0);
    expect(await redis.call('BGSAVE')).toBe('Background saving started');
    await expect(redis.call('BGSAVE')).rejects.toThrow('ERR Background save already in progress');
    expect(await redis.call('INFO', 'persistence')).toMatch(/\r\nrdb_bgsave_in_progress:1\r\n/);
    await waitFor(() => redis.call('SAVE'), (reply) => reply === 'OK');
    expect(await redis.call('INFO', 'persistence')).toMatch(/\r\nrdb_bgsave_in_progress:0\r\n/);
    expect(await redis.call('INFO', 'persistence')).toMatch(/\r\nrdb_changes_since_last_save:0\r\n/);
    expect(await redis.call('SET', 'one', 'more')).toBe('OK');
    expect(await redis.call('INFO', 'persistence')).toMatch(/\r\nrdb_changes_since_last_save:1\r\n/);
    // Writes after the snapshots: a restart needs snapshot + log.
    await writeAllTypes(primary.port, 'b', 50);
    expect(await redis.call('SET', 'after', 'snapshot', 'PXAT', String(Date.now() + 3_600_000))).toBe('OK');
    redis.disconnect();
    const reference = await dumpAll(primary.port);
    expect(reference.length).toBeGreaterThan(30);
    await primary.stop();

    // The supervisor's cheap check: not due below every threshold.
    const notDue = await runKeel(['snapshot', '--log', fixture.cluster.nodeList.join(','), '--snapshot-store', store, '--if-due', '--snapshot-every-entries', '1000000', '--snapshot-every-bytes', '0', '--snapshot-interval', '0']);
    expect(notDue.code, notDue.stderr).toBe(0);
    expect(notDue.json).toMatchObject({ status: 'not-due', due: false });
    // The off-box snapshotter: from the newest snapshot plus the log; marks and trims.
    const run = await runKeel(['snapshot', '--log', fixture.cluster.nodeList.join(','), '--snapshot-store', store, '--retain-entries', '0', '--keep', '2']);
    expect(run.code, run.stderr).toBe(0);
    const result = run.json!;
    expect(result).toMatchObject({ status: 'written', shard: 0 });
    expect(result.baseLsn as number).toBeGreaterThan(0);
    // --retain-entries 0, but the snapshot it was built from is kept (--keep 2): the log is
    // trimmed no further than that one, which stays usable should the new one be corrupt.
    expect(result.trimmedBeforeLsn).toBe((result.baseLsn as number) + 1);
    const tail = await fixture.logClient.tail('shard-0');
    expect(tail.firstLsn).toBe((result.baseLsn as number) + 1);
    expect(tail.snapshotLsn).toBe(result.lsn);
    expect(readdirSync(join(store, 'shard-0'))).toHaveLength(2);

    // A fresh node (new data directory) rebuilds from snapshot + log: identical data.
    primary = await startPrimary('snap-2', store);
    expect(await dumpAll(primary.port)).toEqual(reference);
    // A replica added after trimming catches up from snapshot + log, then follows new writes.
    const replica = await startNode('snap-3', store);
    const writer = connect(primary.port);
    await writer.connect();
    expect(await writer.set('late', 'write')).toBe('OK');
    writer.disconnect();
    await waitFor(async () => (await dumpAll(replica.port)).length, (count) => count === reference.length + 1);
    expect(await dumpAll(replica.port)).toEqual(await dumpAll(primary.port));

    // A node that cannot find the snapshot refuses to start with half the data.
    const lost = await spawnKeel(['server', '--log', fixture.cluster.nodeList.join(','), '--node-id', 'snap-4', '--port', String(await freePort()), '--dir', tempDir()], /listening on/, 15_000)
      .then(() => 'started', (error: Error) => error.message);
    expect(lost).toContain('SNAPSHOT_NOT_FOUND');

    // Backup to S3 (s3rver; credentials from the AWS environment chain), then restore from
    // there into a new cluster (embedded log) and compare.
    const s3 = await startLocalS3();
    try {
      const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
      const s3Flags = ['--s3-endpoint', s3.endpoint, '--s3-path-style'];
      const backup = await runKeel(['backup', '--snapshot-store', store, '--to', `s3://${s3.bucket}/backups`, ...s3Flags], env);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.json).toMatchObject({ status: 'copied', lsn: result.lsn });
      // Progress in the logs: the read-back check and the copy, each ending at every key, 100 %.
      const logLines = backup.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string });
      for (const phase of ['backup verify done', 'backup copy done']) {
        expect(logLines.find((line) => line.msg === phase), phase).toMatchObject({ keys: result.keys, percent: 100 });
      }
      expect(backup.json!.to).toMatch(new RegExp(`^s3://${s3.bucket}/backups/shard-0/`));
      const newCluster = tempDir();
      const restored = await runKeel(['restore', '--from', backup.json!.to as string, '--dir', newCluster, ...s3Flags], env);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.json).toMatchObject({ status: 'restored', sourceLsn: result.lsn, keys: reference.length });
      const again = await runKeel(['restore', '--from', backup.json!.to as string, '--dir', newCluster, ...s3Flags], env);
      expect(again.code).toBe(4); // the new cluster already holds a snapshot: refused
      const seeded = await startKeel(['--dir', newCluster, '--node-id', 'dr-1']);
      servers.push(seeded);
      await waitFor(() => infoField(seeded.port, 'role'), (role) => role === 'master');
      expect(await dumpAll(seeded.port)).toEqual(reference);
    } finally {
      await s3.close();
    }
  }, 120_000);

  it('encryption at rest: snapshots need the key; a wrong or missing key stops start-up with a clear error', async () => {
    const dir = tempDir();
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    const otherKey = join(dir, 'other-key');
    writeFileSync(otherKey, randomBytes(32).toString('hex'));
    const badKey = join(dir, 'bad-key');
    writeFileSync(badKey, 'too short');
    const store = join(dir, 'snapshots');
    const primary = await startPrimary('enc-1', store, ['--encryption-key-file', keyFile, '--shard', '7']);
    await writeAllTypes(primary.port, 'e', 20);
    const redis = connect(primary.port);
    await redis.connect();
    expect(await redis.call('SAVE')).toBe('OK');
    redis.disconnect();
    const reference = await dumpAll(primary.port);
    await primary.stop();
    const files = readdirSync(join(store, 'shard-7'));
    expect(files).toHaveLength(1);

    const start = (extra: string[]) => spawnKeel(['server', '--log', fixture.cluster.nodeList.join(','), '--shard', '7', '--port', '0', '--dir', tempDir(), '--snapshot-store', store, ...extra], /listening on/, 15_000)
      .then((started) => { started.child.kill('SIGKILL'); return 'started'; }, (error: Error) => error.message);
    expect(await start([])).toContain('SNAPSHOT_KEY_REQUIRED');
    expect(await start(['--encryption-key-file', otherKey])).toContain('SNAPSHOT_KEY_MISMATCH');
    expect(await start(['--encryption-key-file', badKey])).toContain('SNAPSHOT_BAD_KEY_FILE');
    const restarted = await startPrimary('enc-2', store, ['--encryption-key-file', keyFile, '--shard', '7']);
    expect(await dumpAll(restarted.port)).toEqual(reference);
  }, 90_000);
});
