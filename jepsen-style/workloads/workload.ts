// A workload: what operations to generate (seeded), how to run one against the cluster, what
// to read once the faults are healed, and how to judge the history.
import type { HistoryEvent } from '../history/event.js';
import type { ClientSession } from '../client/session.js';
import type { Outcome } from '../client/outcome.js';
import type { Prng } from '../util/prng.js';
import type { Verdict } from '../checker/linearizable.js';

export interface OpRequest {
  f: string;
  key: string;
  value: unknown;
}

/** The keys one group of processes works on, with the per-key state generators need. */
export interface KeySlot {
  key: string;
  /** Operations invoked on this key so far. */
  opsInvoked: number;
  /** Last value (or element) number handed out on this key: values are unique per key. */
  lastValue: number;
  /** Recently written values (for compare-and-set expectations). */
  recent: number[];
}

export interface CheckSummary {
  verdict: Verdict;
  /** One line per finding, for the console and the results directory. */
  lines: string[];
  /** Whatever the checker returned, for results/verdict.json. */
  details: unknown;
  /** An HTML timeline of a linearizability failure, for results/timeline.html. */
  html?: string;
}

export interface Workload {
  readonly name: string;
  /** Keys used at once by one group (list-append transactions span several). */
  readonly keysPerGroup: number;
  /** After this many operations on a key, the group moves to a fresh key. */
  readonly opsPerKeyMax: number;
  nextOp(random: Prng, slots: readonly KeySlot[]): OpRequest;
  invoke(session: ClientSession, op: OpRequest): Promise<Outcome<unknown>>;
  /** Reads issued once the faults are healed (the final reads of set and counter). */
  finalOps(keys: readonly string[]): OpRequest[];
  check(events: readonly HistoryEvent[]): CheckSummary;
}
