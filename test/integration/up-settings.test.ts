// `keel up` passes its store, key and retention settings on: --encryption-key-file reaches every
// db node (sealed log payloads) and every snapshot run (encrypted snapshots, which need the key
// to be read), --snapshot-keep prunes, and an s3:// --snapshot-store with --s3-endpoint and
// --s3-path-style puts the snapshots in the bucket.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import pino from 'pino';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { keelBin } from '../helpers/server.js';
import { startUp, tempClusterDir, type UpProcess } from '../cluster/up-helpers.js';
import { splitAddr } from '../../src/cluster/layout.js';
import { S3Store } from '../../src/snapshot/s3-store.js';
import { defaultSnapshotLimits } from '../../src/snapshot/limits.js';
import { LocalDirectoryStore } from '../../src/snapshot/local-store.js';
import { loadSnapshot } from '../../src/snapshot/loader.js';
import { EncryptionKey } from '../../src/snapshot/encryption.js';
import { startLocalS3, s3rverCredentials } from '../snapshot/s3rver.js';

const run = promisify(execFile);
const ups: UpProcess[] = [];

afterAll(() => {
  for (const up of ups) up.child.kill('SIGKILL');
});

async function keel(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [keelBin, ...args], { timeout: 30_000 })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function writeThroughPrimary(up: UpProcess, count: number, value: (i: number) => string): Promise<void> {
  const { host, port } = splitAddr(up.layout().dbNodes[0]!.addr);
  const client = new Redis({ host, port, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  try {
    await client.connect();
    for (let i = 0; i < count; i++) await client.set(`key:${i}`, value(i));
  } finally {
    client.disconnect();
  }
}

const written = /snapshot of shard 0 at LSN (\d+) written \(([^;)]+)/;

describe('keel up settings', () => {
  it('--encryption-key-file seals log payloads and snapshots; --snapshot-keep 1 keeps one snapshot', async () => {
    const dir = tempClusterDir();
    const keyFile = join(tempClusterDir(), 'key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    const secret = `plaintext-${randomBytes(8).toString('hex')}`;
    const up = await startUp(dir, ['--replicas', '0', '--encryption-key-file', keyFile, '--snapshot-every-entries', '20', '--snapshot-keep', '1']);
    ups.push(up);
    expect(up.output()).toMatch(/encrypted with /);
    await up.waitForOutput(/snapshot due: no snapshot yet[\s\S]*snapshot of shard 0 at LSN \d+ written/, 30_000);
    const mark = up.output().length;
    await writeThroughPrimary(up, 30, (i) => `${secret}:${i}`);
    const [, lsn, location] = await up.waitForOutput(written, 80_000, mark);

    // One snapshot left (the first one pruned), encrypted: no plaintext in it nor in the log.
    const snapshots = filesUnder(join(dir, 'snapshots')).filter((file) => file.endsWith('.ksnap'));
    expect(snapshots).toEqual([location]);
    const leaked = [...snapshots, ...filesUnder(join(dir, 'log-a'))].filter((file) => readFileSync(file).includes(Buffer.from(secret)));
    expect(leaked).toEqual([]);

    // Loading it needs the key.
    const store = new LocalDirectoryStore(join(dir, 'snapshots'));
    const name = relative(join(dir, 'snapshots'), location!);
    const options = { shard: 0, databases: 16, limits: defaultSnapshotLimits, logger: pino({ level: 'silent' }) };
    await expect(loadSnapshot(store, name, { ...options, key: null })).rejects.toMatchObject({ code: 'SNAPSHOT_KEY_REQUIRED' });
    const loaded = await loadSnapshot(store, name, { ...options, key: EncryptionKey.fromFile(keyFile) });
    expect(loaded.header.lsn).toBe(Number(lsn));
    expect(loaded.header.keyCount).toBe(30);

    up.child.kill('SIGINT');
    expect(await up.exited).toBe(0);

    // A key file that is not there: a one-line usage error, nothing started.
    const missing = await keel('up', '--dir', dir, '--encryption-key-file', join(dir, 'no-such-key'));
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^keel: --encryption-key-file: [^\n]*no-such-key[^\n]*\n$/);
  }, 150_000);

  it('an s3:// --snapshot-store with --s3-endpoint and --s3-path-style writes the snapshots to the bucket', async () => {
    const s3 = await startLocalS3();
    // Children take credentials from the AWS chain, here the environment.
    const savedEnv = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey });
    const prefix = `up-${randomBytes(4).toString('hex')}`;
    const store = new S3Store({ bucket: s3.bucket, prefix, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3rverCredentials }, defaultSnapshotLimits);
    try {
      const dir = tempClusterDir();
      const up = await startUp(dir, ['--replicas', '0', '--snapshot-store', `s3://${s3.bucket}/${prefix}`, '--s3-endpoint', s3.endpoint, '--s3-path-style']);
      ups.push(up);
      expect(up.layout().snapshotStore).toBe(`s3://${s3.bucket}/${prefix}`);
      const [, , location] = await up.waitForOutput(written, 45_000);
      expect(location).toMatch(new RegExp(`^s3://${s3.bucket}/${prefix}/shard-0/`));
      expect(existsSync(join(dir, 'snapshots'))).toBe(false);
      const objects = await store.list('');
      expect(objects.map((object) => `s3://${s3.bucket}/${prefix}/${object.name}`)).toContain(location);

      up.child.kill('SIGINT');
      expect(await up.exited).toBe(0);
      // The recorded store stays: another one on the same --dir is refused.
      const other = await keel('up', '--dir', dir, '--snapshot-store', join(dir, 'elsewhere'));
      expect(other.code).toBe(2);
      expect(other.stderr).toMatch(/differs from the store recorded/);
    } finally {
      for (const [name, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      store.close();
      await s3.close();
    }
  }, 120_000);
});
