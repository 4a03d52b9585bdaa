// RaftCore: a pure, deterministic Raft state machine in the style of etcd/raft. No sockets,
// timers, clocks or Math.random(): the driver feeds it ticks and messages and carries out the
// Readies it produces (persist with sync, then send, then apply, then advance). The full
// contract for the driver is in types.ts.
//
// Features: randomized election timeouts, pre-vote, check-quorum (with the leader lease that
// makes followers ignore disruptive vote requests), a no-op entry at the start of each term,
// commit only of current-term entries by counting (Figure 8), pipelined AppendEntries with
// fast back-off, group commit (appends are flushed once per Ready), InstallSnapshot for
// followers behind the compaction point, and "voting disabled until caught up" for a node
// that lost its disk.

import { assertPersistedState, assertRaftConfig } from './config.js';
import { Progress } from './progress.js';
import { raftAssert } from './raft-assert.js';
import { RaftLog } from './raft-log.js';
import type {
  AppendEntriesMessage,
  AppendEntriesResponseMessage,
  HardState,
  HeartbeatMessage,
  HeartbeatResponseMessage,
  InstallSnapshotMessage,
  NodeId,
  PeerProgress,
  PersistedState,
  ProposeResult,
  RaftConfig,
  RaftCoreApi,
  RaftEntry,
  RaftMessage,
  RaftStatus,
  Ready,
  ReadyOptions,
  RequestVoteMessage,
  RequestVoteResponseMessage,
  SnapshotData,
  SnapshotMeta,
} from './types.js';

type InternalRole = 'follower' | 'precandidate' | 'candidate' | 'leader';

/** What the outstanding Ready handed out, so advance() knows what became durable/applied. */
interface Outstanding {
  ready: Ready;
  committedThroughIndex: number;
  snapshot: SnapshotData | null;
}

export class RaftCore implements RaftCoreApi {
  private readonly config: RaftConfig;
  private readonly id: NodeId;
  private readonly others: NodeId[];
  private readonly quorum: number;
  private readonly log: RaftLog;

  private role: InternalRole = 'follower';
  private term: number;
  private votedFor: NodeId | null;
  private leaderId: NodeId | null = null;
  /** The progress the current leader reported in its latest Heartbeat (status only). */
  private leaderReport: RaftStatus['leaderReport'] = null;
  private commitIndex: number;
  private appliedIndex: number;
  /** Committed entries through this index have been handed to the driver. */
  private appliedHandedIndex: number;

  private tickCount = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTicks = 0;
  /** Numbers this node's (pre-)campaigns; answers echo it, and only the current round's count.
   *  It starts at a random point, so an answer delayed across a restart matches nothing. */
  private campaignRound: number;
  /** Votes of the current (pre-)campaign: id -> granted. */
  private votes = new Map<NodeId, boolean>();
  private progress = new Map<NodeId, Progress>();
  /** Leader: payload bytes of entries after commitIndex (bounds proposals). */
  private uncommittedBytes = 0;
  /** Leader: appends waiting to be flushed at the next ready() (group commit). */
  private appendFlushPending = false;
  private commitBroadcastPending = false;

  private outbox: RaftMessage[] = [];
  private outboxDroppedMessages = 0;
  private lastHandedHardState: HardState;
  private snapshotToInstall: SnapshotData | null = null;
  private outstanding: Outstanding | null = null;

  private votingEnabled: boolean;
  /** A node that lost its disk also lost the vote it may have cast in the term it catches
   *  up in: it grants no real vote in that term (campaigns always move to a later term). */
  private votesRefusedThroughTerm = 0;
  /** While voting is disabled: the current term's leader's last index when it first reached
   *  us in that term. */
  private catchUpTarget: { term: number; index: number } | null = null;

  constructor(config: RaftConfig, persisted: PersistedState) {
    assertRaftConfig(config);
    assertPersistedState(persisted);
    this.config = config;
    this.id = config.id;
    this.others = config.peers.filter((peer) => peer !== config.id);
    this.quorum = Math.floor(config.peers.length / 2) + 1;
    const snapshotIndex = persisted.snapshot?.index ?? 0;
    this.log = new RaftLog(snapshotIndex, persisted.snapshot?.term ?? 0, persisted.entries);
    this.term = persisted.hardState.term;
    this.votedFor = persisted.hardState.votedFor;
    this.commitIndex = Math.max(persisted.hardState.commitIndex, snapshotIndex);
    this.appliedIndex = persisted.appliedIndex ?? snapshotIndex;
    this.appliedHandedIndex = this.appliedIndex;
    this.lastHandedHardState = { ...persisted.hardState };
    this.votingEnabled = !config.votingDisabledUntilCaughtUp;
    this.resetRandomizedElectionTicks();
    this.campaignRound = Math.floor(config.random() * 2 ** 31);
  }

  // ─── Driver inputs ───────────────────────────────────────────────────────────────────────

  tick(): void {
    this.tickCount++;
    if (this.role === 'leader') {
      this.tickLeader();
    } else {
      this.tickElection();
    }
  }

  step(message: RaftMessage): void {
    if (message.to !== this.id || !this.config.peers.includes(message.from) || message.from === this.id) return;
    if (message.term > this.term) {
      if (message.type === 'RequestVote') {
        // Leader lease (check-quorum): while we hear from a live leader, a vote request from a
        // node that merely lost contact must not depose it or bump our term.
        const inLease = this.leaderId !== null && this.electionElapsed < this.config.electionTicksMin;
        if (inLease) return;
      }
      if (message.type === 'RequestVote' && message.preVote) {
        // A pre-vote changes nobody's term.
      } else if (message.type === 'RequestVoteResponse' && message.preVote && message.granted) {
        // A granted pre-vote carries the term we would campaign in, not a real term.
      } else if (this.isFromLeader(message)) {
        this.becomeFollower(message.term, message.from);
      } else {
        this.becomeFollower(message.term, null);
      }
    } else if (message.term < this.term) {
      if (message.type === 'AppendEntries' || message.type === 'Heartbeat' || message.type === 'InstallSnapshot') {
        // A stale leader (e.g. healed from a partition): tell it our term so it steps down.
        this.send({
          type: 'HeartbeatResponse',
          from: this.id,
          to: message.from,
          term: this.term,
          lastLogIndex: this.log.lastIndex(),
        });
      } else if (message.type === 'RequestVote' && message.preVote) {
        this.send({
          type: 'RequestVoteResponse',
          from: this.id,
          to: message.from,
          term: this.term,
          preVote: true,
          round: message.round,
          granted: false,
        });
      }
      return;
    }

    switch (message.type) {
      case 'RequestVote':
        this.handleRequestVote(message);
        return;
      case 'RequestVoteResponse':
        this.handleVoteResponse(message);
        return;
      case 'AppendEntries':
      case 'Heartbeat':
      case 'InstallSnapshot':
        this.handleFromLeader(message);
        return;
      case 'AppendEntriesResponse':
        if (this.role === 'leader') this.handleAppendResponse(message);
        return;
      case 'HeartbeatResponse':
        if (this.role === 'leader') this.handleHeartbeatResponse(message);
        return;
    }
  }

  propose(data: Uint8Array | null): ProposeResult {
    if (this.role !== 'leader') return { ok: false, code: 'NOT_LEADER', leaderId: this.leaderId };
    const size = data?.length ?? 0;
    if (size > this.config.entryBytesMax) return { ok: false, code: 'ENTRY_TOO_LARGE' };
    if (
      this.log.lastIndex() - this.commitIndex >= this.config.proposalsPendingMax ||
      this.uncommittedBytes + size > this.config.proposalsPendingBytesMax
    ) {
      return { ok: false, code: 'PROPOSALS_FULL' };
    }
    const entry: RaftEntry = { index: this.log.lastIndex() + 1, term: this.term, data };
    this.appendAsLeader(entry);
    return { ok: true, index: entry.index, term: entry.term };
  }

  ready(options: ReadyOptions = {}): Ready | null {
    if (this.outstanding !== null) return null;
    const commitBroadcastDue = this.commitBroadcastPending && options.holdCommitBroadcast !== true;
    if (this.role === 'leader' && (this.appendFlushPending || commitBroadcastDue)) {
      this.broadcastAppend(this.commitBroadcastPending);
      this.appendFlushPending = false;
      this.commitBroadcastPending = false;
    }

    const hardState: HardState = { term: this.term, votedFor: this.votedFor, commitIndex: this.commitIndex };
    const hardStateChanged =
      hardState.term !== this.lastHandedHardState.term ||
      hardState.votedFor !== this.lastHandedHardState.votedFor ||
      hardState.commitIndex !== this.lastHandedHardState.commitIndex;
    const snapshot = this.snapshotToInstall;
    const entriesFromIndex = Math.max(this.log.stableIndex, this.log.snapshotIndex) + 1;
    const entriesToPersist =
      entriesFromIndex <= this.log.lastIndex() ? this.log.slice(entriesFromIndex, this.log.lastIndex()) : [];

    let committedFromIndex = this.appliedHandedIndex + 1;
    if (snapshot !== null) committedFromIndex = Math.max(committedFromIndex, snapshot.index + 1);
    raftAssert(
      committedFromIndex > this.log.snapshotIndex || committedFromIndex > this.commitIndex,
      `committed entries from ${committedFromIndex} are compacted (compaction point ${this.log.snapshotIndex})`,
    );
    const committedEntries =
      committedFromIndex <= this.commitIndex
        ? this.log.slice(committedFromIndex, this.commitIndex, this.config.committedEntriesPerReadyMax)
        : [];

    if (
      !hardStateChanged &&
      snapshot === null &&
      entriesToPersist.length === 0 &&
      this.outbox.length === 0 &&
      committedEntries.length === 0
    ) {
      return null;
    }

    const ready: Ready = {
      entriesToPersist,
      entriesFromIndex: entriesToPersist.length > 0 ? entriesFromIndex : null,
      mustSync: hardStateChanged || snapshot !== null || entriesToPersist.length > 0,
      messages: this.outbox,
      committedEntries,
    };
    if (hardStateChanged) {
      ready.hardState = hardState;
      this.lastHandedHardState = hardState;
    }
    if (snapshot !== null) ready.snapshotToInstall = snapshot;
    this.outbox = [];
    this.snapshotToInstall = null;
    this.log.persistingThroughIndex = this.log.lastIndex();
    const committedThroughIndex =
      committedEntries.length > 0
        ? committedEntries[committedEntries.length - 1]!.index
        : Math.max(this.appliedHandedIndex, snapshot?.index ?? 0);
    this.appliedHandedIndex = committedThroughIndex;
    this.outstanding = { ready, committedThroughIndex, snapshot };
    return ready;
  }

  takeLivenessMessages(durableTerm: number): RaftMessage[] {
    if (this.outbox.length === 0) return [];
    const taken: RaftMessage[] = [];
    const kept: RaftMessage[] = [];
    for (const message of this.outbox) {
      // Neither may carry a term that is not on disk yet. Otherwise they are safe before the
      // write: a heartbeat's commitIndex counts only durable matches; the in-memory
      // leaderLastIndex / lastLogIndex they carry are used only as lower bounds (a catch-up
      // target; data loss when below matchIndex; a lost append when below it) — never to
      // advance matchIndex, which only an AppendEntriesResponse sent after the write does.
      const liveness = (message.type === 'Heartbeat' || message.type === 'HeartbeatResponse') && message.term === durableTerm;
      (liveness ? taken : kept).push(message);
    }
    this.outbox = kept;
    return taken;
  }

  commitBroadcastHeld(): boolean {
    return this.role === 'leader' && this.commitBroadcastPending;
  }

  advance(ready: Ready): void {
    raftAssert(this.outstanding !== null && this.outstanding.ready === ready, 'advance() of a Ready not outstanding');
    const { committedThroughIndex, snapshot } = this.outstanding;
    this.outstanding = null;
    let stable = this.log.stableIndex;
    if (snapshot !== null && this.log.snapshotIndex === snapshot.index) stable = Math.max(stable, snapshot.index);
    if (this.log.persistingThroughIndex !== null) stable = Math.max(stable, this.log.persistingThroughIndex);
    this.log.stableIndex = Math.min(stable, this.log.lastIndex());
    this.log.persistingThroughIndex = null;
    this.appliedIndex = Math.max(this.appliedIndex, committedThroughIndex);
    if (this.role === 'leader' && this.maybeCommit()) this.commitBroadcastPending = true;
    this.maybeEnableVoting();
  }

  compact(throughIndex: number): SnapshotMeta | null {
    raftAssert(
      throughIndex <= this.appliedIndex,
      `compact(${throughIndex}) beyond the applied index ${this.appliedIndex}`,
    );
    const target = Math.min(throughIndex - this.config.compactMarginEntries, this.log.stableIndex);
    if (target <= this.log.snapshotIndex) return null;
    this.log.compact(target);
    return { index: this.log.snapshotIndex, term: this.log.snapshotTerm };
  }

  /** Role (a pre-vote told apart), term and leader, without building a whole status: read per Ready. */
  get roleNow(): InternalRole { return this.role; }
  get termNow(): number { return this.term; }
  get leaderNow(): NodeId | null { return this.leaderId; }

  status(): RaftStatus {
    const progress: Record<NodeId, PeerProgress> = {};
    if (this.role === 'leader') {
      for (const [peer, peerProgress] of this.progress) progress[peer] = peerProgress.view();
    }
    return {
      id: this.id,
      role: this.role === 'precandidate' ? 'candidate' : this.role,
      campaignPhase: this.role === 'precandidate' ? 'pre-vote' : this.role === 'candidate' ? 'vote' : null,
      term: this.term,
      votedFor: this.votedFor,
      leaderId: this.leaderId,
      commitIndex: this.commitIndex,
      appliedIndex: this.appliedIndex,
      stableIndex: this.log.stableIndex,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      snapshotIndex: this.log.snapshotIndex,
      snapshotTerm: this.log.snapshotTerm,
      votingEnabled: this.votingEnabled,
      progress,
      // Shown while the leader is heard from: a follower cut off (one that cannot vote never
      // campaigns) must not keep showing a dead leader's view.
      leaderReport: this.role === 'follower' && this.electionElapsed <= 2 * this.config.heartbeatTicks ? this.leaderReport : null,
      outboxDroppedMessages: this.outboxDroppedMessages,
    };
  }

  entryAt(index: number): RaftEntry | null {
    return this.log.entryAt(index);
  }

  // ─── Roles and elections ─────────────────────────────────────────────────────────────────

  private tickElection(): void {
    this.electionElapsed++;
    if (!this.votingEnabled) return;
    if (this.electionElapsed >= this.randomizedElectionTicks) {
      this.electionElapsed = 0;
      this.campaign(true);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicksMin) {
      this.electionElapsed = 0;
      // Check-quorum: a leader cut off from a majority steps down instead of accepting
      // proposals that can never commit.
      let active = 1;
      for (const peerProgress of this.progress.values()) {
        if (peerProgress.recentlyActive) active++;
        peerProgress.recentlyActive = false;
      }
      if (active < this.quorum) {
        this.becomeFollower(this.term, null);
        return;
      }
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      const matchIndexes = this.matchIndexes();
      for (const peer of this.others) this.sendHeartbeat(peer, matchIndexes);
    }
  }

  private resetRandomizedElectionTicks(): void {
    const { electionTicksMin, electionTicksMax, random } = this.config;
    const draw = random();
    raftAssert(draw >= 0 && draw < 1, `random() returned ${draw}, outside [0, 1)`);
    this.randomizedElectionTicks = electionTicksMin + Math.floor(draw * (electionTicksMax - electionTicksMin + 1));
  }

  private becomeFollower(term: number, leaderId: NodeId | null): void {
    raftAssert(term >= this.term, `becomeFollower(${term}) below the current term ${this.term}`);
    if (term > this.term) {
      this.term = term;
      this.votedFor = null;
    }
    this.role = 'follower';
    this.leaderId = leaderId;
    this.leaderReport = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.votes.clear();
    this.progress.clear();
    this.appendFlushPending = false;
    this.commitBroadcastPending = false;
    this.resetRandomizedElectionTicks();
  }

  /** Pre-vote first: only a node that could win (a majority would vote for it now) bumps its
   *  term, so a partitioned node rejoining cannot disrupt the group with a higher term. */
  private campaign(preVote: boolean): void {
    if (preVote) {
      this.role = 'precandidate';
      this.leaderId = null;
      this.progress.clear();
    } else {
      this.role = 'candidate';
      this.term++;
      this.votedFor = this.id;
      this.leaderId = null;
    }
    this.electionElapsed = 0;
    this.resetRandomizedElectionTicks();
    this.votes.clear();
    this.votes.set(this.id, true);
    if (this.tallyAndAct(preVote)) return;
    const campaignTerm = preVote ? this.term + 1 : this.term;
    this.campaignRound++;
    for (const peer of this.others) {
      this.send({
        type: 'RequestVote',
        from: this.id,
        to: peer,
        term: campaignTerm,
        preVote,
        round: this.campaignRound,
        lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(),
      });
    }
  }

  /** Counts the votes; on a decision changes role and returns true. */
  private tallyAndAct(preVote: boolean): boolean {
    let granted = 0;
    let rejected = 0;
    for (const vote of this.votes.values()) {
      if (vote) granted++;
      else rejected++;
    }
    if (granted >= this.quorum) {
      if (preVote) this.campaign(false);
      else this.becomeLeader();
      return true;
    }
    if (rejected >= this.quorum) {
      this.becomeFollower(this.term, null);
      return true;
    }
    return false;
  }

  private handleRequestVote(message: RequestVoteMessage): void {
    // Here message.term >= this.term (and, unless a pre-vote, == after the term check).
    const canVote =
      this.votedFor === message.from ||
      (this.votedFor === null && this.leaderId === null) ||
      (message.preVote && message.term > this.term);
    const lastTerm = this.log.lastTerm();
    const upToDate =
      message.lastLogTerm > lastTerm || (message.lastLogTerm === lastTerm && message.lastLogIndex >= this.log.lastIndex());
    const refusedTerm = !message.preVote && message.term <= this.votesRefusedThroughTerm;
    const granted = this.votingEnabled && canVote && upToDate && !refusedTerm;
    if (granted && !message.preVote) {
      this.electionElapsed = 0;
      this.votedFor = message.from;
    }
    this.send({
      type: 'RequestVoteResponse',
      from: this.id,
      to: message.from,
      term: granted ? message.term : this.term,
      preVote: message.preVote,
      round: message.round,
      granted,
    });
  }

  private handleVoteResponse(message: RequestVoteResponseMessage): void {
    if (message.round !== this.campaignRound) return; // an answer to an earlier round
    if (message.preVote) {
      if (this.role !== 'precandidate') return;
      if (message.granted && message.term !== this.term + 1) return;
    } else {
      if (this.role !== 'candidate' || message.term !== this.term) return;
    }
    if (!this.votes.has(message.from)) this.votes.set(message.from, message.granted);
    this.tallyAndAct(message.preVote);
  }

  private becomeLeader(): void {
    raftAssert(this.role === 'candidate', `becomeLeader from ${this.role}`);
    this.role = 'leader';
    this.leaderId = this.id;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.votes.clear();
    this.progress.clear();
    for (const peer of this.others) {
      this.progress.set(peer, new Progress(this.log.lastIndex() + 1, this.config.inflightAppendsMax));
    }
    this.uncommittedBytes = 0;
    for (let index = this.commitIndex + 1; index <= this.log.lastIndex(); index++) {
      this.uncommittedBytes += this.log.entryAt(index)?.data?.length ?? 0;
    }
    // The no-op of the new term: entries of earlier terms commit only once an entry of the
    // current term commits after them (Figure 8), so the leader learns its commit index fast.
    this.appendAsLeader({ index: this.log.lastIndex() + 1, term: this.term, data: null });
  }

  private isFromLeader(message: RaftMessage): boolean {
    return message.type === 'AppendEntries' || message.type === 'Heartbeat' || message.type === 'InstallSnapshot';
  }

  // ─── Follower side of replication ───────────────────────────────────────────────────────

  private handleFromLeader(message: AppendEntriesMessage | HeartbeatMessage | InstallSnapshotMessage): void {
    // message.term === this.term here.
    raftAssert(
      this.role !== 'leader',
      `two leaders in term ${this.term}: ${this.id} and ${message.from}`,
    );
    if (this.role !== 'follower' || this.leaderId !== message.from) this.becomeFollower(message.term, message.from);
    this.electionElapsed = 0;
    if (!this.votingEnabled && this.catchUpTarget?.term !== this.term) {
      this.catchUpTarget = { term: this.term, index: message.leaderLastIndex };
    }
    switch (message.type) {
      case 'AppendEntries':
        this.handleAppendEntries(message);
        break;
      case 'Heartbeat':
        if (message.commitIndex > this.commitIndex && this.log.matchTerm(message.commitIndex, message.commitTerm)) {
          this.commitTo(message.commitIndex);
        }
        this.leaderReport = message.matchIndexes === undefined ? null : { matchIndexes: message.matchIndexes, leaderLastIndex: message.leaderLastIndex };
        this.send({
          type: 'HeartbeatResponse',
          from: this.id,
          to: message.from,
          term: this.term,
          lastLogIndex: this.log.lastIndex(),
        });
        break;
      case 'InstallSnapshot':
        this.handleInstallSnapshot(message);
        break;
    }
  }

  private handleAppendEntries(message: AppendEntriesMessage): void {
    const respond = (fields: Partial<AppendEntriesResponseMessage> & { success: boolean }): void => {
      this.send({
        type: 'AppendEntriesResponse',
        from: this.id,
        to: message.from,
        term: this.term,
        matchIndex: 0,
        rejectedIndex: 0,
        hintIndex: 0,
        hintTerm: 0,
        lastLogIndex: this.log.lastIndex(),
        ...fields,
      });
    };
    let { prevLogIndex, prevLogTerm, entries } = message;
    if (prevLogIndex < this.commitIndex) {
      // Everything through our commit index already matches the leader (and may be compacted
      // here): skip the entries we have committed and match at the commit index instead.
      const skip = this.commitIndex - prevLogIndex;
      if (entries.length <= skip) {
        respond({ success: true, matchIndex: this.commitIndex });
        return;
      }
      prevLogIndex = this.commitIndex;
      prevLogTerm = entries[skip - 1]!.term;
      entries = entries.slice(skip);
    }
    if (this.log.matchTerm(prevLogIndex, prevLogTerm)) {
      const lastNewIndex = prevLogIndex + entries.length;
      const conflictIndex = this.log.findConflict(entries);
      if (conflictIndex !== 0) {
        raftAssert(
          conflictIndex > this.commitIndex,
          `leader ${message.from} overwrites committed entry ${conflictIndex} (commit ${this.commitIndex})`,
        );
        this.log.truncateAndAppend(entries.slice(conflictIndex - prevLogIndex - 1));
      }
      this.commitTo(Math.min(message.leaderCommit, lastNewIndex));
      respond({ success: true, matchIndex: lastNewIndex });
      return;
    }
    raftAssert(
      prevLogIndex === message.prevLogIndex,
      `leader ${message.from}'s entry ${prevLogIndex} differs from our committed one`,
    );
    const [hintIndex, hintTerm] = this.log.findConflictByTerm(
      Math.min(message.prevLogIndex, this.log.lastIndex()),
      message.prevLogTerm,
    );
    respond({ success: false, rejectedIndex: message.prevLogIndex, hintIndex, hintTerm });
  }

  private handleInstallSnapshot(message: InstallSnapshotMessage): void {
    const { lastIncludedIndex: index, lastIncludedTerm: term } = message;
    let matchIndex: number;
    if (index <= this.commitIndex) {
      matchIndex = this.commitIndex;
    } else if (this.log.matchTerm(index, term)) {
      // We already hold the entries: just learn that they are committed.
      this.commitTo(index);
      matchIndex = index;
    } else {
      this.log.restore(index, term, this.commitIndex);
      this.snapshotToInstall = { index, term, data: message.data };
      this.commitIndex = index;
      matchIndex = index;
    }
    this.send({
      type: 'AppendEntriesResponse',
      from: this.id,
      to: message.from,
      term: this.term,
      success: true,
      matchIndex,
      rejectedIndex: 0,
      hintIndex: 0,
      hintTerm: 0,
      lastLogIndex: this.log.lastIndex(),
    });
  }

  private commitTo(index: number): void {
    if (index <= this.commitIndex) return;
    raftAssert(index <= this.log.lastIndex(), `commit ${index} beyond the last index ${this.log.lastIndex()}`);
    this.commitIndex = index;
  }

  /** A node that lost its disk may vote again once it durably holds, committed, the current
   *  leader's log through that leader's last index when it first reached us in this term.
   *  Every entry that was, or may still be, committed with an acknowledgement we gave before
   *  the loss is at or below that index: the leader sent it to us earlier, or (if another
   *  leader did) it is in this leader's log, since this leader was elected without our vote
   *  by a quorum that intersects every quorum that stored it. The same leader's no-op comes
   *  before that index too, so a commit at or past it is a commit in this term. */
  private maybeEnableVoting(): void {
    if (this.votingEnabled || this.role !== 'follower' || this.leaderId === null) return;
    if (this.catchUpTarget === null || this.catchUpTarget.term !== this.term) return;
    if (this.snapshotToInstall !== null || this.log.stableIndex < this.commitIndex) return;
    if (this.commitIndex >= this.catchUpTarget.index && this.log.term(this.commitIndex) === this.term) {
      this.votingEnabled = true;
      this.votesRefusedThroughTerm = this.term;
      this.catchUpTarget = null;
    }
  }

  // ─── Leader side of replication ─────────────────────────────────────────────────────────

  private appendAsLeader(entry: RaftEntry): void {
    this.log.append(entry);
    this.uncommittedBytes += entry.data?.length ?? 0;
    this.appendFlushPending = true;
    // A single-node group commits on its own durable write (see advance()).
  }

  private broadcastAppend(sendIfEmpty: boolean): void {
    for (const peer of this.others) {
      if (this.sendAppend(peer, sendIfEmpty)) while (this.sendAppend(peer, false));
    }
  }

  /** Sends the next AppendEntries (or an InstallSnapshot) to peer; true if entries went out. */
  private sendAppend(peer: NodeId, sendIfEmpty: boolean): boolean {
    const peerProgress = this.progress.get(peer)!;
    if (peerProgress.isPaused()) return false;
    const prevLogIndex = peerProgress.nextIndex - 1;
    raftAssert(prevLogIndex <= this.log.lastIndex(), `${peer}'s next index ${prevLogIndex + 1} is past our log`);
    const prevLogTerm = this.log.term(prevLogIndex);
    if (prevLogTerm === undefined) {
      this.sendSnapshot(peer, peerProgress);
      return false;
    }
    const entries = this.log.slice(
      peerProgress.nextIndex,
      this.log.lastIndex(),
      this.config.appendEntriesMax,
      this.config.appendBytesMax,
    );
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({
      type: 'AppendEntries',
      from: this.id,
      to: peer,
      term: this.term,
      prevLogIndex,
      prevLogTerm,
      entries,
      leaderCommit: this.commitIndex,
      leaderLastIndex: this.log.lastIndex(),
    });
    if (peerProgress.state === 'replicate') {
      if (entries.length > 0) peerProgress.sentEntries(entries[entries.length - 1]!.index);
    } else {
      peerProgress.probeSent = true;
    }
    return entries.length > 0;
  }

  private sendSnapshot(peer: NodeId, peerProgress: Progress): void {
    const snapshot = this.config.snapshotProvider();
    raftAssert(
      snapshot.index >= this.log.snapshotIndex && snapshot.index <= this.commitIndex,
      `snapshotProvider() gave index ${snapshot.index}, outside [${this.log.snapshotIndex}, ${this.commitIndex}]`,
    );
    raftAssert(
      this.log.term(snapshot.index) === undefined || this.log.term(snapshot.index) === snapshot.term,
      `snapshotProvider() gave term ${snapshot.term} at ${snapshot.index}, the log has ${this.log.term(snapshot.index)}`,
    );
    this.send({
      type: 'InstallSnapshot',
      from: this.id,
      to: peer,
      term: this.term,
      lastIncludedIndex: snapshot.index,
      lastIncludedTerm: snapshot.term,
      data: snapshot.data,
      leaderCommit: this.commitIndex,
      leaderLastIndex: this.log.lastIndex(),
    });
    peerProgress.becomeSnapshot(snapshot.index, this.tickCount);
  }

  private sendHeartbeat(peer: NodeId, matchIndexes: Record<NodeId, number>): void {
    const peerProgress = this.progress.get(peer)!;
    let commitIndex = Math.min(peerProgress.matchIndex, this.commitIndex);
    let commitTerm = this.log.term(commitIndex);
    if (commitTerm === undefined) {
      commitIndex = 0;
      commitTerm = 0;
    }
    this.send({
      type: 'Heartbeat',
      from: this.id,
      to: peer,
      term: this.term,
      commitIndex,
      commitTerm,
      leaderCommit: this.commitIndex,
      leaderLastIndex: this.log.lastIndex(),
      matchIndexes,
    });
  }

  /** Every node's match index as this leader sees it, its own being its last index. */
  private matchIndexes(): Record<NodeId, number> {
    const indexes: Record<NodeId, number> = { [this.id]: this.log.lastIndex() };
    for (const [peer, peerProgress] of this.progress) indexes[peer] = peerProgress.matchIndex;
    return indexes;
  }

  private handleAppendResponse(message: AppendEntriesResponseMessage): void {
    const peerProgress = this.progress.get(message.from);
    if (peerProgress === undefined) return;
    peerProgress.recentlyActive = true;
    if (!message.success) {
      if (message.lastLogIndex < peerProgress.matchIndex) {
        peerProgress.resetAfterDataLoss(message.lastLogIndex);
        this.sendAppend(message.from, true);
        return;
      }
      // Fast back-off: skip every entry of a term the follower cannot have.
      const [nextProbeIndex] = this.log.findConflictByTerm(message.hintIndex, message.hintTerm);
      if (peerProgress.maybeDecrTo(message.rejectedIndex, nextProbeIndex)) {
        if (peerProgress.state === 'replicate') peerProgress.becomeProbe();
        this.sendAppend(message.from, true);
      }
      return;
    }
    const wasPaused = peerProgress.isPaused();
    if (peerProgress.maybeUpdate(message.matchIndex)) {
      switch (peerProgress.state) {
        case 'probe':
          peerProgress.becomeReplicate();
          break;
        case 'snapshot':
          if (peerProgress.matchIndex >= peerProgress.pendingSnapshotIndex) {
            peerProgress.becomeProbe();
            peerProgress.becomeReplicate();
          }
          break;
        case 'replicate':
          peerProgress.freeInflightThrough(message.matchIndex);
          break;
      }
      if (this.maybeCommit()) {
        this.commitBroadcastPending = true;
      } else if (wasPaused) {
        this.sendAppend(message.from, false);
      }
      while (this.sendAppend(message.from, false));
    } else if (peerProgress.state === 'replicate') {
      peerProgress.freeInflightThrough(message.matchIndex);
    }
  }

  private handleHeartbeatResponse(message: HeartbeatResponseMessage): void {
    const peerProgress = this.progress.get(message.from);
    if (peerProgress === undefined) return;
    peerProgress.recentlyActive = true;
    if (message.lastLogIndex < peerProgress.matchIndex) {
      peerProgress.resetAfterDataLoss(message.lastLogIndex);
    }
    switch (peerProgress.state) {
      case 'probe':
        peerProgress.probeSent = false;
        break;
      case 'replicate':
        // Appends may have been lost: free a slot so the pipeline cannot stall forever.
        if (peerProgress.isPaused()) peerProgress.freeFirstInflightOnHeartbeat(message.lastLogIndex, this.tickCount, this.config.electionTicksMin);
        break;
      case 'snapshot':
        if (this.tickCount - peerProgress.snapshotSentTick >= this.config.snapshotRetryTicks) {
          peerProgress.becomeProbe();
        }
        break;
    }
    if (peerProgress.matchIndex < this.log.lastIndex() || peerProgress.matchIndex < this.commitIndex) {
      this.sendAppend(message.from, true);
    }
  }

  /** Commit the highest index stored on a majority, if it is of the current term. */
  private maybeCommit(): boolean {
    const matches: number[] = [Math.min(this.log.stableIndex, this.log.lastIndex())];
    for (const peerProgress of this.progress.values()) matches.push(peerProgress.matchIndex);
    matches.sort((left, right) => right - left);
    const candidate = matches[this.quorum - 1]!;
    if (candidate <= this.commitIndex || this.log.term(candidate) !== this.term) return false;
    for (let index = this.commitIndex + 1; index <= candidate; index++) {
      this.uncommittedBytes -= this.log.entryAt(index)?.data?.length ?? 0;
    }
    this.commitIndex = candidate;
    return true;
  }

  private send(message: RaftMessage): void {
    if (this.outbox.length >= this.config.outboxMessagesMax) {
      this.outboxDroppedMessages++;
      return;
    }
    this.outbox.push(message);
  }
}
