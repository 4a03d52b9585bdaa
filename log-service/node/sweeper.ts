// Deletes stored keys that are already logically gone — a log's entries below its trim point,
// Raft entries at or below the compaction point — in small unsynced batches off the Ready
// loop, so a trim or a compaction of any size never holds up a commit.
//
// Deleting them inside the Ready loop's batch (as one range delete) stalled every commit of
// the node while LevelDB listed and deleted them (a SET probe under load saw its slowest
// reply, 84 ms, at a trim behind a snapshot). Nothing reads below those points (reads check the trim point in the
// metadata, the Raft log starts after the compaction point), so the keys only cost disk until
// they go. A range is handed over only once the metadata that hides it is written; a crash
// before the sweep ends leaves keys that the next start hands over again.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { assert } from '../assert.js';
import type { LogStore } from '../store/log-store.js';

export interface KeyRange {
  gte: Uint8Array;
  lt: Uint8Array;
}

export class Sweeper {
  private readonly queue: KeyRange[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Keys deleted so far (tests read it). */
  deletedKeys = 0;

  constructor(
    private readonly store: LogStore,
    private readonly keysPerBatch: number,
    private readonly pauseMs: number,
    private readonly logger: Logger,
  ) {
    assert(Number.isSafeInteger(keysPerBatch) && keysPerBatch > 0, 'keysPerBatch must be a positive integer');
  }

  /** Deletes every key in [gte, lt), eventually. */
  add(range: KeyRange): void {
    if (this.stopped || Buffer.compare(range.gte, range.lt) >= 0) return;
    this.queue.push({ gte: range.gte, lt: range.lt });
    this.kick();
  }

  /** Resolves once nothing is queued (tests) or the sweeper stopped. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops after the batch in progress (what is left is swept again after the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Starts a run unless one is going; a range added as a run ends starts the next one. */
  private kick(): void {
    if (this.running || this.stopped || this.queue.length === 0) return;
    this.running = this.run().finally(() => {
      this.running = null;
      this.kick();
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const range = this.queue[0]!;
        const keys = await this.store.keys({ gte: range.gte, lt: range.lt, limit: this.keysPerBatch });
        if (keys.length > 0 && !this.stopped) {
          await this.store.batch(keys.map((key) => ({ type: 'del' as const, key })), { sync: false });
          this.deletedKeys += keys.length;
        }
        if (keys.length < this.keysPerBatch) this.queue.shift();
        else range.gte = Buffer.concat([keys[keys.length - 1]!, Buffer.of(0)]); // the next key after the last one
        await sleep(this.pauseMs);
      }
    } catch (error) {
      // Only disk space is at stake: the keys are swept again after the next start.
      if (!this.stopped) this.logger.error({ err: error }, 'deleting trimmed or compacted keys failed; they stay until the next start');
      this.queue.length = 0;
    }
  }
}
