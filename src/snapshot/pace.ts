// One byte budget for everything a snapshot job reads and writes: the newest snapshot it
// loads, the log it replays, the new snapshot it writes and the read-back that verifies it
// (`keel snapshot --bytes-per-sec`). On one host the snapshotter shares the CPUs, the disk and
// the page cache with the primary and the log nodes, and nice 19 alone does not keep it off
// their backs (src/snapshot/README.md, "Keeping off the primary's back"): pacing spreads the
// same work over a longer time, so the primary meets less of it at any moment. The decoding,
// encoding and hashing of each byte happen as it passes, so they are paced along with it.
//
// The budget is a due time: after N bytes, the job may not be ahead of start + N / rate. A job
// that fell behind (a slow disk, a busy CPU) makes up at most one second's worth of bytes at
// full speed: the start moves up when it falls more than one second behind.

import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../util/assert.js';
import type { SnapshotStore, StoredObject } from './store.js';

/** The smallest pace accepted: below it one large log entry would stall a job for minutes. */
export const PACE_BYTES_PER_SEC_MIN = 64 * 1024;
/** Streams are paced in pieces of at most this many bytes (finer than the store's 1 MiB reads). */
export const PACE_PIECE_BYTES = 64 * 1024;
/** How far behind the pace a job may fall: the rest of the lost time is forgiven, so a catch-up burst lasts at most this long. */
const CATCH_UP_MAX_MS = 1000;

export class Pace {
  private startedAtMs = performance.now();
  private bytes = 0;

  /** bytesPerSec 0: no limit (take() returns at once). */
  constructor(readonly bytesPerSec: number) {
    assert(bytesPerSec === 0 || (Number.isSafeInteger(bytesPerSec) && bytesPerSec >= PACE_BYTES_PER_SEC_MIN), `bytesPerSec must be 0 or at least ${PACE_BYTES_PER_SEC_MIN}`);
  }

  get limited(): boolean {
    return this.bytesPerSec > 0;
  }

  /** Waits until `bytes` more fit the pace. */
  async take(bytes: number): Promise<void> {
    if (!this.limited) return;
    const nowMs = performance.now();
    const dueAtMs = this.startedAtMs + (this.bytes / this.bytesPerSec) * 1000;
    if (nowMs - dueAtMs > CATCH_UP_MAX_MS) this.startedAtMs += nowMs - dueAtMs - CATCH_UP_MAX_MS;
    this.bytes += bytes;
    const waitMs = this.startedAtMs + (this.bytes / this.bytesPerSec) * 1000 - nowMs;
    if (waitMs > 0) await sleep(waitMs);
  }
}

/** The stream in pieces of at most PACE_PIECE_BYTES, each let through when the pace allows. */
export async function* paced(stream: AsyncIterable<Uint8Array>, pace: Pace): AsyncIterable<Uint8Array> {
  for await (const chunk of stream) {
    if (!pace.limited) {
      yield chunk;
      continue;
    }
    for (let offset = 0; offset < chunk.length; offset += PACE_PIECE_BYTES) {
      const piece = chunk.subarray(offset, Math.min(chunk.length, offset + PACE_PIECE_BYTES));
      await pace.take(piece.length);
      yield piece;
    }
  }
}

/** The store with every snapshot read and written through the pace (list and delete are not paced). */
export function pacedStore(store: SnapshotStore, pace: Pace): SnapshotStore {
  if (!pace.limited) return store;
  return {
    url: store.url,
    location: (name: string) => store.location(name),
    put: (name: string, body: AsyncIterable<Uint8Array>) => store.put(name, paced(body, pace)),
    get: (name: string) => paced(store.get(name), pace),
    list: (prefix: string): Promise<StoredObject[]> => store.list(prefix),
    delete: (name: string) => store.delete(name),
  };
}
