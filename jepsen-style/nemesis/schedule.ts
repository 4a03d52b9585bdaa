// A seeded fault schedule, decided before the run starts (pure: the same seed gives the same
// plan). Faults alternate with quiet periods, as Jepsen's nemesis does every ~10 s; with
// `combine`, a second fault of another kind may overlap the first. The plan never touches
// more than one log node at a time — losing two of three is a separate scenario
// (`two-log-down`), where unavailability is the expected outcome — and every fault ends
// before the run does, so the run finishes healed.
import { assert } from '../util/assert.js';
import { Prng } from '../util/prng.js';

export type FaultKind = 'kill' | 'pause' | 'partition' | 'delay' | 'reset' | 'two-log-down';

/** Which node(s) a fault hits, resolved against the cluster when the fault starts. */
export type FaultTarget =
  | 'primary' // the current primary db node
  | 'replica' // one replica db node
  | 'log-one' // one log node
  | 'log-two' // two log nodes (two-log-down only)
  | 'primary-from-logs' // partition: the primary cut from every log node
  | 'replica-from-logs' // partition: one replica cut from every log node
  | 'log-from-all' // partition: one log node cut from every other node
  | 'log-link' // partition: the links between two log nodes
  | 'all-links'; // delay: every link

export interface FaultPlan {
  kind: FaultKind;
  target: FaultTarget;
  /** delay only */
  delayMs?: number;
  jitterMs?: number;
}

export interface ScheduledFault {
  startMs: number;
  endMs: number;
  plan: FaultPlan;
}

export const faultKinds: readonly FaultKind[] = ['kill', 'pause', 'partition', 'delay', 'reset', 'two-log-down'];

const targetsByKind: Record<FaultKind, readonly FaultTarget[]> = {
  kill: ['primary', 'replica', 'log-one'],
  pause: ['primary', 'replica', 'log-one'],
  partition: ['primary-from-logs', 'replica-from-logs', 'log-from-all', 'log-link'],
  delay: ['all-links', 'log-one'],
  reset: ['log-one', 'primary-from-logs'],
  'two-log-down': ['log-two'],
};

/** How many log nodes a plan can make unavailable to the others (0, 1 or 2). */
export function logNodesAffected(plan: FaultPlan): number {
  if (plan.target === 'log-two') return 2;
  if (plan.target === 'log-one' || plan.target === 'log-from-all' || plan.target === 'log-link') return 1;
  return 0;
}

export interface ScheduleOptions {
  runMs: number;
  /** Mean length of a fault and of the quiet time between faults. */
  intervalMs: number;
  /** Allow a second, overlapping fault of another kind. */
  combine: boolean;
}

export function planSchedule(seed: number, kinds: readonly FaultKind[], options: ScheduleOptions): ScheduledFault[] {
  assert(options.intervalMs > 0 && options.runMs > 0, 'schedule needs positive run and interval lengths');
  if (kinds.length === 0) return [];
  assert(!kinds.includes('two-log-down') || kinds.length === 1, 'two-log-down is a scenario of its own');
  const random = new Prng(seed);
  const faults: ScheduledFault[] = [];
  const lastEndMs = options.runMs - options.intervalMs / 2;
  let t = options.intervalMs / 2; // a quiet start, so the cluster is serving before the first fault
  while (t < lastEndMs) {
    const kind = random.pick(kinds);
    const plan = makePlan(random, kind);
    const endMs = Math.min(t + options.intervalMs * (0.5 + random.next()), lastEndMs);
    if (endMs - t < options.intervalMs / 4) break;
    faults.push({ startMs: Math.round(t), endMs: Math.round(endMs), plan });
    if (options.combine && kinds.length > 1 && random.next() < 0.4) {
      const others = kinds.filter((k) => k !== kind && k !== 'two-log-down');
      const second = makePlan(random, random.pick(others));
      if (logNodesAffected(second) + logNodesAffected(plan) <= 1) {
        const s = t + (endMs - t) * random.next() * 0.5;
        faults.push({ startMs: Math.round(s), endMs: Math.round(Math.min(s + options.intervalMs * (0.3 + random.next() * 0.7), endMs)), plan: second });
      }
    }
    t = endMs + options.intervalMs * (0.5 + random.next() * 0.5);
  }
  assertScheduleSafe(faults, kinds.includes('two-log-down'));
  return faults.sort((a, b) => a.startMs - b.startMs);
}

function makePlan(random: Prng, kind: FaultKind): FaultPlan {
  const target = random.pick(targetsByKind[kind]);
  if (kind === 'delay') return { kind, target, delayMs: random.pick([20, 50, 100, 250]), jitterMs: random.pick([0, 10, 25]) };
  return { kind, target };
}

/** At any instant at most one log node is affected (unless the scenario is two-log-down). */
export function assertScheduleSafe(faults: readonly ScheduledFault[], twoLogDown: boolean): void {
  const limit = twoLogDown ? 2 : 1;
  for (const f of faults) {
    assert(f.startMs < f.endMs, 'a fault must end after it starts');
    let affected = 0;
    for (const g of faults) if (g.startMs <= f.startMs && f.startMs < g.endMs) affected += logNodesAffected(g.plan);
    assert(affected <= limit, `schedule affects ${affected} log nodes at ${f.startMs} ms`);
  }
}

export function parseFaultKinds(text: string): FaultKind[] {
  if (text === '' || text === 'none') return [];
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds) if (!(faultKinds as readonly string[]).includes(k)) throw new RangeError(`unknown fault ${JSON.stringify(k)} (${faultKinds.join(', ')}, none)`);
  return kinds as FaultKind[];
}
