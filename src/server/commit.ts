// Where effects go to become durable. The server hands every non-empty effect batch to a
// Committer, gets back the batch's log sequence number (LSN), and holds the reply until
// `committedLsn` reaches it. The durable implementation appends to the quorum log; the
// in-memory one (no log attached) commits at once.
import type { EffectBatch } from '../engine/effects.js';

export interface Committer {
  /** Hands a batch to the log; returns the LSN it will be committed at. */
  submit(batch: EffectBatch): number;
  /** Highest LSN known to be committed (every LSN ≤ it is durable). */
  readonly committedLsn: number;
  /** Highest LSN handed out (committed or not). */
  readonly lastLsn: number;
  /** Called whenever `committedLsn` advances. */
  onCommitted(listener: (committedLsn: number) => void): void;
}

/** A replica or a loading node: it never produces effects, and nothing it says waits. */
export class ReadOnlyCommitter implements Committer {
  /** Above any LSN so that no reply ever waits; INFO shows the node's applied LSN instead (info.ts). */
  readonly committedLsn = Number.MAX_SAFE_INTEGER;
  readonly lastLsn = 0;

  submit(_batch: EffectBatch): number {
    throw new Error('a node that is not the primary produced effects');
  }

  onCommitted(_listener: (committedLsn: number) => void): void {
    // Nothing to wait for.
  }
}

/** Commits every batch immediately and keeps nothing: a node with no log attached. */
export class InMemoryCommitter implements Committer {
  private lsn = 0;

  submit(_batch: EffectBatch): number {
    return ++this.lsn;
  }

  get committedLsn(): number {
    return this.lsn;
  }

  get lastLsn(): number {
    return this.lsn;
  }

  onCommitted(_listener: (committedLsn: number) => void): void {
    // Nothing ever waits: submit() commits synchronously.
  }
}
