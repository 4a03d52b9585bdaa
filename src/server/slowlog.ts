// SLOWLOG: the slowest recent commands, as Redis keeps them.
import type { Reply } from '../resp/reply.js';

interface SlowlogEntry {
  id: number;
  timestampSeconds: number;
  durationMicros: number;
  argv: string[];
  clientAddress: string;
  clientName: string;
}

const ARGS_SHOWN_MAX = 32;
const ARG_BYTES_SHOWN_MAX = 128;

export class Slowlog {
  private entries: SlowlogEntry[] = [];
  private nextId = 0;

  constructor(public slowerThanMicros: number, public entriesMax: number) {}

  /** Whether a command that took this long is logged (callers skip building its arguments). */
  isSlow(durationMicros: number): boolean {
    return this.slowerThanMicros >= 0 && durationMicros >= this.slowerThanMicros;
  }

  record(argv: string[], durationMicros: number, clientAddress: string, clientName: string): void {
    if (!this.isSlow(durationMicros)) return;
    let shown = argv.slice(0, argv.length > ARGS_SHOWN_MAX ? ARGS_SHOWN_MAX - 1 : ARGS_SHOWN_MAX).map((arg) =>
      arg.length > ARG_BYTES_SHOWN_MAX ? `${arg.slice(0, ARG_BYTES_SHOWN_MAX)}... (${arg.length - ARG_BYTES_SHOWN_MAX} more bytes)` : arg);
    if (argv.length > ARGS_SHOWN_MAX) shown = [...shown, `... (${argv.length - ARGS_SHOWN_MAX + 1} more arguments)`];
    this.entries.unshift({
      id: this.nextId++, timestampSeconds: Math.floor(Date.now() / 1000), durationMicros, argv: shown, clientAddress, clientName,
    });
    if (this.entries.length > this.entriesMax) this.entries.length = this.entriesMax;
  }

  get(count: number): Reply {
    const selected = count < 0 ? this.entries : this.entries.slice(0, count);
    return selected.map((entry) => [entry.id, entry.timestampSeconds, entry.durationMicros, entry.argv, entry.clientAddress, entry.clientName]);
  }

  get length(): number {
    return this.entries.length;
  }

  reset(): void {
    this.entries = [];
  }
}
