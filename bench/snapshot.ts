// `node dist/bench/snapshot.js [--keys N] [--latency-keys N] [--seconds S]`: snapshot and
// restore times for N keys with 100-byte values next to redis-server's SAVE and RDB load of
// the same data in the same run (ratios), and the primary's p99 SET latency while SAVE
// children run versus without. Needs redis-server on PATH for the side-by-side rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Redis } from 'ioredis';
import { Engine } from '../src/engine/engine.js';
import { encodeSnapshot } from '../src/snapshot/format.js';
import { LocalDirectoryStore } from '../src/snapshot/local-store.js';
import { defaultSnapshotLimits } from '../src/snapshot/limits.js';
import { loadSnapshot } from '../src/snapshot/loader.js';
import { snapshotName } from '../src/snapshot/catalog.js';
import { decodeSnapshot } from '../src/snapshot/format.js';
import { formatBytes } from '../src/snapshot/progress.js';
import { startKeel } from '../test/helpers/server.js';
import { redisServerPath, startRedis } from '../test/helpers/redis-server.js';
import { formatTable } from './redis-benchmark.js';

const quiet = pino({ level: 'silent' });

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

/** The data DEBUG POPULATE N key 100 makes: key:i → "value:i" padded with NULs to 100 bytes. */
function populate(engine: Engine, keys: number): void {
  const db = engine.database(0);
  for (let i = 0; i < keys; i++) db.restoreEntry(`key:${i}`, { value: `value:${i}`.padEnd(100, '\0'), expireAtMs: 0, accessedAtMs: 0 });
}

async function keelSnapshotTimes(keys: number): Promise<{ writeMs: number; verifyMs: number; restoreMs: number; bytes: number }> {
  const engine = new Engine();
  populate(engine, keys);
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-snap-'));
  const store = new LocalDirectoryStore(dir);
  const name = snapshotName(0, 1, Date.now());
  let started = performance.now();
  const encoded = encodeSnapshot(engine, { shard: 0, lsn: 1, logChecksum: '00'.repeat(16), createdAtMs: Date.now() }, { key: null, limits: defaultSnapshotLimits });
  const { bytes } = await store.put(name, encoded.stream);
  const writeMs = performance.now() - started;
  started = performance.now();
  await decodeSnapshot(store.get(name), { key: null, limits: defaultSnapshotLimits, what: name });
  const verifyMs = performance.now() - started;
  started = performance.now();
  const loaded = await loadSnapshot(store, name, { shard: 0, databases: 16, key: null, limits: defaultSnapshotLimits, logger: quiet });
  const restoreMs = performance.now() - started;
  if (loaded.engine.keyCount() !== keys) throw new Error(`restored ${loaded.engine.keyCount()} keys, expected ${keys}`);
  rmSync(dir, { recursive: true, force: true });
  return { writeMs, verifyMs, restoreMs, bytes };
}

async function redisRdbTimes(keys: number): Promise<{ saveMs: number; loadMs: number } | null> {
  if (!redisServerPath()) return null;
  const server = await startRedis(['--dbfilename', 'bench.rdb', '--enable-debug-command', 'yes']);
  const client = new Redis({ port: server.port, host: '127.0.0.1' });
  try {
    await client.call('DEBUG', 'POPULATE', String(keys), 'key', '100');
    let started = performance.now();
    await client.call('SAVE');
    const saveMs = performance.now() - started;
    started = performance.now();
    await client.call('DEBUG', 'RELOAD', 'NOSAVE');
    const loadMs = performance.now() - started;
    if (await client.dbsize() !== keys) throw new Error('redis did not reload every key');
    return { saveMs, loadMs };
  } finally {
    client.disconnect();
    await server.stop();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** SET latencies (ms) of one client issuing SETs back to back for `seconds`. */
async function setLatencies(client: Redis, seconds: number, value: string): Promise<number[]> {
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const started = performance.now();
    await client.set(`probe:${i % 1000}`, value);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

async function latencyDuringSnapshots(keys: number, seconds: number): Promise<{ quiet: number[]; snapshotting: number[]; saves: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-lat-'));
  const keel = await startKeel(['--dir', dir]);
  const client = new Redis({ port: keel.port, host: '127.0.0.1' });
  const admin = new Redis({ port: keel.port, host: '127.0.0.1' });
  try {
    const deadline = Date.now() + 20_000;
    while ((await client.info('replication')).indexOf('role:master') === -1) {
      if (Date.now() > deadline) throw new Error('keel never became primary');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const value = 'v'.repeat(100);
    for (let start = 0; start < keys; start += 10_000) {
      const pipeline = client.pipeline();
      for (let i = start; i < Math.min(keys, start + 10_000); i++) pipeline.set(`key:${i}`, value);
      await pipeline.exec();
    }
    const quietSamples = await setLatencies(client, seconds, value);
    let saving = true;
    let saves = 0;
    const saver = (async () => {
      while (saving) {
        await admin.call('SAVE');
        saves += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the child is replaying
    const busySamples = await setLatencies(client, seconds, value);
    saving = false;
    await saver;
    return { quiet: quietSamples, snapshotting: busySamples, saves };
  } finally {
    client.disconnect();
    admin.disconnect();
    await keel.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const keys = flag('keys', 1_000_000);
  const latencyKeys = flag('latency-keys', 200_000);
  const seconds = flag('seconds', 5);
  console.log(`snapshot bench: ${keys} keys with 100-byte values (the data of DEBUG POPULATE ${keys} key 100)`);
  const keel = await keelSnapshotTimes(keys);
  const redis = await redisRdbTimes(keys);
  const ratio = (a: number, b: number | undefined) => (b === undefined ? '-' : (a / b).toFixed(2));
  console.log(formatTable(['operation', 'keel ms', 'redis ms', 'keel/redis'], [
    ['snapshot write (encode + fsync) vs SAVE', keel.writeMs.toFixed(0), redis?.saveMs.toFixed(0) ?? '-', ratio(keel.writeMs, redis?.saveMs)],
    ['snapshot write + verify read-back vs SAVE', (keel.writeMs + keel.verifyMs).toFixed(0), redis?.saveMs.toFixed(0) ?? '-', ratio(keel.writeMs + keel.verifyMs, redis?.saveMs)],
    ['restore into memory vs RDB load (DEBUG RELOAD NOSAVE)', keel.restoreMs.toFixed(0), redis?.loadMs.toFixed(0) ?? '-', ratio(keel.restoreMs, redis?.loadMs)],
  ]));
  console.log(`keel snapshot size: ${formatBytes(keel.bytes)}${redis ? '' : ' (redis-server not found: no side-by-side rows)'}`);

  console.log(`\nSET latency on a primary with ${latencyKeys} keys: one client, back to back, ${seconds} s each`);
  const latency = await latencyDuringSnapshots(latencyKeys, seconds);
  const row = (label: string, samples: number[]) => [label, samples.length, percentile(samples, 50).toFixed(3), percentile(samples, 99).toFixed(3), percentile(samples, 99.9).toFixed(3)];
  console.log(formatTable(['phase', 'SETs', 'p50 ms', 'p99 ms', 'p99.9 ms'], [
    row('no snapshot', latency.quiet),
    row(`SAVE children running (${latency.saves} snapshots)`, latency.snapshotting),
  ]));
  const p99Ratio = percentile(latency.snapshotting, 99) / percentile(latency.quiet, 99);
  console.log(`p99 during snapshots / without: ${p99Ratio.toFixed(2)}x (goal: within 1.2x)`);
  return 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
