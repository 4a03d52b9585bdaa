// A leader's apply, done ahead of commit. A committed append is answered only once it is
// applied (the outcome — LSNs, checksum, or a conflict — comes from the apply), and applying a
// batch of 64 payloads takes the leader ~150 µs on a cold cache: all of it between the
// follower's answer and the client's. So the leader applies each entry it proposes to a copy
// of its state while the disks write, and at commit takes the result instead of applying again.
//
// Why a result taken at commit is exactly what applying then would give: NamedLogs.apply reads
// and changes only the meta of the command's own log, and metas are immutable objects, replaced
// on every change. The copy starts sharing the applied state's meta objects, and a taken result
// installs its meta object in the applied state. So if the applied state holds the very object
// the speculative apply started from, that log went through the same commands in the same order,
// and the result is the same; if not (another entry of that log was applied without speculation,
// a new term, a snapshot), take() declines and the driver applies for real.

import type { RaftEntry } from '../raft/types.js';
import type { Applied, NamedLogs } from '../state/named-logs.js';
import type { LogCommand, LogMeta } from '../state/types.js';

interface Speculated {
  term: number;
  log: string;
  /** The log's meta the speculative apply started from (undefined: no such log yet). */
  before: LogMeta | undefined;
  /** The log's meta it left. */
  after: LogMeta | undefined;
  applied: Applied;
}

export class Speculation {
  /** The state ahead of commit: the applied state plus every command speculated since. */
  private logs: NamedLogs | null = null;
  private term = 0;
  private readonly results = new Map<number, Speculated>();

  /** Applies a command this leader proposed at (index, term) to the state ahead of commit; returns the result. */
  run(index: number, term: number, command: LogCommand, appliedState: NamedLogs, encoded?: Uint8Array): Applied {
    if (this.logs === null || this.term !== term) {
      this.reset();
      this.logs = appliedState.clone();
      this.term = term;
    }
    const before = this.logs.peek(command.log);
    const applied = this.logs.apply(command, { encoded });
    this.results.set(index, { term, log: command.log, before, after: this.logs.peek(command.log), applied });
    return applied;
  }

  /**
   * The result speculated for this committed entry, if it holds for `appliedState` (whose meta
   * for that log it then installs); null if there is none or it does not hold.
   */
  take(entry: RaftEntry, appliedState: NamedLogs): Applied | null {
    const speculated = this.results.get(entry.index);
    if (speculated === undefined) return null;
    this.results.delete(entry.index);
    if (speculated.term !== entry.term || appliedState.peek(speculated.log) !== speculated.before) {
      this.reset(); // the state ahead no longer follows the applied one
      return null;
    }
    if (speculated.after !== undefined && speculated.after !== speculated.before) appliedState.adopt(speculated.log, speculated.after);
    return speculated.applied;
  }

  /** Drops the state ahead (a new role or term: the proposals it covered are failed). */
  reset(): void {
    this.logs = null;
    this.results.clear();
  }

  get size(): number {
    return this.results.size;
  }
}
