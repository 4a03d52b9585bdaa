// The state machine at one applied index, for a follower that needs entries the Raft log no
// longer holds (InstallSnapshot). Taking it costs nothing: it is a store snapshot (LevelDB
// keeps the versions it sees) plus the logs' metadata, both taken between two batches. It is
// serialized only when a follower actually needs it, and then once.
//
// Serializing eagerly — every raftCompactEveryEntries applied entries, on every node — read,
// decoded and re-encoded every retained entry of every log: 0.2–0.5 s of event-loop time per
// 11 MB of retained log (measured), during which that node's commits and reads waited.

import { assert } from '../assert.js';
import type { StoreSnapshot } from '../store/log-store.js';
import type { LogMeta } from '../state/types.js';
import { readStateSnapshot } from './node-storage.js';

export class StateCapture {
  private bytes: Promise<Uint8Array> | null;
  private readers = 0;
  private retired = false;
  private closed: Promise<void> | null = null;

  private constructor(
    readonly index: number,
    readonly term: number,
    private readonly view: { store: StoreSnapshot; metas: ReadonlyMap<string, LogMeta> } | null,
    bytes: Uint8Array | null,
  ) {
    this.bytes = bytes ? Promise.resolve(bytes) : null;
  }

  /** The state in `store` (a snapshot taken together with `metas`) at the applied index. */
  static ofStore(index: number, term: number, store: StoreSnapshot, metas: ReadonlyMap<string, LogMeta>): StateCapture {
    return new StateCapture(index, term, { store, metas }, null);
  }

  /** State that arrived already serialized (a snapshot installed from the leader). */
  static ofBytes(index: number, term: number, bytes: Uint8Array): StateCapture {
    return new StateCapture(index, term, null, bytes);
  }

  /** The serialized state (computed on the first call). */
  data(): Promise<Uint8Array> {
    assert(!this.retired, `state capture at ${this.index} used after it was retired`);
    if (this.bytes) return this.bytes;
    const view = this.view!;
    this.readers += 1;
    this.bytes = readStateSnapshot(view.store, view.metas).finally(() => {
      this.readers -= 1;
      this.closeIfDone();
    });
    return this.bytes;
  }

  /** No further use: the store snapshot is released once a serialization in progress ends. */
  retire(): Promise<void> {
    this.retired = true;
    const inProgress = this.readers > 0 ? this.bytes : null;
    this.closeIfDone();
    if (inProgress) return inProgress.then(() => this.closed ?? undefined, () => this.closed ?? undefined);
    return this.closed ?? Promise.resolve();
  }

  private closeIfDone(): void {
    if (!this.retired || this.readers > 0 || this.closed) return;
    this.bytes = null;
    this.closed = this.view ? this.view.store.close().catch(() => undefined) : Promise.resolve();
  }
}
