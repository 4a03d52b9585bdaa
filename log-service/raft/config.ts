// Validation of RaftConfig and of the persisted state handed to the core at start-up. Every
// limit's relationship to the others is asserted here, once, so a bad deployment fails fast.

import { raftAssert } from './raft-assert.js';
import type { PersistedState, RaftConfig } from './types.js';

function positiveInteger(value: number, name: string): void {
  raftAssert(Number.isInteger(value) && value > 0, `${name} must be a positive integer, got ${value}`);
}

export function assertRaftConfig(config: RaftConfig): void {
  raftAssert(typeof config.id === 'string' && config.id.length > 0, 'id must be a non-empty string');
  raftAssert(new Set(config.peers).size === config.peers.length, 'peers must be unique');
  raftAssert(config.peers.includes(config.id), `peers must include this node's id ${config.id}`);
  positiveInteger(config.electionTicksMin, 'electionTicksMin');
  positiveInteger(config.electionTicksMax, 'electionTicksMax');
  positiveInteger(config.heartbeatTicks, 'heartbeatTicks');
  positiveInteger(config.appendEntriesMax, 'appendEntriesMax');
  positiveInteger(config.appendBytesMax, 'appendBytesMax');
  positiveInteger(config.entryBytesMax, 'entryBytesMax');
  positiveInteger(config.inflightAppendsMax, 'inflightAppendsMax');
  positiveInteger(config.proposalsPendingMax, 'proposalsPendingMax');
  positiveInteger(config.proposalsPendingBytesMax, 'proposalsPendingBytesMax');
  positiveInteger(config.committedEntriesPerReadyMax, 'committedEntriesPerReadyMax');
  positiveInteger(config.outboxMessagesMax, 'outboxMessagesMax');
  positiveInteger(config.snapshotRetryTicks, 'snapshotRetryTicks');
  raftAssert(
    Number.isInteger(config.compactMarginEntries) && config.compactMarginEntries >= 0,
    'compactMarginEntries must be a non-negative integer',
  );
  raftAssert(
    config.electionTicksMax >= config.electionTicksMin,
    'electionTicksMax must be >= electionTicksMin',
  );
  // A follower must hear several heartbeats within one election timeout, or a healthy leader
  // gets deposed by ordinary jitter.
  raftAssert(
    config.heartbeatTicks < config.electionTicksMin,
    'heartbeatTicks must be < electionTicksMin',
  );
  raftAssert(config.entryBytesMax <= config.appendBytesMax, 'entryBytesMax must be <= appendBytesMax');
  raftAssert(
    config.entryBytesMax <= config.proposalsPendingBytesMax,
    'entryBytesMax must be <= proposalsPendingBytesMax',
  );
  // Every peer's in-flight appends plus its responses must fit in one Ready's outbox.
  raftAssert(
    config.outboxMessagesMax >= config.peers.length * (config.inflightAppendsMax + 2),
    'outboxMessagesMax must be >= peers.length * (inflightAppendsMax + 2)',
  );
  raftAssert(typeof config.random === 'function', 'random must be a function');
  raftAssert(typeof config.snapshotProvider === 'function', 'snapshotProvider must be a function');
}

export function assertPersistedState(persisted: PersistedState): void {
  const { hardState, snapshot, entries } = persisted;
  raftAssert(Number.isInteger(hardState.term) && hardState.term >= 0, 'hardState.term must be >= 0');
  const snapshotIndex = snapshot?.index ?? 0;
  const snapshotTerm = snapshot?.term ?? 0;
  raftAssert(snapshotTerm <= hardState.term, 'snapshot.term must be <= hardState.term');
  let previousTerm = snapshotTerm;
  entries.forEach((entry, offset) => {
    raftAssert(
      entry.index === snapshotIndex + 1 + offset,
      `persisted entries must be contiguous from ${snapshotIndex + 1}; got ${entry.index} at offset ${offset}`,
    );
    raftAssert(entry.term >= previousTerm, `persisted entry ${entry.index} has a decreasing term`);
    raftAssert(entry.term <= hardState.term, `persisted entry ${entry.index} has a term above hardState.term`);
    previousTerm = entry.term;
  });
  const lastIndex = snapshotIndex + entries.length;
  raftAssert(
    hardState.commitIndex <= lastIndex,
    `hardState.commitIndex ${hardState.commitIndex} is beyond the last persisted entry ${lastIndex}`,
  );
  const commitIndex = Math.max(hardState.commitIndex, snapshotIndex);
  const appliedIndex = persisted.appliedIndex ?? snapshotIndex;
  raftAssert(
    appliedIndex >= snapshotIndex && appliedIndex <= commitIndex,
    `appliedIndex ${appliedIndex} must be within [snapshot.index ${snapshotIndex}, commitIndex ${commitIndex}]`,
  );
}
