// Every limit and timing of the log service, declared in one place with the unit last.
// Relationships between them are asserted at start-up by assertLogLimits().

import { assert } from './assert.js';

export interface LogLimits {
  /** Largest frame (client or peer wire), checked from the length prefix before allocating. */
  frameBytesMax: number;
  /** Largest peer frame (Raft messages, snapshots of retained entries). */
  peerFrameBytesMax: number;
  /** Largest payload of one log entry. */
  entryBytesMax: number;
  /** Largest total payload of one Append batch. */
  batchBytesMax: number;
  /** Most entries in one Append batch. */
  batchEntriesMax: number;
  /** Most Append batches one client keeps in flight at once (per log). */
  inFlightBatchesMax: number;
  /** Most entries pushed to a subscriber before it grants more credit. */
  subscriptionBufferEntriesMax: number;
  /** Bytes queued for writing on one connection before the node stops pushing to it. */
  connectionQueueBytesMax: number;
  /** Most requests one connection may have outstanding at the node. */
  connectionRequestsMax: number;
  /** Most proposals waiting for commit on the leader before new ones are refused. */
  proposalsPendingMax: number;
  /** Default and maximum entries / bytes of one Read answer. */
  readEntriesMax: number;
  readBytesMax: number;
  /** Most named logs one node hosts. */
  logsMax: number;
  /** Longest log name in bytes. */
  logNameBytesMax: number;
  /** Largest `info` a MarkSnapshot may record. */
  snapshotInfoBytesMax: number;
  /** Raft entries kept behind the applied index when compacting. */
  raftCompactMarginEntries: number;
  /** A state-machine snapshot is taken and the Raft log compacted every this many applied entries. */
  raftCompactEveryEntries: number;
  /** Most Raft entries in one AppendEntries message, and most AppendEntries in flight per follower. */
  raftAppendEntriesMax: number;
  raftInflightAppendsMax: number;
  /** Bytes queued towards one peer before further Raft messages to it are dropped (Raft resends). */
  peerQueueBytesMax: number;
  /** Most trimmed or compacted keys deleted in one background batch (see node/sweeper.ts). */
  sweepKeysPerBatch: number;
  /**
   * Bytes of checksum chains a leader keeps for its followers, and a follower for entries it
   * has not applied yet; the oldest go beyond it (those entries are hashed again). See
   * node/chain-hints.ts. One peer message carries at most this many bytes of them.
   */
  chainHintBytesMax: number;
  /**
   * LevelDB's write buffer (memtable) size: how much is written before LevelDB flushes it to a
   * table file in the background. Larger means fewer flushes and compactions competing with the
   * synced log writes on the disk; LevelDB may hold two of them in memory (one being flushed).
   */
  storeWriteBufferBytes: number;
}

export interface LogTimings {
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  /** A leader's proposal not committed within this answers QUORUM_UNAVAILABLE. */
  commitTimeoutMs: number;
  /** Client: one request without an answer fails with TIMEOUT. */
  requestTimeoutMs: number;
  /** Client: an append keeps retrying (leader changes, reconnects) this long. */
  appendTimeoutMs: number;
  reconnectBackoffMinMs: number;
  reconnectBackoffMaxMs: number;
  /**
   * A node holds the state-machine writes of committed entries (never synced, re-derivable
   * from the Raft log) this long, so they ride in the next Raft write instead of costing a
   * write of their own; reads and subscriptions see those entries once written. A follower
   * also gathers committed entries this long before it applies them (raft-driver.ts), so its
   * readers are up to twice this behind a commit.
   */
  applyWriteDelayMs: number;
  /**
   * A leader tells followers of a new commit index with the next entries (or after this long,
   * or with a heartbeat), instead of a message round of its own per commit.
   */
  commitBroadcastDelayMs: number;
  /**
   * A leader sends the followers a commit does not wait for (all but quorum − 1) their
   * AppendEntries at most this late, together; a follower a commit waits for that leaves one
   * unanswered this long is replaced (node/lazy-followers.ts).
   */
  lazyFollowerDelayMs: number;
  /** Pause between two background batches deleting trimmed or compacted keys. */
  sweepPauseMs: number;
  /** A synced write slower than this is logged (warn): a stalled disk, seen from the node. */
  slowSyncWarnMs: number;
}

export const defaultLogLimits: LogLimits = Object.freeze({
  frameBytesMax: 4 * 1024 * 1024,
  peerFrameBytesMax: 256 * 1024 * 1024,
  entryBytesMax: 1024 * 1024,
  batchBytesMax: 2 * 1024 * 1024,
  batchEntriesMax: 8192,
  inFlightBatchesMax: 8,
  subscriptionBufferEntriesMax: 4096,
  connectionQueueBytesMax: 16 * 1024 * 1024,
  connectionRequestsMax: 1024,
  proposalsPendingMax: 4096,
  readEntriesMax: 4096,
  readBytesMax: 1024 * 1024,
  logsMax: 4096,
  logNameBytesMax: 200,
  snapshotInfoBytesMax: 4096,
  raftCompactMarginEntries: 2000,
  raftCompactEveryEntries: 10000,
  raftAppendEntriesMax: 1024,
  raftInflightAppendsMax: 16,
  peerQueueBytesMax: 64 * 1024 * 1024,
  sweepKeysPerBatch: 512,
  chainHintBytesMax: 1024 * 1024,
  storeWriteBufferBytes: 32 * 1024 * 1024,
});

/** Bytes of one Raft payload carrying a full Append batch (payloads plus command overhead). */
export function raftEntryBytesMax(limits: LogLimits): number {
  return limits.batchBytesMax + limits.batchEntriesMax * frameOverheadBytesPerEntry + frameOverheadBytes;
}

/** Bytes of the largest Read answer (entries up to readBytesMax, one more entry, per-entry keys). */
export function readAnswerBytesMax(limits: LogLimits): number {
  return limits.readBytesMax + limits.entryBytesMax + limits.readEntriesMax * 128 + frameOverheadBytes;
}

export const defaultLogTimings: LogTimings = Object.freeze({
  tickMs: 50,
  electionTicks: 6, // elections time out after 300–600 ms (randomized in [electionTicks, 2×electionTicks))
  heartbeatTicks: 1,
  commitTimeoutMs: 3000,
  requestTimeoutMs: 5000,
  appendTimeoutMs: 15000,
  reconnectBackoffMinMs: 20,
  reconnectBackoffMaxMs: 1000,
  applyWriteDelayMs: 2,
  commitBroadcastDelayMs: 2,
  lazyFollowerDelayMs: 20,
  sweepPauseMs: 2,
  slowSyncWarnMs: 100,
});

/** Bytes an Append frame may add around its payloads (keys, ids, msgpack headers). */
export const frameOverheadBytesPerEntry = 64;
export const frameOverheadBytes = 4096;

export function assertLogLimits(limits: LogLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    assert(Number.isSafeInteger(value) && value > 0, `limit ${name} must be a positive integer, got ${value}`);
  }
  assert(limits.entryBytesMax <= limits.batchBytesMax, 'entryBytesMax must be <= batchBytesMax');
  assert(
    limits.batchBytesMax + limits.batchEntriesMax * frameOverheadBytesPerEntry + frameOverheadBytes <= limits.frameBytesMax,
    'a full Append batch (batchBytesMax + per-entry overhead) must fit in frameBytesMax',
  );
  assert(readAnswerBytesMax(limits) <= limits.frameBytesMax, 'a full Read answer must fit in frameBytesMax');
  assert(limits.frameBytesMax <= limits.peerFrameBytesMax, 'frameBytesMax must be <= peerFrameBytesMax');
  assert(limits.peerFrameBytesMax <= 0x7fffffff, 'peerFrameBytesMax must fit the 4-byte length prefix');
  assert(limits.connectionQueueBytesMax >= limits.frameBytesMax, 'connectionQueueBytesMax must hold one full frame');
  assert(limits.inFlightBatchesMax <= limits.connectionRequestsMax, 'inFlightBatchesMax must be <= connectionRequestsMax');
  assert(limits.raftCompactMarginEntries < limits.raftCompactEveryEntries, 'raftCompactMarginEntries must be < raftCompactEveryEntries');
  assert(2 * raftEntryBytesMax(limits) + limits.chainHintBytesMax + frameOverheadBytes <= limits.peerFrameBytesMax, 'an AppendEntries of two full batches and chainHintBytesMax of checksum chains must fit peerFrameBytesMax');
  assert(limits.peerQueueBytesMax >= limits.peerFrameBytesMax / 4, 'peerQueueBytesMax must hold several large Raft messages');
  // LevelDB silently clamps its write buffer to [64 KiB, 1 GiB]; say so instead.
  assert(limits.storeWriteBufferBytes >= 64 * 1024 && limits.storeWriteBufferBytes <= 1024 * 1024 * 1024, 'storeWriteBufferBytes must be in 64 KiB..1 GiB');
}

/** Node's timers fire after 1 ms when asked for more than this. */
const timerMsMax = 0x7fffffff;

/** What a client relies on (the Raft timings belong to the nodes). */
export function assertClientTimings(timings: LogTimings): void {
  for (const name of ['requestTimeoutMs', 'appendTimeoutMs', 'reconnectBackoffMinMs', 'reconnectBackoffMaxMs'] as const) {
    assert(Number.isSafeInteger(timings[name]) && timings[name] > 0, `timing ${name} must be a positive integer, got ${timings[name]}`);
  }
  assert(timings.reconnectBackoffMinMs <= timings.reconnectBackoffMaxMs, 'reconnect backoff min must be <= max');
}

export function assertLogTimings(timings: LogTimings): void {
  for (const [name, value] of Object.entries(timings)) {
    assert(Number.isSafeInteger(value) && value > 0, `timing ${name} must be a positive integer, got ${value}`);
    assert(value <= timerMsMax, `timing ${name} must be at most ${timerMsMax}, got ${value}`);
  }
  assert(timings.heartbeatTicks < timings.electionTicks, 'heartbeatTicks must be < electionTicks');
  assert(timings.reconnectBackoffMinMs <= timings.reconnectBackoffMaxMs, 'reconnect backoff min must be <= max');
  assert(timings.tickMs * timings.electionTicks * 2 < timings.commitTimeoutMs, 'commitTimeoutMs must exceed an election');
  assert(timings.commitTimeoutMs < timings.appendTimeoutMs, 'appendTimeoutMs must exceed commitTimeoutMs');
  assert(timings.applyWriteDelayMs < timings.tickMs, 'applyWriteDelayMs must be < tickMs (it delays reads and subscriptions)');
  assert(timings.commitBroadcastDelayMs < timings.tickMs, 'commitBroadcastDelayMs must be < tickMs (it delays followers\' reads and subscriptions)');
  assert(timings.lazyFollowerDelayMs < timings.tickMs, 'lazyFollowerDelayMs must be < tickMs (it bounds how long a stalled follower holds commits)');
}
