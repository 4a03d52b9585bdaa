// `npm run check -- --model register|counter|set FILE` — decides whether a JSON-lines history
// is linearizable. Exit codes: 0 valid, 1 invalid, 2 bad input or usage, 3 undecided within
// the per-key search budget. On a failure it writes an HTML timeline next to the history
// (or where `--html` says).
//
// Also: `--check counter-bounds|set-full|list-append` runs the simpler lost/doubled checkers instead, and
// `--elle-edn OUT` converts a list-append history to Elle's EDN (exit 0 on success).
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { assertCheckerLimits, CheckerLimits, defaultCheckerLimits } from './limits.js';
import { parseHistory } from './history/event.js';
import { pairOperations } from './history/operation.js';
import { checkLinearizable, Verdict } from './checker/linearizable.js';
import { models } from './checker/models/index.js';
import { renderTimelineHtml } from './checker/timeline.js';
import { checkCounterBounds } from './checker/counter-bounds.js';
import { checkSetFull } from './checker/set-full.js';
import { toElleEdn } from './checker/elle-edn.js';
import { checkListAppend } from './checker/list-append.js';
import { CodedError } from './util/assert.js';

export const exitCodes = { valid: 0, invalid: 1, badInput: 2, unknown: 3 } as const;

const usage = `usage: npm run check -- --model register|counter|set [--budget STEPS] [--html OUT] [--json] FILE
       npm run check -- --check counter-bounds|set-full|list-append FILE
       npm run check -- --elle-edn OUT FILE`;

interface CliOptions {
  model?: string;
  check?: string;
  elleEdn?: string;
  html?: string;
  json: boolean;
  budgetSteps?: number;
  file: string;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const options: Partial<CliOptions> = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new CodedError('USAGE', `${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--model': options.model = value(); break;
      case '--check': options.check = value(); break;
      case '--elle-edn': options.elleEdn = value(); break;
      case '--html': options.html = value(); break;
      case '--json': options.json = true; break;
      case '--budget': {
        const steps = Number(value());
        if (!Number.isSafeInteger(steps) || steps <= 0) throw new CodedError('USAGE', '--budget must be a positive integer');
        options.budgetSteps = steps;
        break;
      }
      default:
        if (arg.startsWith('--')) throw new CodedError('USAGE', `unknown option ${arg}`);
        if (options.file !== undefined) throw new CodedError('USAGE', 'exactly one history file');
        options.file = arg;
    }
  }
  if (options.file === undefined) throw new CodedError('USAGE', 'no history file given');
  const modes = [options.model, options.check, options.elleEdn].filter((m) => m !== undefined).length;
  if (modes !== 1) throw new CodedError('USAGE', 'give exactly one of --model, --check, --elle-edn');
  if (options.model !== undefined && !(options.model in models)) throw new CodedError('USAGE', `unknown model ${options.model} (register, counter, set)`);
  if (options.check !== undefined && !['counter-bounds', 'set-full', 'list-append'].includes(options.check)) {
    throw new CodedError('USAGE', `unknown check ${options.check} (counter-bounds, set-full, list-append)`);
  }
  return options as CliOptions;
}

function exitFor(verdict: Verdict): number {
  return verdict === 'ok' ? exitCodes.valid : verdict === 'illegal' ? exitCodes.invalid : exitCodes.unknown;
}

/** Runs the CLI; returns the exit code. `out` receives the report lines. */
export function runCheckCli(argv: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): number {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    err(`check: ${(e as Error).message}\n${usage}`);
    return exitCodes.badInput;
  }
  const limits: CheckerLimits = { ...defaultCheckerLimits };
  if (options.budgetSteps !== undefined) limits.searchStepsPerKeyMax = options.budgetSteps;
  assertCheckerLimits(limits);
  try {
    const text = readFileSync(options.file, 'utf8');
    const events = parseHistory(text);
    if (options.elleEdn !== undefined) {
      writeFileSync(options.elleEdn, toElleEdn(events));
      out(`wrote ${options.elleEdn}`);
      return exitCodes.valid;
    }
    const ops = pairOperations(events);
    if (options.check === 'counter-bounds') {
      const result = checkCounterBounds(ops);
      out(options.json ? JSON.stringify(result) : `counter-bounds: ${result.verdict} (${result.reads} reads, ${result.acknowledgedAdds} acknowledged adds, ${result.unknownAdds} unknown, ${result.violations.length} violations)`);
      for (const v of result.violations.slice(0, 20)) out(`  ${v.kind} on ${JSON.stringify(v.key)}: read ${v.value} at ${v.read.call}, allowed [${v.lower}, ${v.upper}]`);
      return exitFor(result.verdict);
    }
    if (options.check === 'set-full') {
      const result = checkSetFull(ops);
      out(options.json ? JSON.stringify(result) : `set-full: ${result.verdict} (${result.acknowledgedAdds} acknowledged adds, ${result.stable} present at the end, ${result.violations.length} violations, ${result.keysWithoutFinalRead.length} keys without a final read)`);
      for (const v of result.violations.slice(0, 20)) out(`  ${v.kind} on ${JSON.stringify(v.key)}: element ${v.element} (read at ${v.read.call})`);
      return exitFor(result.verdict);
    }
    if (options.check === 'list-append') {
      const result = checkListAppend(ops);
      out(options.json ? JSON.stringify(result) : `list-append: ${result.verdict} (${result.acknowledgedAppends} acknowledged appends, ${result.violations.length} violations; run Elle on the --elle-edn export for cycles)`);
      for (const v of result.violations.slice(0, 20)) out(`  ${v.kind} on ${JSON.stringify(v.key)}: ${v.detail}`);
      return exitFor(result.verdict);
    }
    const model = models[options.model!]!;
    const result = checkLinearizable(model, ops, limits);
    if (options.json) {
      out(JSON.stringify({ model: result.model, verdict: result.verdict, opsCount: result.opsCount, steps: result.steps, elapsedMs: result.elapsedMs,
        keys: result.keys.filter((k) => k.verdict !== 'ok').map((k) => ({ key: k.key, verdict: k.verdict, steps: k.steps, failing: k.failing })) }));
    } else {
      out(`${result.model}: ${result.verdict} (${result.opsCount} operations, ${result.keys.length} keys, ${result.steps} steps, ${result.elapsedMs.toFixed(0)} ms)`);
      for (const key of result.keys) {
        if (key.verdict === 'unknown') out(`  key ${JSON.stringify(key.key)}: unknown — ${key.undecided === 'time' ? `not searched, the history's time budget of ${limits.searchMsTotalMax} ms ran out` : `search budget of ${limits.searchStepsPerKeyMax} steps exhausted`}`);
        if (key.failing === undefined) continue;
        out(`  key ${JSON.stringify(key.key)}: not linearizable; ${key.failing.minimal ? 'minimal ' : ''}failing sub-history of ${key.failing.ops.length} operations${key.failing.fromAnyState ? ' (illegal from any prior state)' : ''}:`);
        key.failing.ops.forEach((op, i) => out(`    p${op.process} [${op.call}, ${Number.isFinite(op.ret) ? op.ret : '∞'}] ${key.failing!.descriptions[i]}`));
      }
    }
    if (result.verdict !== 'ok') {
      const htmlPath = options.html ?? `${options.file}.timeline.html`;
      writeFileSync(htmlPath, renderTimelineHtml(result, options.file, limits));
      out(`timeline: ${htmlPath}`);
    }
    return exitFor(result.verdict);
  } catch (e) {
    if (e instanceof CodedError || (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
      err(`check: ${(e as Error).message}`);
      return exitCodes.badInput;
    }
    throw e;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = runCheckCli(process.argv.slice(2));
}
