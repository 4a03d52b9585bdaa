// `npm run bench`: Keel side by side with redis-server on this machine, as ratios.
// Needs redis-server and redis-benchmark (apt-get install redis-server redis-tools); it
// installs nothing itself. Flags: --requests N (default 200000), --quick (20000).
import { startKeel } from '../test/helpers/server.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { findTool, formatTable, runRedisBenchmark, type BenchRow } from './redis-benchmark.js';

interface Scenario {
  title: string;
  args: string[];
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
  const keel = await startKeel();
  const redis = await startRedis();
  try {
    for (const scenario of scenarios(requests)) {
      const keelRows = runRedisBenchmark(keel.port, scenario.args);
      const redisRows = runRedisBenchmark(redis.port, scenario.args);
      console.log(`\nredis-benchmark ${scenario.args.join(' ')}  (keel: in-memory, no log attached; redis: no persistence)\n`);
      console.log(formatTable(['test', 'keel ops/s', 'redis ops/s', 'keel/redis', 'keel p50 ms', 'redis p50 ms'], keelRows.map((row: BenchRow) => {
        const other = redisRows.find((candidate) => candidate.test === row.test);
        return [row.test, Math.round(row.rps), Math.round(other?.rps ?? 0), other ? (row.rps / other.rps).toFixed(2) : '-', row.p50Ms.toFixed(3), other ? other.p50Ms.toFixed(3) : '-'];
      })));
    }
  } finally {
    await keel.stop();
    await redis.stop();
  }
  return 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
