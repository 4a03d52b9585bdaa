// `node dist/bench/snapshot.js [--keys N] [--latency-keys N] [--rounds R] [--seconds S]
//   [--snapshot-flags "…"] [--naive] [--control] [--floor] [--skip-rdb] [--skip-latency] [--skip-end-to-end]`
//
// Issue #7 item 8, all in one run, as ratios:
//  1. Snapshot and restore of N keys (default 1M) with 100-byte values — the data of DEBUG
//     POPULATE N key 100 — next to redis-server's SAVE and RDB load (DEBUG RELOAD NOSAVE) of
//     the same data: in-process rows (encode + fsync, read-back verify, restore into memory),
//     and `keel snapshot` end to end on three real log nodes (load the data through a primary,
//     then replay + write + verify + mark).
//  2. SET p99 on a primary that runs on three real `keel log-node`s, under a steady
//     redis-benchmark SET load (-c 50), in interleaved rounds: without a snapshot, and with
//     `keel snapshot` running back to back (default flags: nice 19 on every thread, replay from
//     a follower, own session). Goal: p99 with / without ≤ 1.2. `--naive` adds a phase per
//     round with the snapshotter as it was before (`--nice 0 --read-from leader`); `--control`
//     adds a second no-snapshot phase, whose ratio is the metric's own noise on this machine;
//     `--floor` adds a phase with bench/snapshot-floor.ts back to back: only the snapshot's
//     bytes written, flushed, read back and hashed at nice 19 — what no snapshotter can undercut.
//
// Needs redis-server and redis-benchmark (apt-get install redis-server redis-tools). Prints
// the load average at start and end: on a shared machine, measure when it is lowest.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Redis } from 'ioredis';
import { Engine } from '../src/engine/engine.js';
import { encodeSnapshot, decodeSnapshot } from '../src/snapshot/format.js';
import { LocalDirectoryStore } from '../src/snapshot/local-store.js';
import { defaultSnapshotLimits } from '../src/snapshot/limits.js';
import { loadSnapshot } from '../src/snapshot/loader.js';
import { snapshotName } from '../src/snapshot/catalog.js';
import { formatBytes } from '../src/snapshot/progress.js';
import { lowerChildPriority } from '../src/snapshot/priority.js';
import { keelBin } from '../test/helpers/server.js';
import { redisServerPath, startRedis } from '../test/helpers/redis-server.js';
import { findTool, formatTable, runRedisBenchmarkAsync, type BenchRow } from './redis-benchmark.js';
import { median, medianWithRange } from './machine-costs.js';
import { Cleanup, startBenchKeel, startLogNodes, waitForPrimary, role, type Target } from './bench-processes.js';

const quiet = pino({ level: 'silent' });

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} wants a non-negative number, not ${process.argv[index + 1]}`);
  return value;
}

function stringFlag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1] ?? fallback;
}

const has = (name: string) => process.argv.includes(`--${name}`);
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

/** The data DEBUG POPULATE N key 100 makes: key:i → "value:i" padded with NULs to 100 bytes. */
function populate(engine: Engine, keys: number): void {
  const db = engine.database(0);
  for (let i = 0; i < keys; i++) db.restoreEntry(`key:${i}`, { value: `value:${i}`.padEnd(100, '\0'), expireAtMs: 0, accessedAtMs: 0 });
}

async function keelSnapshotTimes(keys: number, dir: string): Promise<{ writeMs: number; verifyMs: number; restoreMs: number; bytes: number }> {
  const engine = new Engine();
  populate(engine, keys);
  const store = new LocalDirectoryStore(join(dir, 'in-process'));
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

/** One `keel snapshot` run: its JSON result and how long the process took. */
interface SnapshotRun {
  code: number | null;
  ms: number;
  json: Record<string, unknown> | null;
  stderr: string;
}

/**
 * Spawned as keel up's scheduler does — detached, main thread reniced at once — unless the flags
 * say --nice 0 (the snapshotter as it was before: in our session, at normal priority).
 */
function runSnapshot(args: string[], command: readonly string[] = keelSnapshot): { done: Promise<SnapshotRun>; stop: () => void } {
  const started = performance.now();
  const nice = args.includes('--nice') ? Number(args[args.lastIndexOf('--nice') + 1]) : 19;
  const child = spawn(process.execPath, [...command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: nice > 0 });
  if (nice > 0) lowerChildPriority(child.pid, nice);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-16_384); });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const done = new Promise<SnapshotRun>((resolve) => child.once('exit', (code) => {
    process.off('exit', killOnExit);
    const last = stdout.trim().split('\n').pop() ?? '';
    resolve({ code, ms: performance.now() - started, json: last.startsWith('{') ? JSON.parse(last) as Record<string, unknown> : null, stderr });
  }));
  return { done, stop: () => child.kill('SIGTERM') };
}

const keelSnapshot: readonly string[] = [keelBin, 'snapshot'];
/** bench/snapshot-floor.ts: write, read back and hash a snapshot's bytes, nothing else. */
const floorSnapshot: readonly string[] = [join(import.meta.dirname, 'snapshot-floor.js')];

interface Phase {
  kind: string;
  round: number;
  row: BenchRow;
  snapshots: number;
  failed: number;
  snapshotMs: number[];
}

/** `keel snapshot` (or command) back to back until stopped; counts runs, failures and their durations. */
function snapshotLoop(args: string[], command: readonly string[] = keelSnapshot): { started: Promise<void>; stop: () => Promise<{ runs: number; failed: number; ms: number[]; lastError: string }> } {
  let running = true;
  let current: { stop: () => void } | null = null;
  let runs = 0;
  let failed = 0;
  let lastError = '';
  const ms: number[] = [];
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => { markStarted = resolve; });
  const loop = (async () => {
    while (running) {
      const run = runSnapshot(args, command);
      current = run;
      markStarted();
      const result = await run.done;
      current = null;
      if (!running) break; // stopped mid-run: not counted
      if (result.code === 0) { runs += 1; ms.push(result.ms); } else { failed += 1; lastError = result.stderr.trim().split('\n').pop() ?? ''; }
    }
  })();
  return {
    started,
    stop: async () => {
      running = false;
      (current as { stop: () => void } | null)?.stop();
      await loop;
      return { runs, failed, ms, lastError };
    },
  };
}

/**
 * MSETs of `perCommand` keys, `inFlight` at a time. A batch refused because the primary is not
 * serving at that moment (-TRYAGAIN: its lease lapsed on an overloaded machine) is sent again
 * once it serves: MSET is idempotent.
 */
async function preload(target: Target, keys: number, valueBytes: number, perCommand = 500, inFlight = 4): Promise<void> {
  const client = new Redis({ port: target.port, host: '127.0.0.1' });
  let retries = 0;
  try {
    const value = 'v'.repeat(valueBytes);
    const send = async (start: number): Promise<void> => {
      const args: string[] = [];
      for (let i = start; i < Math.min(keys, start + perCommand); i++) args.push(`key:${i}`, value);
      for (let attempt = 0; ; attempt++) {
        try {
          await client.mset(...args);
          return;
        } catch (error) {
          if (attempt >= 20 || !/TRYAGAIN|READONLY/.test((error as Error).message)) throw error;
          retries += 1;
          await waitForWrites(target);
        }
      }
    };
    const commands: Promise<void>[] = [];
    for (let start = 0; start < keys; start += perCommand) {
      commands.push(send(start));
      if (commands.length >= inFlight) await Promise.all(commands.splice(0));
    }
    await Promise.all(commands);
    const size = await client.dbsize();
    if (size < keys) throw new Error(`preload: dbsize ${size} < ${keys}`);
    if (retries > 0) console.log(`preload: ${retries} MSET batch(es) sent again after -TRYAGAIN/-READONLY (the primary stopped serving for a moment)`);
  } finally {
    client.disconnect();
  }
}

/**
 * Until a SET is acknowledged: ROLE says master as soon as the node is primary again, but its
 * lease may still be lapsed (-TRYAGAIN), and a phase started then fails at once.
 */
async function waitForWrites(target: Target, timeoutMs = 60_000): Promise<void> {
  const client = new Redis({ port: target.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => 200 });
  client.on('error', () => { /* retried below */ });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        if (await client.set('bench:probe', '1') === 'OK') return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`no write acknowledged within ${timeoutMs} ms: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    client.disconnect();
  }
}

async function latencyRounds(cleanup: Cleanup, options: { keys: number; rounds: number; seconds: number; snapshotFlags: string[]; naive: boolean; control: boolean; floor: boolean }): Promise<void> {
  const logNodes = await startLogNodes(cleanup);
  const storeDir = mkdtempSync(join(tmpdir(), 'keel-bench-snapstore-'));
  cleanup.add(`directory ${storeDir}`, () => rmSync(storeDir, { recursive: true, force: true }));
  const primary: Target = await startBenchKeel(cleanup, 'keel primary, 3 log nodes', ['--log', logNodes.join(','), '--node-id', 'n1', '--snapshot-store', storeDir]);
  await waitForPrimary(primary);
  console.log(`\nSET p99 during snapshots: primary n1 on log nodes ${logNodes.join(', ')}; ${options.keys} keys of 100 bytes; load average ${load()}`);
  await preload(primary, options.keys, 100);
  const common = ['--log', logNodes.join(','), '--shard', '0', '--snapshot-store', storeDir, '--log-level', 'warn'];
  // A first snapshot, so that every measured one starts from a snapshot plus a short log.
  const first = await runSnapshot(common).done;
  if (first.code !== 0) throw new Error(`first keel snapshot failed: ${first.stderr}`);
  console.log(`first snapshot of ${first.json?.keys} keys: ${first.ms.toFixed(0)} ms`);

  const benchArgs = (requests: number) => ['-t', 'set', '-c', '50', '-d', '100', '-r', String(options.keys), '-n', String(requests)];
  // Calibrate the request count so each phase lasts about `seconds`.
  const warm = await runRedisBenchmarkAsync(primary.port, benchArgs(5000));
  const requests = Math.max(2000, Math.round(warm[0]!.rps * options.seconds));
  console.log(`load: redis-benchmark ${benchArgs(requests).join(' ')} (≈${options.seconds} s at ${Math.round(warm[0]!.rps)} SET/s)`);

  const snapshotBytes = Number(first.json?.bytes);
  const kinds: Array<{ kind: string; flags: string[] | null; command?: readonly string[] }> = [
    { kind: 'no snapshot', flags: null },
    { kind: `keel snapshot ${options.snapshotFlags.join(' ') || '(defaults)'}`, flags: [...common, ...options.snapshotFlags] },
    ...(options.naive ? [{ kind: 'keel snapshot --nice 0 --read-from leader', flags: [...common, '--nice', '0', '--read-from', 'leader'] }] : []),
    // The same load again without a snapshot: its ratio is this metric's own noise (an A/A test).
    ...(options.control ? [{ kind: 'no snapshot, again (control)', flags: null }] : []),
    // Only the snapshot's bytes written, flushed, read back and hashed, at nice 19: the floor.
    ...(options.floor ? [{ kind: `floor: write + verify ${formatBytes(snapshotBytes)}, nice 19`, flags: ['--store', storeDir, '--bytes', String(snapshotBytes)], command: floorSnapshot }] : []),
  ];
  const phases: Phase[] = [];
  const phaseFailures: Array<{ kind: string; round: number }> = [];
  for (let round = 1; round <= options.rounds; round++) {
    // Interleaved, and the order turned around every other round, so drift hits all alike.
    const order = round % 2 === 1 ? kinds : [...kinds].reverse();
    for (const { kind, flags, command } of order) {
      let loop: ReturnType<typeof snapshotLoop> | null = null;
      if (flags !== null) {
        loop = snapshotLoop(flags, command);
        await loop.started;
        await new Promise((resolve) => setTimeout(resolve, 300)); // past process start: replaying
      }
      // A phase in which the primary stopped serving (e.g. its lease lapsed: -TRYAGAIN) is
      // recorded as failed, not dropped: it is the worst latency there is.
      const rows = await runRedisBenchmarkAsync(primary.port, benchArgs(requests)).catch((error: Error) => error);
      const outcome = loop ? await loop.stop() : { runs: 0, failed: 0, ms: [], lastError: '' };
      if (outcome.failed > 0) console.log(`WARNING ${outcome.failed} snapshot(s) failed in round ${round} (${kind}): ${outcome.lastError}`);
      const stillPrimary = await role(primary.port).catch(() => 'no answer');
      if (rows instanceof Error || stillPrimary !== 'master') {
        console.log(`round ${round}: ${kind.padEnd(45)} FAILED: ${rows instanceof Error ? rows.message.split('\n')[0] : `ROLE is ${stillPrimary} after the phase`}; load ${load()}`);
        phaseFailures.push({ kind, round });
        await waitForWrites(primary);
        continue;
      }
      phases.push({ kind, round, row: rows[0]!, snapshots: outcome.runs, failed: outcome.failed, snapshotMs: outcome.ms });
      console.log(`round ${round}: ${kind.padEnd(45)} ${Math.round(rows[0]!.rps)} SET/s, p50 ${rows[0]!.p50Ms.toFixed(3)} ms, p99 ${rows[0]!.p99Ms.toFixed(3)} ms${loop ? `, ${outcome.runs} snapshots done (median ${median(outcome.ms).toFixed(0)} ms)` : ''}; load ${load()}`);
    }
  }
  const quietPhases = phases.filter((phase) => phase.kind === kinds[0]!.kind);
  const quietOf = (round: number) => quietPhases.find((other) => other.round === round);
  const ratiosOf = (kind: string) => phases.filter((phase) => phase.kind === kind && quietOf(phase.round)).map((phase) => phase.row.p99Ms / quietOf(phase.round)!.row.p99Ms);
  console.log('');
  const table: (string | number)[][] = [];
  for (const { kind } of kinds) {
    const mine = phases.filter((phase) => phase.kind === kind);
    const ratios = ratiosOf(kind);
    const failures = phaseFailures.filter((failure) => failure.kind === kind).length;
    table.push([
      kind, mine.length, failures, Math.round(median(mine.map((phase) => phase.row.rps))), median(mine.map((phase) => phase.row.p50Ms)).toFixed(3),
      median(mine.map((phase) => phase.row.p99Ms)).toFixed(3), kind === kinds[0]!.kind ? '1.00' : ratios.length === 0 ? '-' : medianWithRange(ratios, 2),
      mine.reduce((sum, phase) => sum + phase.snapshots, 0),
    ]);
  }
  console.log(formatTable(['phase', 'rounds', 'failed phases', 'SET/s (median)', 'p50 ms (median)', 'p99 ms (median)', 'p99 / no-snapshot p99 of the same round: median [min–max]', 'snapshots done'], table));
  const ratios = ratiosOf(kinds[1]!.kind);
  const ratio = median(ratios);
  const failed = phaseFailures.some((failure) => failure.kind === kinds[1]!.kind);
  console.log(`goal SET p99 during a snapshot ≤ 1.2× without: ${ratio <= 1.2 && !failed ? 'met' : 'MISSED'} — median ratio ${ratio.toFixed(2)} over ${ratios.length} rounds${failed ? ' (and failed phases)' : ''}; load average ${load()}`);
}

/** Each phase's elapsed time from a `keel snapshot` run's pino lines ("<phase> done"). */
function phaseTimes(stderr: string): string {
  const parts: string[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as { msg?: string; elapsedMs?: number };
    if (parsed.msg?.endsWith(' done') && parsed.elapsedMs !== undefined) parts.push(`${parsed.msg.replace(/ done$/, '')} ${parsed.elapsedMs} ms`);
  }
  return parts.join(', ');
}

interface EndToEnd { label: string; ms: number; replayed: number; bytes: number; phases: string }

/**
 * `keel snapshot` end to end on N keys: load them through a primary on shard 1 (it stays up,
 * idle), then snapshot twice: the first rebuilds everything from the log, the second (--force)
 * is the steady state — the newest snapshot plus a short log.
 */
async function endToEnd(cleanup: Cleanup, keys: number): Promise<EndToEnd[]> {
  const logNodes = await startLogNodes(cleanup);
  const storeDir = mkdtempSync(join(tmpdir(), 'keel-bench-e2e-'));
  cleanup.add(`directory ${storeDir}`, () => rmSync(storeDir, { recursive: true, force: true }));
  const writer = await startBenchKeel(cleanup, 'keel writer, 3 log nodes', ['--log', logNodes.join(','), '--node-id', 'w1', '--shard', '1']);
  await waitForPrimary(writer);
  const started = performance.now();
  await preload(writer, keys, 100);
  console.log(`\nend to end: ${keys} keys written through a primary on 3 log nodes in ${((performance.now() - started) / 1000).toFixed(1)} s; load average ${load()}`);
  const runs: EndToEnd[] = [];
  for (const [label, extra] of [['from the log alone', []], ['steady state: newest snapshot + short log', ['--force']]] as const) {
    const run = await runSnapshot(['--log', logNodes.join(','), '--shard', '1', '--snapshot-store', storeDir, '--log-level', 'info', '--nice', '0', ...extra]).done;
    if (run.code !== 0) { console.log(`WARNING keel snapshot failed: ${run.stderr.slice(-2000)}`); break; }
    runs.push({ label, ms: run.ms, replayed: run.json!.replayedEntries as number, bytes: run.json!.bytes as number, phases: phaseTimes(run.stderr) });
  }
  return runs;
}

async function main(cleanup: Cleanup): Promise<number> {
  for (const tool of ['redis-server', 'redis-benchmark']) {
    if (!findTool(tool)) {
      console.error(`bench: ${tool} not found; install it with: apt-get install redis-server redis-tools`);
      return 2;
    }
  }
  const keys = flag('keys', 1_000_000);
  const latencyKeys = flag('latency-keys', 200_000);
  const rounds = flag('rounds', 5);
  const seconds = flag('seconds', 8);
  const snapshotFlags = stringFlag('snapshot-flags', '').split(' ').filter((part) => part.length > 0);
  console.log(`snapshot bench; load average at start ${load()} (1, 5, 15 min)`);

  if (!has('skip-rdb')) {
    const dir = mkdtempSync(join(tmpdir(), 'keel-bench-snap-'));
    cleanup.add(`directory ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    console.log(`\n${keys} keys with 100-byte values (the data of DEBUG POPULATE ${keys} key 100)`);
    const keel = await keelSnapshotTimes(keys, dir);
    const redis = await redisRdbTimes(keys);
    const ratio = (a: number, b: number | undefined) => (b === undefined ? '-' : (a / b).toFixed(2));
    console.log(`\n${formatTable(['operation', 'keel ms', 'redis ms', 'keel/redis'], [
      ['snapshot write (encode + fsync) vs SAVE', keel.writeMs.toFixed(0), redis?.saveMs.toFixed(0) ?? '-', ratio(keel.writeMs, redis?.saveMs)],
      ['snapshot write + verify read-back vs SAVE', (keel.writeMs + keel.verifyMs).toFixed(0), redis?.saveMs.toFixed(0) ?? '-', ratio(keel.writeMs + keel.verifyMs, redis?.saveMs)],
      ['restore into memory vs RDB load (DEBUG RELOAD NOSAVE)', keel.restoreMs.toFixed(0), redis?.loadMs.toFixed(0) ?? '-', ratio(keel.restoreMs, redis?.loadMs)],
    ])}`);
    console.log(`keel snapshot size: ${formatBytes(keel.bytes)}${redis ? '' : ' (redis-server not found: no side-by-side rows)'}; load average ${load()}`);
    if (!has('skip-end-to-end')) {
      const e2e = await endToEnd(cleanup, keys).finally(() => cleanup.run());
      if (e2e.length > 0) {
        console.log(`\n${formatTable(['\`keel snapshot --nice 0\` process on 3 log nodes (replay, write, verify, mark)', 'log entries replayed', 'keel ms', 'redis SAVE ms (above)', 'keel/redis'], e2e.map((run) => [
          run.label, run.replayed, run.ms.toFixed(0), redis?.saveMs.toFixed(0) ?? '-', ratio(run.ms, redis?.saveMs),
        ]))}`);
        for (const run of e2e) console.log(`${run.label}: ${run.phases}`);
        console.log(`end-to-end snapshot size: ${formatBytes(e2e[0]!.bytes)}; load average ${load()}`);
      }
    }
  }
  if (!has('skip-latency')) {
    try {
      await latencyRounds(cleanup, { keys: latencyKeys, rounds, seconds, snapshotFlags, naive: has('naive'), control: has('control'), floor: has('floor') });
    } finally {
      await cleanup.run();
    }
  }
  console.log(`\nload average at end ${load()}`);
  return 0;
}

const cleanup = new Cleanup();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void cleanup.run().finally(() => process.exit(130)); });
}
main(cleanup).then(async (code) => { await cleanup.run(); process.exit(code); }, async (error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  await cleanup.run();
  process.exit(1);
});
