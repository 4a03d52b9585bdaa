// The primary's read path (DESIGN.md §4): a reply may only reveal committed state. Every key
// with uncommitted writes maps to the highest LSN that wrote it; a command touching such keys
// waits for that LSN before its reply leaves. Commands over the whole keyspace wait for the
// highest LSN handed out. Keys are tracked by name across databases (conservative).
import type { CommandSpec } from '../commands/spec.js';
import { keyPositions } from '../commands/spec.js';
import { arityMatches, type CommandTable } from '../commands/table.js';
import type { Effect } from '../engine/effects.js';

export class DirtyKeyTracker {
  private readonly lsnByKey = new Map<string, number>();
  /** Writes in LSN order, to forget keys as their LSNs commit (bounded by what is in flight). */
  private readonly writesInOrder: { lsn: number; keys: string[] }[] = [];
  /** Effects without keys (FLUSHALL, SWAPDB…) dirty the whole keyspace. */
  private keyspaceLsn = 0;
  private lastLsn = 0;
  /** Effect name as written (e.g. 'SET') → its spec; null: resolve argv each time (subcommands, unknown). */
  private readonly specByEffectName = new Map<string, CommandSpec | null>();

  constructor(private readonly commands: CommandTable) {}

  /** Records that `effects`, committed at `lsn`, wrote their keys. */
  noteWrites(effects: Effect[], lsn: number): void {
    if (lsn > this.lastLsn) this.lastLsn = lsn;
    // Writes of one LSN share one record (a turn's commands share an entry).
    let last = this.writesInOrder[this.writesInOrder.length - 1];
    for (const effect of effects) {
      const spec = this.specOf(effect.argv);
      const positions = spec === null ? [] : keyPositions(spec, effect.argv);
      if (positions.length === 0) {
        this.keyspaceLsn = lsn;
        continue;
      }
      if (last === undefined || last.lsn !== lsn) this.writesInOrder.push((last = { lsn, keys: [] }));
      for (const position of positions) {
        const key = effect.argv[position]!;
        this.lsnByKey.set(key, lsn);
        last.keys.push(key);
      }
    }
  }

  private specOf(argv: string[]): CommandSpec | null {
    let spec = this.specByEffectName.get(argv[0]!);
    if (spec === undefined) {
      const found = this.commands.get(argv[0]!);
      spec = found !== undefined && found.subcommands === undefined ? found : null;
      this.specByEffectName.set(argv[0]!, spec);
    }
    if (spec !== null && arityMatches(spec.arity, argv.length)) return spec;
    const resolution = this.commands.resolve(argv);
    return resolution.ok ? resolution.spec : null;
  }

  /** Forgets keys whose last write is now committed. */
  pruneCommitted(committedLsn: number): void {
    let dropped = 0;
    while (dropped < this.writesInOrder.length && this.writesInOrder[dropped]!.lsn <= committedLsn) {
      for (const key of this.writesInOrder[dropped]!.keys) {
        if (this.lsnByKey.get(key)! <= committedLsn) this.lsnByKey.delete(key);
      }
      dropped++;
    }
    if (dropped > 0) this.writesInOrder.splice(0, dropped);
  }

  /**
   * The LSN a command's reply must wait for, given what is committed. `spec` null: refused
   * before running (errors reveal nothing). EXEC and whole-keyspace reads wait for everything.
   */
  waitLsnFor(spec: CommandSpec | null, argv: string[], committedLsn: number): number {
    if (this.lastLsn <= committedLsn) return 0;
    if (spec === null) return 0;
    if (spec.flags.includes('whole_keyspace') || spec.wholeKeyspaceWhen?.(argv) === true || spec.name === 'exec') return this.lastLsn;
    let wait = this.keyspaceLsn > committedLsn ? this.keyspaceLsn : 0;
    for (const position of keyPositions(spec, argv)) {
      const lsn = this.lsnByKey.get(argv[position]!);
      if (lsn !== undefined && lsn > committedLsn && lsn > wait) wait = lsn;
    }
    return wait;
  }

  /** Forgets everything (state rebuilt from the log). */
  reset(): void {
    this.lsnByKey.clear();
    this.writesInOrder.length = 0;
    this.keyspaceLsn = 0;
    this.lastLsn = 0;
  }
}
