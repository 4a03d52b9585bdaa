// Public types of the pure Raft core (log-service/raft/). The driver (LevelDB storage, TCP
// transport, state machine) codes against these; keep them stable.
//
// ─── How the driver uses the core ──────────────────────────────────────────────────────────
//
//   const core = new RaftCore(config, persisted);        // persisted = what the disk holds
//   every tickMs:             core.tick();
//   on each peer message:     core.step(message);          // any order, duplicates, stale: all fine
//   on a client write:        core.propose(bytes)          // -> {ok, index, term} | {ok:false, code}
//   whenever it may have work (after tick/step/propose/advance), loop:
//     const ready = core.ready();                          // null: nothing to do (or one outstanding)
//     if (!ready) break;
//     1. persist, in ONE synced batch (`batch(ops, {sync: true})`), in this order:
//        a. ready.snapshotToInstall: store its data and {index, term} as the snapshot, delete
//           every stored entry (the log now starts after snapshot.index);
//        b. ready.entriesToPersist (if non-empty): delete stored entries with
//           index >= ready.entriesFromIndex, then write these (a suffix may be replaced);
//        c. ready.hardState (if present): write it.
//        ready.mustSync says whether anything at all needs to be written.
//     2. only after the write is durable, send ready.messages (to message.to; losing some is
//        fine, Raft retries);
//        Two relaxations are safe and are exercised by the simulation (test/log-service/raft):
//        - if the Ready installs no snapshot and changes neither term nor votedFor, its
//          AppendEntries and Heartbeat messages may go out before the write is durable
//          (a leader replicating while it persists, Raft thesis 10.2.1: its own copy counts
//          towards a commit only after advance());
//        - a Ready whose only write is a new commitIndex may be written without sync, if a
//          crash can only lose it together with every later write (LevelDB's ordered log).
//     3. if ready.snapshotToInstall: load the state machine from its data;
//        then apply ready.committedEntries in order (data === null is a no-op entry that only
//        advances the applied index);
//     4. core.advance(ready).
//   The driver may keep calling tick/step/propose while a Ready is being persisted: ready()
//   returns null until advance() has been called for the outstanding one.
//
//   Proposal outcome: propose() returns {index, term}. The proposal succeeded iff an entry
//   with that same index AND term shows up in committedEntries. If committedEntries contains
//   that index with another term (or a snapshot is installed past it), the proposal was lost
//   (leader change) and the client must learn the outcome from the state machine.
//
//   Compaction: when the state machine's state through some index is durably saved (so that
//   snapshotProvider() can serve it and a restart can load it), call core.compact(index).
//   It drops entries <= index - compactMarginEntries from memory and returns the new
//   {index, term} compaction point (or null). The driver may then delete stored entries up
//   to that index and must store that {index, term} as `persisted.snapshot` for restarts.
//
//   Restart: pass hardState, snapshot meta and the stored entries (contiguous, starting at
//   snapshot.index + 1), and appliedIndex = the index the loaded state machine already
//   reflects (the core then re-delivers committed entries after it).

export type NodeId = string;

/** One log entry. data === null is a no-op (the leader writes one at the start of its term). */
export interface RaftEntry {
  index: number;
  term: number;
  data: Uint8Array | null;
}

/** Term, vote and commit index; persisted with sync before any message depending on them. */
export interface HardState {
  term: number;
  votedFor: NodeId | null;
  commitIndex: number;
}

/** The compaction point: every entry <= index is folded into the state-machine snapshot. */
export interface SnapshotMeta {
  index: number;
  term: number;
}

/** A state-machine snapshot: opaque bytes reflecting every entry through index. */
export interface SnapshotData extends SnapshotMeta {
  data: Uint8Array;
}

/** What the driver loads from disk at start (all empty for a brand-new node). */
export interface PersistedState {
  hardState: HardState;
  snapshot: SnapshotMeta | null;
  /** Contiguous, starting at (snapshot?.index ?? 0) + 1. */
  entries: RaftEntry[];
  /** The index the driver's state machine already reflects; default snapshot?.index ?? 0. */
  appliedIndex?: number;
}

export interface RaftConfig {
  /** This node's id; must be one of peers. */
  id: NodeId;
  /** Every voter's id, including this node (N voters, majority quorum). */
  peers: NodeId[];
  /** Election timeout is drawn uniformly from [electionTicksMin, electionTicksMax]. */
  electionTicksMin: number;
  electionTicksMax: number;
  /** A leader sends heartbeats every heartbeatTicks; must be < electionTicksMin. */
  heartbeatTicks: number;
  /** Seeded source of randomness in [0, 1); the core never calls Math.random(). */
  random: () => number;
  /** Most entries in one AppendEntries message. */
  appendEntriesMax: number;
  /** Most payload bytes in one AppendEntries message (one entry is always allowed). */
  appendBytesMax: number;
  /** Largest payload of one proposal (<= appendBytesMax). */
  entryBytesMax: number;
  /** Most AppendEntries with entries in flight to one follower (pipelining bound). */
  inflightAppendsMax: number;
  /** Most entries the leader holds uncommitted before propose() answers PROPOSALS_FULL. */
  proposalsPendingMax: number;
  /** Most payload bytes the leader holds uncommitted before PROPOSALS_FULL. */
  proposalsPendingBytesMax: number;
  /** Most committed entries handed out in one Ready. */
  committedEntriesPerReadyMax: number;
  /** Most messages queued for the next Ready; further ones are dropped (Raft retries). */
  outboxMessagesMax: number;
  /** Entries kept in memory behind the compaction request, so slightly lagging followers
   *  catch up from the log instead of a snapshot. */
  compactMarginEntries: number;
  /** A leader resends an unanswered InstallSnapshot after this many ticks. */
  snapshotRetryTicks: number;
  /** Set by the driver when this node's data directory was lost while peers have data: the
   *  node then neither votes nor campaigns until it holds, durably and committed, the
   *  current leader's log through the leader's last index as of its first message to us in
   *  this term. That covers every entry that may be committed with the acks this node gave
   *  before it lost its disk (status().votingEnabled turns true; the driver may then record
   *  that the node is whole again, e.g. write its identity file). */
  votingDisabledUntilCaughtUp: boolean;
  /** Called (synchronously) when a follower needs compacted entries: the latest durable
   *  state-machine snapshot. Its index must be >= the core's compaction point and
   *  <= commitIndex. */
  snapshotProvider: () => SnapshotData;
}

export const PROPOSE_ERROR_CODES = ['NOT_LEADER', 'PROPOSALS_FULL', 'ENTRY_TOO_LARGE'] as const;

export type ProposeResult =
  | { ok: true; index: number; term: number }
  | { ok: false; code: 'NOT_LEADER'; leaderId: NodeId | null }
  | { ok: false; code: 'PROPOSALS_FULL' }
  | { ok: false; code: 'ENTRY_TOO_LARGE' };

// ─── Messages ────────────────────────────────────────────────────────────────────────────
// Plain objects (msgpackr-encodable). Every message carries from, to and the sender's term.

interface MessageBase {
  from: NodeId;
  to: NodeId;
  term: number;
}

export interface AppendEntriesMessage extends MessageBase {
  type: 'AppendEntries';
  prevLogIndex: number;
  prevLogTerm: number;
  entries: RaftEntry[];
  leaderCommit: number;
  /** The leader's last log index (catch-up target of a node whose voting is disabled). */
  leaderLastIndex: number;
}

/** Answers AppendEntries and InstallSnapshot. */
export interface AppendEntriesResponseMessage extends MessageBase {
  type: 'AppendEntriesResponse';
  success: boolean;
  /** success: the last index known to match the leader's log. */
  matchIndex: number;
  /** rejection: the index the leader probed (its prevLogIndex) ... */
  rejectedIndex: number;
  /** ... and the follower's hint: the largest index whose term <= the leader's prevLogTerm,
   *  with that term (fast back-off: the leader skips a whole term per round trip). */
  hintIndex: number;
  hintTerm: number;
  /** The follower's last log index (lets the leader notice a follower that lost its disk). */
  lastLogIndex: number;
}

export interface HeartbeatMessage extends MessageBase {
  type: 'Heartbeat';
  /** min(follower's matchIndex, leader's commit) and its term: the follower commits it only
   *  if its own entry at that index has that term. */
  commitIndex: number;
  commitTerm: number;
  /** The leader's real commit index. */
  leaderCommit: number;
  /** The leader's last log index (catch-up target of a node whose voting is disabled). */
  leaderLastIndex: number;
  /** Every node's match index as the leader sees it (its own: its last index), so that a
   *  follower's status can show replication progress too. Informational: nothing decides on
   *  it. Absent from leaders older than this field. */
  matchIndexes?: Record<NodeId, number>;
}

export interface HeartbeatResponseMessage extends MessageBase {
  type: 'HeartbeatResponse';
  lastLogIndex: number;
}

export interface RequestVoteMessage extends MessageBase {
  type: 'RequestVote';
  /** Pre-vote: term is the term the sender would campaign in; nobody changes state. */
  preVote: boolean;
  /** The sender's campaign round, echoed in the answer: a pre-vote does not change the term,
   *  so without it a grant held back in a stalled link would count in a later round. */
  round: number;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface RequestVoteResponseMessage extends MessageBase {
  type: 'RequestVoteResponse';
  preVote: boolean;
  /** The round of the RequestVote answered. */
  round: number;
  granted: boolean;
}

export interface InstallSnapshotMessage extends MessageBase {
  type: 'InstallSnapshot';
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: Uint8Array;
  leaderCommit: number;
  /** The leader's last log index (catch-up target of a node whose voting is disabled). */
  leaderLastIndex: number;
}

export type RaftMessage =
  | AppendEntriesMessage
  | AppendEntriesResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | RequestVoteMessage
  | RequestVoteResponseMessage
  | InstallSnapshotMessage;

// ─── Ready ───────────────────────────────────────────────────────────────────────────────

export interface Ready {
  /** Present when term, vote or commit index changed since the last Ready. */
  hardState?: HardState;
  /** A snapshot received from the leader: persist it (dropping all stored entries), then load
   *  the state machine from it before applying committedEntries. */
  snapshotToInstall?: SnapshotData;
  /** Entries to write; stored entries with index >= entriesFromIndex are deleted first. */
  entriesToPersist: RaftEntry[];
  /** entriesToPersist[0].index, or null when there is nothing to write. */
  entriesFromIndex: number | null;
  /** True when any of hardState / snapshotToInstall / entriesToPersist is present. */
  mustSync: boolean;
  /** Send only after the persist above is durable. */
  messages: RaftMessage[];
  /** Committed entries to apply in order (after the persist). */
  committedEntries: RaftEntry[];
}

// ─── Status ──────────────────────────────────────────────────────────────────────────────

export type RaftRole = 'leader' | 'follower' | 'candidate';

export interface PeerProgress {
  matchIndex: number;
  nextIndex: number;
  state: 'probe' | 'replicate' | 'snapshot';
  inflightAppends: number;
  /** Heard from within the current check-quorum window. */
  recentlyActive: boolean;
}

export interface RaftStatus {
  id: NodeId;
  /** A pre-vote candidate reports 'candidate' with campaignPhase 'pre-vote'. */
  role: RaftRole;
  campaignPhase: 'pre-vote' | 'vote' | null;
  term: number;
  votedFor: NodeId | null;
  leaderId: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  /** Durably persisted through this index (as far as the core knows: advanced Readies). */
  stableIndex: number;
  lastIndex: number;
  lastTerm: number;
  /** Compaction point: entries <= snapshotIndex are no longer in memory. */
  snapshotIndex: number;
  snapshotTerm: number;
  votingEnabled: boolean;
  /** Leader only: one per other peer. */
  progress: Record<NodeId, PeerProgress>;
  /** Follower only: the match indexes and last index its leader reported in its latest
   *  Heartbeat; null until one arrives from this leader, and once the leader has been silent
   *  for more than two heartbeat intervals (the view would be stale). */
  leaderReport: { matchIndexes: Record<NodeId, number>; leaderLastIndex: number } | null;
  /** Messages dropped because the outbox was full (driver not calling ready()). */
  outboxDroppedMessages: number;
}

// ─── The core's public surface (implemented by RaftCore in raft-core.ts) ─────────────────
//   import { RaftCore } from './raft/raft-core.js';
//   new RaftCore(config: RaftConfig, persisted: PersistedState)
//   Constructor throws (RaftAssertionError) on inconsistent config or persisted state.

export interface ReadyOptions {
  /**
   * Leader: do not send AppendEntries only to tell followers of a new commit index; it rides
   * with the next entries or heartbeat instead (the driver releases it after a short delay).
   * Commit knowledge on followers is never needed for safety.
   */
  holdCommitBroadcast?: boolean;
}

export interface RaftCoreApi {
  /** Advance logical time by one tick (heartbeats, election timeouts, check-quorum). */
  tick(): void;
  /** Feed one message from a peer (messages to other ids are ignored). */
  step(message: RaftMessage): void;
  /** Leader only: append data (null = no-op) to the log. */
  propose(data: Uint8Array | null): ProposeResult;
  /** The next batch of work, or null when there is none or one is outstanding. */
  ready(options?: ReadyOptions): Ready | null;
  /** Leader: a commit index advance not yet sent to followers (held by ready()'s option). */
  commitBroadcastHeld(): boolean;
  /** Acknowledge that the Ready was persisted, sent and applied. */
  advance(ready: Ready): void;
  /**
   * Takes the queued Heartbeat and HeartbeatResponse messages of `durableTerm` (the term already
   * on disk) out of the next Ready: they depend on nothing unwritten, so the driver may send them
   * while a Ready's write is in flight (see raft-driver.ts, "liveness").
   */
  takeLivenessMessages(durableTerm: number): RaftMessage[];
  /** Drop entries <= throughIndex - compactMarginEntries (throughIndex <= appliedIndex). */
  compact(throughIndex: number): SnapshotMeta | null;
  status(): RaftStatus;
  /** Role ('precandidate' during a pre-vote), term and leader, cheap enough to read per Ready. */
  readonly roleNow: 'follower' | 'precandidate' | 'candidate' | 'leader';
  readonly termNow: number;
  readonly leaderNow: NodeId | null;
  /** The in-memory entry at index (null if compacted or beyond the log): for tests/debug. */
  entryAt(index: number): RaftEntry | null;
}
