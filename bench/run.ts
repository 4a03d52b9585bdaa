// `npm run bench`: Keel side by side with redis-server on this machine, as ratios.
// Needs redis-server and redis-benchmark (apt-get install redis-server redis-tools); it
// installs nothing itself. Flags: --requests N (default 200000), --quick (20000),
// --memory-only (skip the durable rows), --durable-only (skip the in-memory rows).
//
// Durable rows put two keels next to one redis-server (appendonly yes, appendfsync always),
// all in the same run: keel as a primary on three `keel log-node` processes (the real
// deployment: a write is acknowledged once a majority of log nodes has it on disk) and keel
// on its embedded single-node log (fsync on this machine only). The goals are judged on the
// three-log-node rows.
import { tmpdir } from 'node:os';
import { findTool, formatTable, runRedisBenchmark, type BenchRow } from './redis-benchmark.js';
import { Cleanup, readCounter, role, startBenchKeel, startBenchRedis, startLogNodes, waitForPrimary, type Target } from './bench-processes.js';

interface Scenario {
  title: string;
  args: string[];
}

/** One keel row next to the redis row of the same test and scenario. */
interface Compared {
  scenario: string;
  test: string;
  keel: string;
  keelRow: BenchRow;
  redisRow: BenchRow | undefined;
  warnings: string[];
}

const threeLogNodes = 'keel, 3 log nodes';
const embeddedLog = 'keel, embedded log';
// The foundation's in-memory GET ratios (README, `npm run bench -- --quick`), for the "GET unchanged" goal.
const foundationGetRatios = '0.57–0.79 at -c 50, 0.47 at -c 1';

/** Data-type rows (issue 3): list, set, hash and sorted-set commands, and LRANGE of 100…600. */
function dataTypeScenarios(requests: number): Scenario[] {
  return [{ title: '-c 50', args: ['-t', 'lpush,lpop,rpop,sadd,spop,hset,zadd,zpopmin,lrange', '-c', '50', '-n', String(requests)] }];
}

/** Durable rows: every write committed to the log (keel) / fsynced to the AOF (redis). */
function durableScenarios(requests: number): Scenario[] {
  const tests = 'set,incr';
  return [
    { title: '-c 1', args: ['-t', tests, '-c', '1', '-n', String(Math.max(500, Math.floor(requests / 40)))] },
    { title: '-c 50', args: ['-t', tests, '-c', '50', '-n', String(Math.floor(requests / 4))] },
    { title: '-c 50 -P 16', args: ['-t', tests, '-c', '50', '-P', '16', '-n', String(requests)] },
  ];
}

function scenarios(requests: number): Scenario[] {
  const tests = 'set,get,incr,mset,ping';
  return [
    { title: '-c 50', args: ['-t', tests, '-c', '50', '-n', String(requests)] },
    { title: '-c 50 -P 16', args: ['-t', tests, '-c', '50', '-P', '16', '-n', String(requests)] },
    { title: '-c 1', args: ['-t', tests, '-c', '1', '-n', String(Math.max(1000, Math.floor(requests / 10)))] },
  ];
}

// redis-benchmark counts an error reply as a reply, so a server answering -TRYAGAIN or
// -READONLY would look fast. INCR hits one key (counter:__rand_int__ without -r): every INCR
// that took effect shows in it. A primary must also still be primary after its run.
const counterKey = 'counter:__rand_int__';

async function measure(target: Target, args: string[], mustStayPrimary: boolean): Promise<{ rows: BenchRow[]; warnings: string[] }> {
  const tests = args[args.indexOf('-t') + 1]!.split(',');
  const requests = Number(args[args.indexOf('-n') + 1]);
  const before = tests.includes('incr') ? await readCounter(target.port, counterKey) : 0;
  const rows = runRedisBenchmark(target.port, args);
  const warnings: string[] = [];
  if (tests.includes('incr')) {
    const applied = (await readCounter(target.port, counterKey)) - before;
    if (applied < requests) warnings.push(`${target.label}: only ${applied} of ${requests} INCRs took effect (error replies counted as throughput)`);
  }
  if (mustStayPrimary) {
    const now = await role(target.port).catch(() => 'no answer');
    if (now !== 'master') warnings.push(`${target.label}: ROLE is ${now} after the run (stepped down; its rows are not valid)`);
  }
  return { rows, warnings };
}

const ratio = (keel: number, redis: number | undefined) => (redis ? (keel / redis).toFixed(2) : '-');
const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(3));

/**
 * Unreported requests to every target before its first measured row: V8 compiles keel's hot
 * paths during its first thousands of commands (the first row measured on a fresh keel used
 * to read slower than the same command a minute later). Redis gets the same, for symmetry.
 */
const warmUpRequests = 10_000;

function warmUp(targets: Target[], list: Scenario[]): void {
  const tests = [...new Set(list.flatMap((scenario) => scenario.args[scenario.args.indexOf('-t') + 1]!.split(',')))].join(',');
  for (const target of targets) runRedisBenchmark(target.port, ['-t', tests, '-c', '50', '-n', String(warmUpRequests)]);
}

async function compare(title: string, redis: Target, keels: Array<{ target: Target; primary: boolean }>, list: Scenario[]): Promise<Compared[]> {
  const compared: Compared[] = [];
  warmUp([redis, ...keels.map((keel) => keel.target)], list);
  for (const scenario of list) {
    const redisRun = await measure(redis, scenario.args, false);
    const keelRuns = [];
    for (const keel of keels) keelRuns.push({ label: keel.target.label, ...await measure(keel.target, scenario.args, keel.primary) });
    const rows: Compared[] = [];
    for (const redisRow of redisRun.rows) {
      for (const run of keelRuns) {
        const keelRow = run.rows.find((row) => row.test === redisRow.test);
        if (keelRow) rows.push({ scenario: `${title} ${scenario.title}`, test: redisRow.test, keel: run.label, keelRow, redisRow, warnings: run.warnings });
      }
    }
    console.log(`\n${title}, ${scenario.title}: redis-benchmark ${scenario.args.join(' ')}\n`);
    console.log(formatTable(['test', 'keel', 'keel ops/s', 'redis ops/s', 'keel/redis', 'keel p50 ms', 'redis p50 ms', 'p50 keel/redis', 'keel p99 ms', 'redis p99 ms'], rows.map((row) => [
      row.test, row.keel, Math.round(row.keelRow.rps), Math.round(row.redisRow?.rps ?? 0), ratio(row.keelRow.rps, row.redisRow?.rps),
      ms(row.keelRow.p50Ms), ms(row.redisRow?.p50Ms), ratio(row.keelRow.p50Ms, row.redisRow?.p50Ms), ms(row.keelRow.p99Ms), ms(row.redisRow?.p99Ms),
    ])));
    for (const warning of [...redisRun.warnings, ...keelRuns.flatMap((run) => run.warnings)]) console.log(`WARNING ${warning}`);
    compared.push(...rows);
  }
  return compared;
}

function find(results: Compared[], scenario: string, test: string, keel: string): Compared | undefined {
  return results.find((row) => row.scenario === scenario && row.test === test && row.keel === keel);
}

/** One line per goal of the durable-writes issue, judged on the three-log-node rows. */
function printGoals(results: Compared[], ranDurable: boolean, ranMemory: boolean): void {
  console.log('\ngoals (judged on keel with 3 log nodes vs redis appendfsync always; embedded log in brackets):');
  if (ranDurable) {
    const judge = (scenario: string, what: string, value: (row: Compared) => number | undefined, limit: string, met: (value: number) => boolean, numbers: (row: Compared) => string) => {
      const row = find(results, scenario, 'SET', threeLogNodes);
      const embedded = find(results, scenario, 'SET', embeddedLog);
      const measured = row && value(row);
      const verdict = measured === undefined || Number.isNaN(measured) ? 'NOT MEASURED' : row!.warnings.length > 0 ? 'INVALID RUN' : met(measured) ? 'met' : 'MISSED';
      const embeddedPart = embedded && value(embedded) !== undefined ? ` [embedded: ${value(embedded)!.toFixed(2)}×]` : '';
      console.log(`goal ${what} ${limit}: ${verdict} — ${row ? numbers(row) : 'no row'}${embeddedPart}`);
    };
    judge('durable -c 50', 'SET -c 50 throughput keel/redis', (row) => row.redisRow && row.keelRow.rps / row.redisRow.rps, '≥ 1.0×', (value) => value >= 1.0,
      (row) => `keel ${Math.round(row.keelRow.rps)} ops/s, redis ${Math.round(row.redisRow?.rps ?? 0)} ops/s, ${ratio(row.keelRow.rps, row.redisRow?.rps)}×`);
    judge('durable -c 1', 'SET -c 1 p50 keel/redis', (row) => row.redisRow && row.keelRow.p50Ms / row.redisRow.p50Ms, '≤ 3×', (value) => value <= 3,
      (row) => `keel p50 ${ms(row.keelRow.p50Ms)} ms, redis p50 ${ms(row.redisRow?.p50Ms)} ms, ${ratio(row.keelRow.p50Ms, row.redisRow?.p50Ms)}×`);
  } else {
    console.log('goal SET -c 50 throughput, SET -c 1 p50: not measured (--memory-only)');
  }
  if (ranMemory) {
    const at = (scenario: string) => {
      const row = find(results, scenario, 'GET', 'keel, no log');
      return row ? ratio(row.keelRow.rps, row.redisRow?.rps) : '-';
    };
    console.log(`goal GET unchanged: compare by hand — in memory keel/redis ${at('in memory -c 50')} at -c 50, ${at('in memory -c 1')} at -c 1 (foundation: ${foundationGetRatios})`);
  } else {
    console.log('goal GET unchanged: not measured (--durable-only)');
  }
}

async function main(cleanup: Cleanup): Promise<number> {
  const argv = process.argv.slice(2);
  for (const tool of ['redis-server', 'redis-benchmark']) {
    if (!findTool(tool)) {
      console.error(`bench: ${tool} not found; install it with: apt-get install redis-server redis-tools`);
      return 2;
    }
  }
  if (argv.includes('--memory-only') && argv.includes('--durable-only')) {
    console.error('bench: --memory-only and --durable-only exclude each other');
    return 2;
  }
  const requestsIndex = argv.indexOf('--requests');
  const requests = requestsIndex !== -1 ? Number(argv[requestsIndex + 1]) : argv.includes('--quick') ? 20_000 : 200_000;
  if (!Number.isInteger(requests) || requests < 1) {
    console.error(`bench: --requests wants a positive integer, not ${argv[requestsIndex + 1]}`);
    return 2;
  }
  const results: Compared[] = [];
  const ranMemory = !argv.includes('--durable-only');
  const ranDurable = !argv.includes('--memory-only');
  // In memory: keel without a log vs redis without persistence.
  if (ranMemory) {
    try {
      const redis = await startBenchRedis(cleanup, 'redis, no persistence');
      const keel = await startBenchKeel(cleanup, 'keel, no log', ['--log', 'none']);
      results.push(...await compare('in memory', redis, [{ target: keel, primary: true }], scenarios(requests)));
      results.push(...await compare('data types, in memory', redis, [{ target: keel, primary: true }], dataTypeScenarios(requests)));
    } finally {
      await cleanup.run();
    }
  }
  // Durable: keel on three log nodes and on its embedded log vs redis appendfsync always.
  if (ranDurable) {
    try {
      const redis = await startBenchRedis(cleanup, 'redis, appendfsync always', ['--appendonly', 'yes', '--appendfsync', 'always']);
      const logNodes = await startLogNodes(cleanup);
      const onLog = await startBenchKeel(cleanup, threeLogNodes, ['--log', logNodes.join(','), '--node-id', 'n1']);
      const embedded = await startBenchKeel(cleanup, embeddedLog, []);
      await waitForPrimary(onLog);
      console.log(`\ndurable rows: ${threeLogNodes} (primary n1 on log nodes ${logNodes.join(', ')}), ${embeddedLog} (single-node log in-process, fsync per group commit), redis appendonly yes, appendfsync always; data directories under ${tmpdir()} (TMPDIR moves them to another disk)`);
      results.push(...await compare('durable', redis, [{ target: onLog, primary: true }, { target: embedded, primary: true }], durableScenarios(requests)));
    } finally {
      await cleanup.run();
    }
  }
  printGoals(results, ranDurable, ranMemory);
  return 0;
}

const cleanup = new Cleanup();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void cleanup.run().finally(() => process.exit(130)); });
}
main(cleanup).then((code) => process.exit(code), async (error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  await cleanup.run();
  process.exit(1);
});
