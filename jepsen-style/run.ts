// `npm run jepsen -- --workload register --nemesis kill,pause,partition --time 120 --seed S`
// Runs one jepsen-style test against a local Keel cluster and writes
// jepsen-style/results/<time>/ (history.jsonl, plan.json, verdict.json, stats.json,
// chart.html, timeline.html on a linearizability failure, history.edn for list-append).
// Exit codes: 0 valid, 1 anomaly, 2 usage, 3 undecided, 4 the db layer cannot run (yet).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultHarnessLimits } from './limits.js';
import { findRepoRoot, KeelCluster, probeKeel } from './db/keel-cluster.js';
import { parseFaultKinds, FaultKind } from './nemesis/schedule.js';
import { runExitCodes, runTest } from './runner/test-run.js';
import { workloads } from './workloads/index.js';
import { CodedError } from './util/assert.js';
import { parseSeed } from './util/prng.js';

export const runUsage = `usage: npm run jepsen -- --workload register|counter|set|list-append [--nemesis kill,pause,partition,delay,reset | two-log-down | none]
         [--time SECONDS (60)] [--seed N (random)] [--interval SECONDS (10)] [--combine] [--concurrency N (10)]
         [--processes-per-key N (5)] [--recover SECONDS (10)] [--stagger MS (5)] [--results DIR]`;

export interface RunCliOptions {
  workload: string;
  faults: FaultKind[];
  timeS: number;
  seed: number;
  intervalS: number;
  combine: boolean;
  concurrency: number;
  processesPerKey: number;
  recoverS: number;
  staggerMs: number;
  resultsDir?: string;
}

export function parseRunArgs(argv: readonly string[], randomSeed: () => number = () => Math.floor(Math.random() * 2 ** 32)): RunCliOptions {
  const o: Partial<RunCliOptions> = { faults: [], timeS: 60, intervalS: 10, combine: false, concurrency: 10, processesPerKey: 5, recoverS: 10, staggerMs: 5 };
  const positive = (flag: string, text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new CodedError('USAGE', `${flag} must be a positive number, got ${JSON.stringify(text)}`);
    return n;
  };
  const integer = (flag: string, text: string): number => {
    const n = positive(flag, text);
    if (!Number.isSafeInteger(n)) throw new CodedError('USAGE', `${flag} must be an integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new CodedError('USAGE', `${flag} needs a value`);
      return v;
    };
    try {
      switch (flag) {
        case '--workload': o.workload = value(); break;
        case '--nemesis': o.faults = parseFaultKinds(value()); break;
        case '--time': o.timeS = positive(flag, value()); break;
        case '--seed': o.seed = parseSeed(value()); break;
        case '--interval': o.intervalS = positive(flag, value()); break;
        case '--combine': o.combine = true; break;
        case '--concurrency': o.concurrency = integer(flag, value()); break;
        case '--processes-per-key': o.processesPerKey = integer(flag, value()); break;
        case '--recover': o.recoverS = positive(flag, value()); break;
        case '--stagger': o.staggerMs = integer(flag, value()); break;
        case '--results': o.resultsDir = value(); break;
        default: throw new CodedError('USAGE', `unknown option ${flag}`);
      }
    } catch (e) {
      if (e instanceof CodedError) throw e;
      throw new CodedError('USAGE', (e as Error).message);
    }
  }
  if (o.workload === undefined || !(o.workload in workloads)) throw new CodedError('USAGE', `--workload must be one of ${Object.keys(workloads).join(', ')}`);
  if (o.faults!.includes('two-log-down') && o.faults!.length > 1) throw new CodedError('USAGE', 'two-log-down is a scenario of its own');
  if (o.processesPerKey! > defaultHarnessLimits.processesPerKeyMax) throw new CodedError('USAGE', `--processes-per-key at most ${defaultHarnessLimits.processesPerKeyMax}`);
  o.seed ??= randomSeed();
  return o as RunCliOptions;
}

export async function runCli(argv: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  let options: RunCliOptions;
  try {
    options = parseRunArgs(argv);
  } catch (e) {
    err(`jepsen: ${(e as Error).message}\n${runUsage}`);
    return runExitCodes.usage;
  }
  const repoRoot = findRepoRoot();
  try {
    probeKeel(repoRoot);
  } catch (e) {
    if (e instanceof CodedError && e.code === 'DB_LAYER_UNAVAILABLE') {
      err(`jepsen: ${e.message}`);
      return runExitCodes.dbUnavailable;
    }
    throw e;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = options.resultsDir ?? join(repoRoot, 'jepsen-style', 'results', stamp);
  const timeMs = options.timeS * 1000;
  const db = new KeelCluster({ runDir: resultsDir, repoRoot, stopAfterMs: timeMs + options.recoverS * 1000 + 300_000 });
  out(`jepsen: ${options.workload}, faults ${options.faults.join(',') || 'none'}, ${options.timeS} s, seed ${options.seed} -> ${resultsDir}`);
  const result = await runTest({
    db, workload: workloads[options.workload]!, faults: options.faults, seed: options.seed, timeMs, intervalMs: options.intervalS * 1000,
    combine: options.combine, concurrency: options.concurrency, processesPerKey: options.processesPerKey, recoverMs: options.recoverS * 1000,
    staggerMs: options.staggerMs, resultsDir, limits: defaultHarnessLimits, log: out,
  });
  for (const line of result.summary.lines) out(line);
  out(`stats: ${result.stats.operations} operations (${JSON.stringify(result.stats.byStatus)}), ok p50 ${result.stats.okLatency.p50Ms.toFixed(2)} ms, p99 ${result.stats.okLatency.p99Ms.toFixed(2)} ms`);
  if (result.nemesisErrors.length > 0) out(`nemesis errors: ${result.nemesisErrors.join('; ')}`);
  out(`verdict: ${result.verdict} (results in ${resultsDir})`);
  return result.exitCode;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Exit (running the supervisor's exit hook, which kills the cluster) on Ctrl-C or SIGTERM.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  runCli(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    console.error(`jepsen: ${(e as Error)?.stack ?? String(e)}`);
    process.exit(1);
  });
}
