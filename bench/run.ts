// `npm run bench`: Keel side by side with redis-server on this machine, as ratios.
// Needs redis-server and redis-benchmark (apt-get install redis-server redis-tools); it
// installs nothing itself. Flags: --requests N (default 200000), --quick (20000),
// --memory-only (skip the durable rows).
import { startKeel } from '../test/helpers/server.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { findTool, formatTable, runRedisBenchmark, type BenchRow } from './redis-benchmark.js';

interface Scenario {
  title: string;
  args: string[];
}

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

async function compare(title: string, keelPort: number, redisPort: number, list: Scenario[]): Promise<void> {
  for (const scenario of list) {
    const keelRows = runRedisBenchmark(keelPort, scenario.args);
    const redisRows = runRedisBenchmark(redisPort, scenario.args);
    console.log(`\n${title}: redis-benchmark ${scenario.args.join(' ')}\n`);
    console.log(formatTable(['test', 'keel ops/s', 'redis ops/s', 'keel/redis', 'keel p50 ms', 'redis p50 ms', 'keel p99 ms', 'redis p99 ms'], keelRows.map((row: BenchRow) => {
      const other = redisRows.find((candidate) => candidate.test === row.test);
      return [row.test, Math.round(row.rps), Math.round(other?.rps ?? 0), other ? (row.rps / other.rps).toFixed(2) : '-',
        row.p50Ms.toFixed(3), other ? other.p50Ms.toFixed(3) : '-', row.p99Ms.toFixed(3), other ? other.p99Ms.toFixed(3) : '-'];
    })));
  }
}

function scenarios(requests: number): Scenario[] {
  const tests = 'set,get,incr,mset,ping';
  return [
    { title: '-c 50', args: ['-t', tests, '-c', '50', '-n', String(requests)] },
    { title: '-c 50 -P 16', args: ['-t', tests, '-c', '50', '-P', '16', '-n', String(requests)] },
    { title: '-c 1', args: ['-t', tests, '-c', '1', '-n', String(Math.max(1000, Math.floor(requests / 10)))] },
  ];
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  for (const tool of ['redis-server', 'redis-benchmark']) {
    if (!findTool(tool)) {
      console.error(`bench: ${tool} not found; install it with: apt-get install redis-server redis-tools`);
      return 2;
    }
  }
  const requestsIndex = argv.indexOf('--requests');
  const requests = requestsIndex !== -1 ? Number(argv[requestsIndex + 1]) : argv.includes('--quick') ? 20_000 : 200_000;
  // In memory: keel without a log vs redis without persistence.
  {
    const keel = await startKeel(['--log', 'none']);
    const redis = await startRedis();
    try {
      await compare('in memory (keel --log none; redis no persistence)', keel.port, redis.port, scenarios(requests));
      await compare('data types, in memory', keel.port, redis.port, dataTypeScenarios(requests));
    } finally {
      await keel.stop();
      await redis.stop();
    }
  }
  // Durable: keel's embedded log (fsync per group commit) vs redis appendfsync always.
  if (!argv.includes('--memory-only')) {
    const keel = await startKeel();
    const redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    try {
      await compare('durable (keel embedded log; redis appendonly yes, appendfsync always)', keel.port, redis.port, durableScenarios(requests));
    } finally {
      await keel.stop();
      await redis.stop();
    }
  }
  return 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
