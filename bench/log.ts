// `npm run bench:log`: append throughput and latency (p50, p99) of 100-byte entries through
// three real log-node processes on loopback, with 1, 16 and 64 concurrent appenders, next to
// the cost of one local synced LevelDB write and one loopback round trip measured in the same
// run. KEEL_BENCH_ROUNDS (default 3) repeats the appender counts, interleaved, and reports each
// count's median round with the range: single runs on a shared VM drift by ±30 %.
// Goals: p50 at one appender <= 2 × (one fsync + two loopback round trips); >= 50,000
// entries/s with 64 appenders.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LogClient } from '../log-service/client/log-client.js';
import { freePortRange } from '../src/cluster/ports.js';
import { measureCrossProcessRoundTripMs, measureLoopbackRoundTripMs, measureSyncWriteMs, percentile, processCpuSeconds, vcpuIdleSettings } from './machine-costs.js';

const entryBytes = 100;
const runMs = Number(process.env.KEEL_BENCH_RUN_MS ?? 3000);
const concurrencies = (process.env.KEEL_BENCH_APPENDERS ?? '1,16,64').split(',').map(Number);
/** Rounds over all concurrencies, interleaved; each row reports the median round and the range. */
const rounds = Number(process.env.KEEL_BENCH_ROUNDS ?? 3);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`KEEL_BENCH_ROUNDS must be an integer in 1..20, got ${process.env.KEEL_BENCH_ROUNDS}`);
if (concurrencies.some((n) => !Number.isInteger(n) || n < 1 || n > 4096)) throw new Error(`KEEL_BENCH_APPENDERS must list integers in 1..4096, got ${process.env.KEEL_BENCH_APPENDERS}`);

/** Three consecutive ports below the ephemeral range (see freePortRange). */
async function freePorts(count: number): Promise<number[]> {
  const base = await freePortRange('127.0.0.1', count);
  return Array.from({ length: count }, (_, i) => base + i);
}

async function startCluster(root: string): Promise<{ nodes: string[]; processes: ChildProcess[] }> {
  const ports = await freePorts(3);
  const ids = ['a', 'b', 'c'];
  const peers = ids.map((id, i) => `${id}=127.0.0.1:${ports[i]}`).join(',');
  const bin = resolve(import.meta.dirname, '../log-service/bin.js');
  const processes = ids.map((id, i) =>
    spawn(process.execPath, [...(process.env.KEEL_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), bin, 'log-node', '--id', id, '--listen', `127.0.0.1:${ports[i]}`, '--dir', join(root, id), '--peers', peers, '--log-level', 'warn'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  // A node that dies mid-run must say so (a bench once waited silently on a node that was gone).
  processes.forEach((child, i) => child.once('exit', (code, signal) => {
    if (!stopping) console.error(`bench: log node ${ids[i]} exited during the run (code ${code}, signal ${signal})`);
  }));
  return { nodes: ports.map((port) => `127.0.0.1:${port}`), processes };
}

let stopping = false;

interface Row {
  appenders: number;
  entriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerEntry: number;
  systemShare: number;
  /** This process's CPU (the client library and the appenders) per entry. */
  clientCpuMicrosPerEntry: number;
}

async function runAppenders(client: LogClient, log: string, appenders: number): Promise<{ entries: number; seconds: number; latencies: number[] }> {
  let nextPrevLsn = (await client.tail(log)).tailLsn;
  const latencies: number[] = [];
  const payload = new Uint8Array(entryBytes).fill(0x61);
  const deadline = performance.now() + runMs;
  const started = performance.now();
  let entries = 0;
  // Like a db primary: each appender takes the next LSN from a shared sequencer, then appends.
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      while (performance.now() < deadline) {
        const prevLsn = nextPrevLsn;
        nextPrevLsn += 1;
        const start = performance.now();
        await client.append(log, [payload], { prevLsn });
        latencies.push(performance.now() - start);
        entries += 1;
      }
    }),
  );
  return { entries, seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'keel-bench-log-'));
  const { nodes, processes } = await startCluster(root);
  try {
    const syncMs = await measureSyncWriteMs(join(root, 'fsync-probe'), entryBytes);
    const roundTripMs = await measureLoopbackRoundTripMs(entryBytes);
    const crossProcessRoundTripMs = await measureCrossProcessRoundTripMs(entryBytes);
    const client = await LogClient.connect({ nodes });
    await client.append('warmup', [new Uint8Array(entryBytes)], { prevLsn: (await client.tail('warmup')).tailLsn });
    const budgetMs = 2 * (syncMs + 2 * roundTripMs);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}${vcpuIdleSettings()} (results are only comparable on an idle machine)`);
    console.log(`local synced LevelDB write (p50): ${syncMs.toFixed(3)} ms; loopback round trip (p50): ${roundTripMs.toFixed(3)} ms`);
    console.log(`the same round trip to another process (p50): ${crossProcessRoundTripMs.toFixed(3)} ms (an append crosses processes 6 times)`);
    console.log(`p50 goal at 1 appender: <= 2 × (fsync + 2 round trips) = ${budgetMs.toFixed(3)} ms; throughput goal at 64: >= 50000 entries/s`);
    console.log(`${rounds} round(s) over the appender counts, interleaved; a row is the round with the median entries/s, [min–max] over the rounds`);
    console.log('appenders  entries/s   p50 ms   p99 ms   node CPU µs/entry (3 nodes, % in kernel)   client CPU µs/entry   entries/s range');
    const samples = new Map<number, Row[]>(concurrencies.map((appenders) => [appenders, []]));
    const pids = processes.map((child) => child.pid!);
    for (let round = 0; round < rounds; round++) {
      for (const appenders of concurrencies) {
        const cpuBefore = processCpuSeconds(pids);
        const clientCpuBefore = process.cpuUsage();
        const { entries, seconds, latencies } = await runAppenders(client, `bench-${appenders}-${round}`, appenders);
        const clientCpu = process.cpuUsage(clientCpuBefore);
        const cpuAfter = processCpuSeconds(pids);
        const cpuSecondsUsed = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
        samples.get(appenders)!.push({
          appenders, entriesPerSecond: Math.round(entries / seconds), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
          cpuMicrosPerEntry: (cpuSecondsUsed * 1e6) / entries, systemShare: (cpuAfter.system - cpuBefore.system) / cpuSecondsUsed,
          clientCpuMicrosPerEntry: (clientCpu.user + clientCpu.system) / entries,
        });
      }
    }
    const results: Array<Row & { entriesPerSecondMin: number; entriesPerSecondMax: number }> = [];
    for (const appenders of concurrencies) {
      const byRate = samples.get(appenders)!.sort((a, b) => a.entriesPerSecond - b.entriesPerSecond);
      const row = { ...byRate[Math.floor(byRate.length / 2)]!, entriesPerSecondMin: byRate[0]!.entriesPerSecond, entriesPerSecondMax: byRate[byRate.length - 1]!.entriesPerSecond };
      results.push(row);
      console.log(`${String(appenders).padStart(9)}  ${String(row.entriesPerSecond).padStart(9)}  ${row.p50Ms.toFixed(3).padStart(7)}  ${row.p99Ms.toFixed(3).padStart(7)}   ${row.cpuMicrosPerEntry.toFixed(0).padStart(6)} (${(row.systemShare * 100).toFixed(0)}% sys)                  ${row.clientCpuMicrosPerEntry.toFixed(0).padStart(6)}              [${row.entriesPerSecondMin}–${row.entriesPerSecondMax}]`);
    }
    // Each goal is judged on its own row, whatever KEEL_BENCH_APPENDERS selected.
    const one = results.find((row) => row.appenders === 1);
    const many = results.find((row) => row.appenders === 64);
    const latencyVerdict = one ? `p50 at 1 appender ${one.p50Ms <= budgetMs ? 'meets' : 'MISSES'} the goal` : 'p50 goal at 1 appender: not measured';
    const throughputVerdict = many ? `64 appenders ${many.entriesPerSecond >= 50000 ? 'meet' : 'MISS'} the throughput goal` : 'throughput goal at 64 appenders: not measured';
    console.log(`${latencyVerdict}; ${throughputVerdict}`);
    console.log(JSON.stringify({ syncMs, roundTripMs, crossProcessRoundTripMs, budgetMs, rounds, results, client: client.stats }));
    client.close();
  } finally {
    stopping = true;
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(processes.map((child) => new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)))));
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
