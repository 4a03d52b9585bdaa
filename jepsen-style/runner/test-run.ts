// One jepsen-style test: db + client + seeded generator + nemesis + checker + time limit.
//   1. set up the cluster (db layer)
//   2. for `timeMs`: client workers run the workload (processes grouped a few per key, keys
//      rotated) while the nemesis follows its seeded schedule
//   3. heal everything, wait `recoverMs`, run the final reads
//   4. tear down, check the history, write results/<time>/
// Everything a run does is bounded: each operation by its timeout, the whole run by
// `runMsMax` (an abort that stops workers and nemesis even if something hangs).
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once, setMaxListeners } from 'node:events';
import type { ClusterDb } from '../db/cluster.js';
import { ClientSession } from '../client/session.js';
import { HistoryRecorder } from '../history/recorder.js';
import { assertHarnessLimits, HarnessLimits } from '../limits.js';
import { Nemesis, sleep } from '../nemesis/nemesis.js';
import { FaultKind, planSchedule } from '../nemesis/schedule.js';
import { checkUnavailableWhile } from '../nemesis/unavailability.js';
import { renderPerfChart } from '../report/chart.js';
import { computeStats, RunStats } from '../report/stats.js';
import { combineVerdicts, Verdict } from '../checker/linearizable.js';
import { toElleEdn } from '../checker/elle-edn.js';
import { assert } from '../util/assert.js';
import { Prng } from '../util/prng.js';
import type { CheckSummary, KeySlot, Workload } from '../workloads/workload.js';

export interface RunOptions {
  db: ClusterDb;
  workload: Workload;
  faults: readonly FaultKind[];
  seed: number;
  timeMs: number;
  /** Mean fault length and quiet time. */
  intervalMs: number;
  combine: boolean;
  /** Client worker threads. */
  concurrency: number;
  processesPerKey: number;
  /** Wait after healing before the final reads. */
  recoverMs: number;
  /** Mean pause between one worker's operations. */
  staggerMs: number;
  resultsDir: string;
  limits: HarnessLimits;
  log?: (line: string) => void;
}

export interface RunResult {
  verdict: Verdict;
  exitCode: number;
  summary: CheckSummary;
  stats: RunStats;
  resultsDir: string;
  nemesisErrors: string[];
}

export const runExitCodes = { valid: 0, anomaly: 1, usage: 2, unknown: 3, dbUnavailable: 4 } as const;

/** The keys one group of processes shares; after `opsPerKeyMax` operations it moves on. */
class KeyGroup {
  private generation = 0;
  private slots: KeySlot[];
  readonly keysUsed: string[] = [];

  constructor(private readonly prefix: string, private readonly workload: Workload) {
    this.slots = this.freshSlots();
  }

  current(): KeySlot[] {
    if (this.slots[0]!.opsInvoked >= this.workload.opsPerKeyMax) this.slots = this.freshSlots();
    return this.slots;
  }

  private freshSlots(): KeySlot[] {
    const slots: KeySlot[] = [];
    for (let i = 0; i < this.workload.keysPerGroup; i++) {
      const key = `${this.prefix}:${this.generation}:${i}`;
      this.keysUsed.push(key);
      slots.push({ key, opsInvoked: 0, lastValue: 0, recent: [] });
    }
    this.generation++;
    return slots;
  }
}

export async function runTest(options: RunOptions): Promise<RunResult> {
  const { db, workload, limits } = options;
  assertHarnessLimits(limits);
  assert(options.processesPerKey >= 1 && options.processesPerKey <= limits.processesPerKeyMax, `processesPerKey must be in [1, ${limits.processesPerKeyMax}]`);
  assert(options.concurrency >= 1, 'concurrency must be at least 1');
  assert(options.timeMs > 0 && options.timeMs + options.recoverMs < limits.runMsMax, 'run time out of range');
  const log = options.log ?? (() => {});
  mkdirSync(options.resultsDir, { recursive: true });
  const historyFile = createWriteStream(join(options.resultsDir, 'history.jsonl'));
  const recorder = new HistoryRecorder(options.concurrency, (line) => historyFile.write(`${line}\n`));
  const random = new Prng(options.seed);
  const schedule = planSchedule(random.fork(1).nextUint32(), options.faults, { runMs: options.timeMs, intervalMs: options.intervalMs, combine: options.combine });
  writeFileSync(join(options.resultsDir, 'plan.json'), JSON.stringify({
    workload: workload.name, db: db.name, faults: options.faults, seed: options.seed, timeMs: options.timeMs, intervalMs: options.intervalMs,
    combine: options.combine, concurrency: options.concurrency, processesPerKey: options.processesPerKey, recoverMs: options.recoverMs, schedule,
  }, null, 2));

  const abort = new AbortController();
  // Every worker and the nemesis wait on this signal at once (one listener each while sleeping).
  setMaxListeners(options.concurrency + 10, abort.signal);
  const hardStop = setTimeout(() => abort.abort(), limits.runMsMax);
  hardStop.unref();
  const infoGivenUpNs = new Map<number, number>();
  const groups: KeyGroup[] = [];
  const nemesis = new Nemesis(db, recorder, random.fork(2), log);
  try {
    log(`setting up ${db.name}`);
    await db.setup();
    const t0 = performance.now();
    const nemesisDone = nemesis.run(schedule, t0, abort.signal);
    const groupCount = Math.ceil(options.concurrency / options.processesPerKey);
    for (let g = 0; g < groupCount; g++) groups.push(new KeyGroup(`jepsen:${options.seed}:${workload.name}:g${g}`, workload));

    const worker = async (thread: number): Promise<void> => {
      let process = thread;
      const session = new ClientSession(() => db.clientEndpoints(), thread, limits);
      const rng = random.fork(100 + thread);
      const group = groups[Math.floor(thread / options.processesPerKey)]!;
      try {
        while (performance.now() - t0 < options.timeMs && !abort.signal.aborted) {
          const slots = group.current();
          const op = workload.nextOp(rng, slots);
          slots[0]!.opsInvoked++;
          const open = recorder.invoke(process, op.f, op.key, op.value);
          const outcome = await workload.invoke(session, op);
          process = recorder.complete(open, outcome.type, outcome.type === 'ok' ? outcome.value : undefined);
          if (outcome.type === 'info') {
            infoGivenUpNs.set(open.index, recorder.now());
            session.drop();
          }
          // Back off after an error so a down cluster is not hammered; otherwise a short stagger.
          const pauseMs = outcome.type === 'ok' ? rng.int(0, 2 * options.staggerMs) : rng.int(50, 150);
          await sleep(pauseMs, abort.signal);
        }
      } finally {
        session.close();
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, (_, t) => worker(t)));
    abort.abort();
    await nemesisDone;
    log(`workload done; healed; recovering for ${options.recoverMs} ms`);
    await sleep(options.recoverMs, new AbortController().signal);
    await runFinalOps(options, recorder, groups.flatMap((g) => g.keysUsed));
  } finally {
    abort.abort();
    clearTimeout(hardStop);
    await nemesis.healAll();
    await db.teardown();
    historyFile.end();
    await once(historyFile, 'finish');
  }

  const events = recorder.history();
  const checkStarted = performance.now();
  let summary = workload.check(events);
  if (options.faults.includes('two-log-down')) {
    const unavailable = checkUnavailableWhile(events, (fault) => fault.startsWith('two-log-down'));
    summary = {
      verdict: combineVerdicts([summary.verdict, unavailable.verdict]),
      lines: [...summary.lines, `two-log-down: ${unavailable.verdict} (${unavailable.windows} windows; writes invoked inside: ${JSON.stringify(unavailable.insideCounts)}; acknowledged inside: ${unavailable.acknowledgedInside.length})`],
      details: { workload: summary.details, unavailability: unavailable },
      html: summary.html,
    };
  }
  // A process that died on its own (not by the nemesis) means the run did not test what it
  // claims: whatever the checkers say, the verdict can be at best `unknown`, with the reason.
  const unexpectedExits = db.unexpectedExits();
  if (unexpectedExits.length > 0) {
    summary = {
      ...summary,
      verdict: combineVerdicts([summary.verdict, 'unknown']),
      lines: [...summary.lines, `cluster processes exited unexpectedly (verdict at best unknown): ${unexpectedExits.join('; ')}`],
    };
  }
  const checkMs = Math.round(performance.now() - checkStarted);
  summary.lines.push(`checked in ${(checkMs / 1000).toFixed(1)} s`);
  const stats: RunStats = { ...computeStats(events), checkMs };
  writeFileSync(join(options.resultsDir, 'verdict.json'), JSON.stringify({ verdict: summary.verdict, checkMs, unexpectedExits, lines: summary.lines, nemesisErrors: nemesis.errors, details: summary.details }, null, 2));
  writeFileSync(join(options.resultsDir, 'stats.json'), JSON.stringify(stats, null, 2));
  writeFileSync(join(options.resultsDir, 'chart.html'), renderPerfChart({ title: `${workload.name} / ${db.name} / faults: ${options.faults.join(',') || 'none'} / seed ${options.seed}`, events, infoGivenUpNs }));
  if (summary.html !== undefined) writeFileSync(join(options.resultsDir, 'timeline.html'), summary.html);
  if (workload.name === 'list-append') writeFileSync(join(options.resultsDir, 'history.edn'), toElleEdn(events));
  const exitCode = summary.verdict === 'ok' ? runExitCodes.valid : summary.verdict === 'illegal' ? runExitCodes.anomaly : runExitCodes.unknown;
  return { verdict: summary.verdict, exitCode, summary, stats, resultsDir: options.resultsDir, nemesisErrors: nemesis.errors };
}

/** Final reads after healing: each key is read until one read succeeds (a read has no effect, so retrying it is safe), at most a few times. */
async function runFinalOps(options: RunOptions, recorder: HistoryRecorder, keys: readonly string[]): Promise<void> {
  const attemptsMax = 5;
  const session = new ClientSession(() => options.db.clientEndpoints(), 0, options.limits);
  try {
    for (const op of options.workload.finalOps(keys)) {
      for (let attempt = 0; attempt < attemptsMax; attempt++) {
        const open = recorder.invoke(recorder.freshProcessId(), op.f, op.key, op.value);
        const outcome = await options.workload.invoke(session, op);
        recorder.complete(open, outcome.type, outcome.type === 'ok' ? outcome.value : undefined);
        if (outcome.type === 'ok') break;
        session.drop();
        await sleep(200, new AbortController().signal);
      }
    }
  } finally {
    session.close();
  }
}
