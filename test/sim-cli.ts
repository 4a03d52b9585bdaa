// `npm run test:sim -- --seeds N [--seed S] [--ticks T] [--nodes K] [--no-catch-up] [--trace E] [--verbose]`
// Runs the deterministic Raft simulation for seeds S .. S+N-1 (S defaults to 1), prints one
// summary line, and exits 1 on the first violation with its seed, how to replay it and the
// last E events (default 40). `--seeds 1 --seed S` replays exactly seed S. --no-catch-up
// restarts wiped nodes without votingDisabledUntilCaughtUp (expected to fail: it loses writes).

import { formatFailure, runSimulation } from './log-service/raft/simulation.js';

interface CliOptions {
  seeds: number;
  seed: number;
  ticks: number;
  nodes: number;
  catchUp: boolean;
  traceEvents: number;
  verbose: boolean;
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { seeds: 100, seed: 1, ticks: 3000, nodes: 3, catchUp: true, traceEvents: 40, verbose: false };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const numberAfter = (): number => {
      const value = Number(argv[++index]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`${arg} needs a non-negative integer`);
      return value;
    };
    switch (arg) {
      case '--seeds':
        options.seeds = numberAfter();
        break;
      case '--seed':
        options.seed = numberAfter();
        break;
      case '--ticks':
        options.ticks = numberAfter();
        break;
      case '--nodes':
        options.nodes = numberAfter();
        break;
      case '--trace':
        options.traceEvents = numberAfter();
        break;
      case '--no-catch-up':
        options.catchUp = false;
        break;
      case '--verbose':
        options.verbose = true;
        break;
      default:
        throw new Error(`unknown argument ${arg} (use --seeds N --seed S --ticks T --nodes K --no-catch-up --trace E --verbose)`);
    }
  }
  if (options.nodes < 1) throw new Error('--nodes must be >= 1');
  return options;
}

function main(): number {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const started = performance.now();
  let acknowledged = 0;
  let elections = 0;
  let snapshots = 0;
  let wipes = 0;
  for (let seed = options.seed; seed < options.seed + options.seeds; seed++) {
    const result = runSimulation({
      seed,
      ticks: options.ticks,
      nodeCount: options.nodes,
      votingDisabledAfterWipe: options.catchUp,
      traceEventsMax: options.traceEvents,
    });
    if (options.verbose) process.stdout.write(`seed ${seed}: ${result.ok ? 'ok' : 'FAIL'} ${JSON.stringify(result.stats)}\n`);
    if (!result.ok) {
      process.stdout.write(`${formatFailure(result)}\n`);
      process.stdout.write(`sim: FAILED at seed ${seed} after ${seed - options.seed} passing seeds\n`);
      return 1;
    }
    acknowledged += result.stats.acknowledged;
    elections += result.stats.leadersElected;
    snapshots += result.stats.snapshotsInstalled;
    wipes += result.stats.wipes;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `sim: ${options.seeds} seeds (${options.seed}..${options.seed + options.seeds - 1}) x ${options.ticks} ticks, ` +
      `${options.nodes} nodes: all safe and live; ${acknowledged} acknowledged writes, ${elections} leaders, ` +
      `${snapshots} snapshots installed, ${wipes} wipes, ${seconds}s\n`,
  );
  return 0;
}

process.exitCode = main();
