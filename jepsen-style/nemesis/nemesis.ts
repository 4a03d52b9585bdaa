// Carries out a fault schedule against the cluster: resolves each plan's targets when it
// starts (the primary at that moment, a random replica or log node), applies it through the db
// layer or the link proxies, and records start/stop in the history (with the concrete node
// ids) so charts can shade the intervals and readers can see what was hit.
import type { ClusterDb } from '../db/cluster.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { LinkProxy } from '../net/proxy.js';
import type { Prng } from '../util/prng.js';
import type { FaultPlan, ScheduledFault } from './schedule.js';

export interface ActiveFault {
  name: string;
  targets: string[];
  undo: () => Promise<void>;
}

function linksBetween(db: ClusterDb, a: readonly string[], b: readonly string[]): LinkProxy[] {
  const out: LinkProxy[] = [];
  for (const [name, proxy] of db.links()) {
    const [from, to] = name.split('->') as [string, string];
    if ((a.includes(from) && b.includes(to)) || (b.includes(from) && a.includes(to))) out.push(proxy);
  }
  return out;
}

export class Nemesis {
  readonly errors: string[] = [];
  private readonly active = new Set<ActiveFault>();

  constructor(private readonly db: ClusterDb, private readonly recorder: HistoryRecorder, private readonly random: Prng, private readonly log: (line: string) => void = () => {}) {}

  async start(plan: FaultPlan): Promise<ActiveFault | undefined> {
    const name = `${plan.kind}:${plan.target}`;
    try {
      const fault = await this.apply(plan, name);
      this.active.add(fault);
      this.recorder.nemesis('start', fault.name, fault.targets);
      this.log(`nemesis start ${fault.name} ${fault.targets.join(',')}`);
      return fault;
    } catch (error) {
      this.errors.push(`${name}: ${(error as Error).message}`);
      this.log(`nemesis could not start ${name}: ${(error as Error).message}`);
      return undefined;
    }
  }

  async stop(fault: ActiveFault): Promise<void> {
    if (!this.active.delete(fault)) return;
    // The fault's end is recorded before the undo begins, never after: undoing can take
    // seconds (restarting log nodes), and an operation acknowledged by the healed cluster
    // while the undo is still returning must not appear to lie inside the fault window (the
    // two-log-down check once raised a false alarm exactly so). The window may only shrink.
    this.recorder.nemesis('stop', fault.name, fault.targets);
    this.log(`nemesis stop ${fault.name} ${fault.targets.join(',')}`);
    try {
      await fault.undo();
    } catch (error) {
      this.errors.push(`undo ${fault.name}: ${(error as Error).message}`);
      this.log(`nemesis could not undo ${fault.name}: ${(error as Error).message}`);
    }
  }

  async healAll(): Promise<void> {
    for (const fault of [...this.active]) await this.stop(fault);
    for (const proxy of this.db.links().values()) proxy.heal();
  }

  /** Runs the schedule in real time from `startedAtMs` (performance.now()); stops early on abort. */
  async run(schedule: readonly ScheduledFault[], startedAtMs: number, signal: AbortSignal): Promise<void> {
    type Step = { atMs: number; begin: boolean; index: number };
    const steps: Step[] = schedule.flatMap((f, index) => [{ atMs: f.startMs, begin: true, index }, { atMs: f.endMs, begin: false, index }]);
    steps.sort((a, b) => a.atMs - b.atMs || Number(a.begin) - Number(b.begin));
    const started = new Map<number, ActiveFault>();
    for (const step of steps) {
      const waitMs = startedAtMs + step.atMs - performance.now();
      if (waitMs > 0 && !(await sleep(waitMs, signal))) break;
      if (step.begin) {
        const fault = await this.start(schedule[step.index]!.plan);
        if (fault !== undefined) started.set(step.index, fault);
      } else {
        const fault = started.get(step.index);
        if (fault !== undefined) await this.stop(fault);
      }
    }
    await this.healAll();
  }

  private async apply(plan: FaultPlan, name: string): Promise<ActiveFault> {
    const nodes = this.db.nodes();
    const dbNodes = nodes.filter((n) => n.kind === 'db').map((n) => n.id);
    const logNodes = nodes.filter((n) => n.kind === 'log').map((n) => n.id);
    const primary = async (): Promise<string> => (await this.db.primary()) ?? this.random.pick(dbNodes);
    const replica = async (): Promise<string> => {
      const p = await this.db.primary();
      const others = dbNodes.filter((id) => id !== p);
      return this.random.pick(others.length > 0 ? others : dbNodes);
    };
    const oneLog = (): string => this.random.pick(logNodes);
    const nodeTarget = async (): Promise<string[]> => {
      switch (plan.target) {
        case 'primary': return [await primary()];
        case 'replica': return [await replica()];
        case 'log-one': return [oneLog()];
        case 'log-two': { const first = oneLog(); return [first, this.random.pick(logNodes.filter((id) => id !== first))]; }
        default: throw new Error(`target ${plan.target} is not a node target`);
      }
    };
    switch (plan.kind) {
      case 'kill':
      case 'two-log-down': {
        const targets = await nodeTarget();
        for (const id of targets) await this.db.kill(id);
        return { name, targets, undo: async () => { for (const id of targets) await this.db.start(id); } };
      }
      case 'pause': {
        const targets = await nodeTarget();
        for (const id of targets) await this.db.pause(id);
        return { name, targets, undo: async () => { for (const id of targets) await this.db.resume(id); } };
      }
      case 'partition': {
        let side: string[];
        let other: string[];
        if (plan.target === 'primary-from-logs') { side = [await primary()]; other = logNodes; }
        else if (plan.target === 'replica-from-logs') { side = [await replica()]; other = logNodes; }
        else if (plan.target === 'log-from-all') { side = [oneLog()]; other = nodes.map((n) => n.id).filter((id) => id !== side[0]); }
        else if (plan.target === 'log-link') { const first = oneLog(); side = [first]; other = [this.random.pick(logNodes.filter((id) => id !== first))]; }
        else throw new Error(`target ${plan.target} is not a partition`);
        const links = linksBetween(this.db, side, other);
        for (const link of links) link.blackhole('both');
        return { name, targets: [...side, '|', ...other], undo: async () => { for (const link of links) link.heal(); } };
      }
      case 'delay': {
        const links = plan.target === 'all-links' ? [...this.db.links().values()] : linksBetween(this.db, [oneLog()], nodes.map((n) => n.id));
        for (const link of links) link.setDelay(plan.delayMs ?? 50, plan.jitterMs ?? 0);
        return { name: `${name}:${plan.delayMs ?? 50}ms`, targets: links.map((l) => l.name), undo: async () => { for (const link of links) link.heal(); } };
      }
      case 'reset': {
        const side = plan.target === 'primary-from-logs' ? [await primary()] : [oneLog()];
        const links = linksBetween(this.db, side, nodes.map((n) => n.id));
        for (const link of links) link.reset();
        return { name, targets: side, undo: async () => {} };
      }
    }
  }
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(true); }, ms);
    const onAbort = (): void => { clearTimeout(timer); resolve(false); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
