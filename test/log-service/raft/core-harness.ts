// Small helpers for driving RaftCore instances by hand in unit tests: a perfect driver that
// persists instantly, and a message router under the test's control.

import {
  RaftCore,
  type PersistedState,
  type RaftConfig,
  type RaftEntry,
  type RaftMessage,
  type Ready,
} from '../../../log-service/raft/index.js';
import { defaultRaftLimits } from './sim/cluster.js';
import { Rng } from './sim/rng.js';

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

export function emptyPersisted(): PersistedState {
  return { hardState: { term: 0, votedFor: null, commitIndex: 0 }, snapshot: null, entries: [] };
}

export function entries(terms: number[], firstIndex = 1): RaftEntry[] {
  return terms.map((term, offset) => ({ index: firstIndex + offset, term, data: encode(`e${firstIndex + offset}`) }));
}

export function makeConfig(id: string, peers: string[], overrides: Partial<RaftConfig> = {}): RaftConfig {
  const rng = new Rng(id.charCodeAt(0) * 31 + 7);
  return {
    ...defaultRaftLimits,
    id,
    peers,
    random: () => rng.next(),
    votingDisabledUntilCaughtUp: false,
    snapshotProvider: () => {
      throw new Error('no snapshot in this test');
    },
    ...overrides,
  };
}

export function makeCore(
  id: string,
  peers: string[],
  persisted: PersistedState = emptyPersisted(),
  overrides: Partial<RaftConfig> = {},
): RaftCore {
  return new RaftCore(makeConfig(id, peers, overrides), persisted);
}

/** Carry out every Ready at once (persist is instant); returns messages and applied entries. */
export function drain(core: RaftCore): { messages: RaftMessage[]; applied: RaftEntry[]; readies: Ready[] } {
  const messages: RaftMessage[] = [];
  const applied: RaftEntry[] = [];
  const readies: Ready[] = [];
  for (let ready = core.ready(); ready !== null; ready = core.ready()) {
    readies.push(ready);
    messages.push(...ready.messages);
    applied.push(...ready.committedEntries);
    core.advance(ready);
  }
  return { messages, applied, readies };
}

/** A hand-driven group: messages queue up until the test delivers (or drops) them. */
export class ManualGroup {
  readonly cores = new Map<string, RaftCore>();
  queue: RaftMessage[] = [];
  readonly applied = new Map<string, RaftEntry[]>();

  constructor(readonly peers: string[], overrides: Partial<RaftConfig> = {}) {
    for (const id of peers) {
      this.cores.set(id, makeCore(id, peers, emptyPersisted(), overrides));
      this.applied.set(id, []);
    }
  }

  core(id: string): RaftCore {
    return this.cores.get(id)!;
  }

  /** Drain every core's Readies into the queue. */
  flush(): void {
    for (const [id, core] of this.cores) {
      const { messages, applied } = drain(core);
      this.queue.push(...messages);
      this.applied.get(id)!.push(...applied);
    }
  }

  /** Deliver queued messages (optionally only those passing `allow`) until none is left. */
  deliverAll(allow: (message: RaftMessage) => boolean = () => true, roundsMax = 100): void {
    for (let round = 0; round < roundsMax; round++) {
      this.flush();
      if (this.queue.length === 0) return;
      const batch = this.queue;
      this.queue = [];
      for (const message of batch) if (allow(message)) this.cores.get(message.to)?.step(message);
    }
  }

  tick(count: number, allow?: (message: RaftMessage) => boolean): void {
    for (let index = 0; index < count; index++) {
      for (const core of this.cores.values()) core.tick();
      this.deliverAll(allow);
    }
  }

  leaders(): string[] {
    return [...this.cores].filter(([, core]) => core.status().role === 'leader').map(([id]) => id);
  }
}
