// Progress of a long job (snapshot, restore, backup): keys, bytes, percent, rate and ETA, as a
// line redrawn in place on a terminal and as a structured log line at most once per interval.
import type { Logger } from 'pino';

export interface ProgressSample {
  keys: number;
  bytes: number;
}

export class Progress {
  private readonly startedAtMs = Date.now();
  private lastLogMs = 0;
  private lastDrawMs = 0;
  private drawn = false;
  private last: ProgressSample = { keys: 0, bytes: 0 };

  constructor(
    private readonly phase: string,
    /** Keys expected in total (0 = unknown: no percent or ETA). */
    private readonly keysTotal: number,
    private readonly logger: Logger | null,
    private readonly intervalMs: number,
    private readonly terminal: NodeJS.WriteStream | null = process.stderr.isTTY ? process.stderr : null,
  ) {}

  update(sample: ProgressSample): void {
    this.last = sample;
    const now = Date.now();
    if (this.terminal && now - this.lastDrawMs >= 100) {
      this.lastDrawMs = now;
      this.terminal.write(`\r${this.describe(now)}\u001b[K`);
      this.drawn = true;
    }
    if (this.logger && now - this.lastLogMs >= this.intervalMs) {
      this.lastLogMs = now;
      this.logger.info(this.fields(now), `${this.phase} progress`);
    }
  }

  done(): void {
    const now = Date.now();
    if (this.terminal && this.drawn) this.terminal.write(`\r${this.describe(now)}\u001b[K\n`);
    this.logger?.info(this.fields(now), `${this.phase} done`);
  }

  fields(now = Date.now()): Record<string, number | string> {
    const seconds = Math.max(0.001, (now - this.startedAtMs) / 1000);
    const fields: Record<string, number | string> = {
      keys: this.last.keys, bytes: this.last.bytes, keysPerSecond: Math.round(this.last.keys / seconds),
      bytesPerSecond: Math.round(this.last.bytes / seconds), elapsedMs: now - this.startedAtMs,
    };
    if (this.keysTotal > 0) {
      fields.percent = Number(((100 * this.last.keys) / this.keysTotal).toFixed(1));
      const rate = this.last.keys / seconds;
      fields.etaMs = rate > 0 ? Math.round((1000 * (this.keysTotal - this.last.keys)) / rate) : -1;
    }
    return fields;
  }

  describe(now = Date.now()): string {
    const f = this.fields(now);
    const percent = f.percent === undefined ? '' : ` ${String(f.percent).padStart(5)}%`;
    const eta = f.etaMs === undefined || (f.etaMs as number) < 0 ? '' : ` ETA ${formatSeconds((f.etaMs as number) / 1000)}`;
    return `${this.phase}:${percent} ${f.keys}${this.keysTotal > 0 ? `/${this.keysTotal}` : ''} keys, ${formatBytes(f.bytes as number)}, ${formatBytes(f.bytesPerSecond as number)}/s, ${f.keysPerSecond} keys/s${eta}`;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(0)}s` : `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
