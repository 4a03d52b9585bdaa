// A simulated Raft group: RaftCore instances driven exactly as the real driver must drive
// them (persist a Ready, then send its messages, then apply, then advance), over a seeded
// simulated network (drop, delay, duplicate, reorder, partition) and simulated disks (a
// Ready's writes become durable only when its persist completes; a crash loses everything
// else; a wipe loses the whole disk). A simulated client proposes unique payloads and
// records which ones were acknowledged (applied at the index and term propose() returned,
// on the node it proposed to). Every event is checked by SafetyChecker.

import {
  RaftCore,
  type HardState,
  type RaftConfig,
  type RaftEntry,
  type RaftMessage,
  type Ready,
  type SnapshotData,
  type SnapshotMeta,
} from '../../../../log-service/raft/index.js';
import { Rng } from './rng.js';
import { SafetyChecker, entryKey, type CheckedNode } from './safety-checker.js';

export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  delayTicksMin: number;
  delayTicksMax: number;
}

export type RaftLimits = Omit<RaftConfig, 'id' | 'peers' | 'random' | 'snapshotProvider' | 'votingDisabledUntilCaughtUp'>;

export interface ClusterOptions {
  seed: number;
  nodeIds: string[];
  raft: RaftLimits;
  network: NetworkFaults;
  /** A Ready's persist completes after 0..persistDelayTicksMax ticks. */
  persistDelayTicksMax: number;
  /** The driver snapshots its state machine and compacts every this many applied entries. */
  compactEveryEntries: number;
  /** The log-service driver's optimisation (Raft thesis 10.2.1): a Ready that changes neither
   *  term nor vote and installs no snapshot sends its AppendEntries/Heartbeats before its
   *  write is durable; every other message still waits for the write. */
  leaderSendsEarly: boolean;
  /** The log-service driver's optimisation: a Ready whose only write is a new commit index is
   *  written without sync; a crash loses it unless a later synced write followed it. */
  commitIndexUnsynced: boolean;
  /** The log-service driver's liveness path: while a Ready's write is pending, the node sends
   *  the Heartbeats and HeartbeatResponses of its durable term at once (takeLivenessMessages). */
  livenessWhileWriting: boolean;
  /** Whether a node restarted on a wiped disk boots with votingDisabledUntilCaughtUp. */
  votingDisabledAfterWipe: boolean;
  traceEventsMax: number;
}

export const defaultRaftLimits: RaftLimits = {
  electionTicksMin: 10,
  electionTicksMax: 20,
  heartbeatTicks: 2,
  appendEntriesMax: 4,
  appendBytesMax: 64,
  entryBytesMax: 32,
  inflightAppendsMax: 3,
  proposalsPendingMax: 64,
  proposalsPendingBytesMax: 4096,
  committedEntriesPerReadyMax: 16,
  outboxMessagesMax: 256,
  compactMarginEntries: 5,
  snapshotRetryTicks: 15,
};

interface Disk {
  hardState: HardState;
  /** The log's compaction point. */
  snapshot: SnapshotMeta | null;
  /** Contiguous from (snapshot?.index ?? 0) + 1. */
  entries: RaftEntry[];
  /** The durable state-machine snapshot (the applied keys, JSON). */
  stateSnapshot: SnapshotData | null;
  /** The "identity file": false after a wipe until the node has caught up. */
  identityIntact: boolean;
  /** A hardState written without sync: lost by a crash, made durable by the next synced write. */
  unsyncedHardState: HardState | null;
}

function emptyDisk(): Disk {
  return {
    hardState: { term: 0, votedFor: null, commitIndex: 0 },
    snapshot: null,
    entries: [],
    stateSnapshot: null,
    identityIntact: true,
    unsyncedHardState: null,
  };
}

export class SimNode implements CheckedNode {
  core: RaftCore | null = null;
  appliedKeys: string[] = [];
  disk: Disk = emptyDisk();
  pending: { ready: Ready; completeAtTick: number; sentEarly: boolean } | null = null;
  appliedSinceCompact = 0;
  /** role/term last seen, for the trace. */
  lastRole = '';

  constructor(readonly id: string) {}

  get alive(): boolean {
    return this.core !== null;
  }
}

export interface Proposal {
  key: string;
  nodeId: string;
  index: number;
  term: number;
  acknowledged: boolean;
}

interface InFlight {
  deliverAtTick: number;
  message: RaftMessage;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class SimCluster {
  readonly rng: Rng;
  readonly nodes = new Map<string, SimNode>();
  readonly checker = new SafetyChecker();
  readonly proposals = new Map<string, Proposal>();
  now = 0;
  network: NetworkFaults;
  /** node id -> partition group; messages cross only within a group. null: healed. */
  private partition: Map<string, number> | null = null;
  /** One-way link failures, as "from>to". */
  private blockedLinks = new Set<string>();
  /** A paused process (GC pause, SIGSTOP): no ticks, no input, no disk progress until then. */
  private pausedUntil = new Map<string, number>();
  private inFlight: InFlight[] = [];
  private proposalSeq = 0;
  private readonly trace: Array<() => string> = [];
  readonly stats = {
    messagesSent: 0,
    messagesDropped: 0,
    crashes: 0,
    wipes: 0,
    snapshotsInstalled: 0,
    compactions: 0,
    proposalsRejected: 0,
  };

  constructor(readonly options: ClusterOptions) {
    this.rng = new Rng(options.seed);
    this.network = { ...options.network };
    for (const id of options.nodeIds) {
      const node = new SimNode(id);
      this.nodes.set(id, node);
      this.boot(node);
    }
  }

  // ─── Faults and client ──────────────────────────────────────────────────────────────────

  /** groups: lists of node ids that can talk to each other; unlisted nodes are isolated. */
  setPartition(groups: string[][]): void {
    this.partition = new Map();
    groups.forEach((group, groupIndex) => group.forEach((id) => this.partition!.set(id, groupIndex)));
    this.log(() => `partition ${groups.map((group) => group.join('')).join(' | ')}`);
  }

  /** Messages from `from` to `to` are lost; the other direction still works. */
  blockLink(from: string, to: string): void {
    this.blockedLinks.add(`${from}>${to}`);
    this.log(() => `block ${from}->${to}`);
  }

  pause(id: string, ticks: number): void {
    if (!this.node(id).alive) return;
    this.pausedUntil.set(id, this.now + ticks);
    this.log(() => `pause ${id} for ${ticks} ticks`);
  }

  private isPaused(id: string): boolean {
    const until = this.pausedUntil.get(id);
    if (until === undefined) return false;
    if (until > this.now) return true;
    this.pausedUntil.delete(id);
    return false;
  }

  heal(): void {
    this.partition = null;
    this.blockedLinks.clear();
    this.log(() => 'heal');
  }

  crash(id: string): void {
    const node = this.node(id);
    if (!node.alive) return;
    node.core = null;
    node.pending = null; // its unsynced writes are lost
    this.pausedUntil.delete(id);
    node.disk.unsyncedHardState = null;
    node.appliedKeys = [];
    this.stats.crashes++;
    this.log(() => `crash ${id}`);
  }

  /** Lose the node's whole disk (and crash it). */
  wipe(id: string): void {
    this.crash(id);
    this.node(id).disk = emptyDisk();
    this.node(id).disk.identityIntact = false;
    this.stats.wipes++;
    this.log(() => `wipe ${id}`);
  }

  restart(id: string): void {
    const node = this.node(id);
    if (node.alive) return;
    this.boot(node);
    const votingEnabled = node.core!.status().votingEnabled;
    this.log(() => `restart ${id} votingEnabled=${votingEnabled}`);
  }

  /** The client: propose a fresh payload on nodeId (default: a node that thinks it leads). */
  propose(nodeId?: string): Proposal | null {
    const node = nodeId !== undefined ? this.node(nodeId) : this.believedLeader();
    if (node === null || node.core === null) return null;
    const key = `p${++this.proposalSeq}`;
    const result = node.core.propose(encoder.encode(key));
    if (!result.ok) {
      this.stats.proposalsRejected++;
      return null;
    }
    const proposal: Proposal = { key, nodeId: node.id, index: result.index, term: result.term, acknowledged: false };
    this.proposals.set(key, proposal);
    this.log(() => `propose ${key} on ${node.id} -> ${result.index}@${result.term}`);
    this.processNode(node);
    return proposal;
  }

  believedLeader(): SimNode | null {
    let best: SimNode | null = null;
    let bestTerm = -1;
    for (const node of this.nodes.values()) {
      const status = node.core?.status();
      if (status?.role === 'leader' && status.term > bestTerm) {
        best = node;
        bestTerm = status.term;
      }
    }
    return best;
  }

  node(id: string): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  liveNodes(): SimNode[] {
    return [...this.nodes.values()].filter((node) => node.alive);
  }

  /** The last trace events, oldest first. */
  traceLines(): string[] {
    return this.trace.map((line) => line());
  }

  log(line: () => string): void {
    const at = this.now;
    this.trace.push(() => `t=${at} ${line()}`);
    if (this.trace.length > this.options.traceEventsMax) this.trace.shift();
  }

  // ─── Time ───────────────────────────────────────────────────────────────────────────────

  /** One simulated tick: deliver due messages, tick every live node, finish due persists,
   *  then check log matching across all live nodes. */
  runTick(): void {
    this.now++;
    const due: InFlight[] = [];
    const later: InFlight[] = [];
    for (const flight of this.inFlight) (flight.deliverAtTick <= this.now ? due : later).push(flight);
    this.inFlight = later;
    this.rng.shuffle(due);
    for (const flight of due) {
      if (this.isPaused(flight.message.to)) {
        // Held in the paused process's socket buffer: delivered in a burst when it resumes.
        this.inFlight.push({ deliverAtTick: this.pausedUntil.get(flight.message.to)!, message: flight.message });
      } else {
        this.deliver(flight.message);
      }
    }
    for (const node of this.nodes.values()) {
      if (node.core === null || this.isPaused(node.id)) continue;
      node.core.tick();
      this.processNode(node);
    }
    for (const node of this.nodes.values()) {
      if (node.core !== null && !this.isPaused(node.id)) this.processNode(node);
    }
    this.checker.checkLogMatching(this.liveNodes()); // also covered per event; cheap
  }

  runTicks(count: number): void {
    for (let index = 0; index < count; index++) this.runTick();
  }

  private deliver(message: RaftMessage): void {
    const node = this.nodes.get(message.to);
    if (node === undefined || node.core === null || this.blocked(message.from, message.to)) {
      this.stats.messagesDropped++;
      return;
    }
    this.log(() => `deliver ${describe(message)}`);
    node.core.step(message);
    this.processNode(node);
  }

  private send(message: RaftMessage): void {
    this.stats.messagesSent++;
    if (this.blocked(message.from, message.to) || this.rng.chance(this.network.dropRate)) {
      this.stats.messagesDropped++;
      return;
    }
    const copies = this.rng.chance(this.network.duplicateRate) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const delay = this.rng.int(this.network.delayTicksMin, this.network.delayTicksMax);
      this.inFlight.push({ deliverAtTick: this.now + delay, message });
    }
  }

  private blocked(from: string, to: string): boolean {
    if (this.blockedLinks.size > 0 && this.blockedLinks.has(`${from}>${to}`)) return true;
    if (this.partition === null) return false;
    const fromGroup = this.partition.get(from);
    return fromGroup === undefined || fromGroup !== this.partition.get(to);
  }

  // ─── The driver (what log-service/ does for real) ──────────────────────────────────────

  private boot(node: SimNode): void {
    const disk = node.disk;
    const votingDisabled = !disk.identityIntact && this.options.votingDisabledAfterWipe;
    const random = this.rng.fork();
    const config: RaftConfig = {
      ...this.options.raft,
      id: node.id,
      peers: this.options.nodeIds,
      random: () => random.next(),
      votingDisabledUntilCaughtUp: votingDisabled,
      snapshotProvider: () => {
        const snapshot = node.disk.stateSnapshot;
        if (snapshot === null) throw new Error(`${node.id}: snapshot requested but none was taken`);
        return snapshot;
      },
    };
    node.appliedKeys = disk.stateSnapshot === null ? [] : this.decodeState(disk.stateSnapshot.data);
    node.core = new RaftCore(config, {
      hardState: { ...disk.hardState },
      snapshot: disk.snapshot === null ? null : { ...disk.snapshot },
      entries: disk.entries.slice(),
      appliedIndex: disk.stateSnapshot?.index ?? 0,
    });
    node.pending = null;
    this.checker.afterNodeEvent(node);
  }

  /** Carry out Readies until none is left or one is waiting for its (slow) persist. */
  processNode(node: SimNode): void {
    const core = node.core;
    if (core === null) return;
    // The node's log changes only in step/tick/propose, which always come right before this.
    this.checker.afterNodeEvent(node);
    this.checker.checkLogMatchingOf(node, this.nodes.values());
    for (;;) {
      if (node.pending !== null) {
        if (node.pending.completeAtTick > this.now) break;
        const { ready, sentEarly } = node.pending;
        node.pending = null;
        this.completeReady(node, ready, sentEarly);
        this.checker.afterNodeEvent(node);
        continue;
      }
      // Drivers may hold a commit-only broadcast for a while: explore both.
      const ready = core.ready({ holdCommitBroadcast: this.rng.int(0, 1) === 1 });
      if (ready === null) break;
      const sentEarly = this.options.leaderSendsEarly && ready.snapshotToInstall === undefined && !this.termOrVoteChanged(node, ready);
      if (sentEarly) {
        for (const message of ready.messages) if (isLeaderReplication(message)) this.send(message);
      }
      node.pending = { ready, completeAtTick: this.now + this.rng.int(0, this.options.persistDelayTicksMax), sentEarly };
    }
    if (node.pending !== null && this.options.livenessWhileWriting) {
      for (const message of core.takeLivenessMessages(node.disk.hardState.term)) this.send(message);
    }
    this.checker.afterNodeEvent(node);
    const status = core.status();
    const role = `${status.role}/t${status.term}`;
    if (role !== node.lastRole) {
      node.lastRole = role;
      this.log(() => `${node.id} is ${role}`);
    }
    this.maybeCompact(node);
  }

  private termOrVoteChanged(node: SimNode, ready: Ready): boolean {
    if (ready.hardState === undefined) return false;
    const written = node.disk.unsyncedHardState ?? node.disk.hardState;
    return ready.hardState.term !== written.term || ready.hardState.votedFor !== written.votedFor;
  }

  private completeReady(node: SimNode, ready: Ready, sentEarly: boolean): void {
    const disk = node.disk;
    // 1. persist (atomically: one batch; synced unless it only moves the commit index)
    const synced =
      !this.options.commitIndexUnsynced ||
      ready.snapshotToInstall !== undefined ||
      ready.entriesToPersist.length > 0 ||
      this.termOrVoteChanged(node, ready);
    if (!synced) {
      if (ready.hardState !== undefined) disk.unsyncedHardState = { ...ready.hardState };
    } else {
      this.syncDisk(disk);
    }
    if (ready.snapshotToInstall !== undefined) {
      const { index, term } = ready.snapshotToInstall;
      disk.stateSnapshot = ready.snapshotToInstall;
      disk.snapshot = { index, term };
      disk.entries = [];
    }
    if (ready.entriesToPersist.length > 0) {
      const base = disk.snapshot?.index ?? 0;
      const keep = ready.entriesFromIndex! - base - 1;
      if (keep < 0 || keep > disk.entries.length) {
        throw new Error(`${node.id}: entries from ${ready.entriesFromIndex} do not fit the disk (base ${base}, ${disk.entries.length} stored)`);
      }
      disk.entries.length = keep;
      disk.entries.push(...ready.entriesToPersist);
    }
    if (synced && ready.hardState !== undefined) disk.hardState = { ...ready.hardState };
    // 2. send
    for (const message of ready.messages) if (!sentEarly || !isLeaderReplication(message)) this.send(message);
    // 3. apply
    if (ready.snapshotToInstall !== undefined) {
      node.appliedKeys = this.decodeState(ready.snapshotToInstall.data);
      node.appliedKeys.forEach((key, offset) => this.checker.onApplied(node, offset + 1, key));
      this.stats.snapshotsInstalled++;
      this.log(() => `${node.id} installed snapshot through ${ready.snapshotToInstall!.index}`);
    }
    for (const entry of ready.committedEntries) this.apply(node, entry);
    // 4. advance
    node.core!.advance(ready);
    if (!disk.identityIntact && node.core!.status().votingEnabled) {
      disk.identityIntact = true;
      this.log(() => `${node.id} identity restored (voting enabled)`);
    }
  }

  private apply(node: SimNode, entry: RaftEntry): void {
    if (entry.index !== node.appliedKeys.length + 1) {
      throw new Error(`${node.id}: applied ${entry.index} after ${node.appliedKeys.length}`);
    }
    const key = entryKey(entry);
    this.checker.onApplied(node, entry.index, key);
    node.appliedKeys.push(key);
    node.appliedSinceCompact++;
    if (entry.data === null) return;
    const proposal = this.proposals.get(decoder.decode(entry.data));
    if (proposal === undefined) throw new Error(`${node.id} applied an unknown payload at ${entry.index}`);
    if (proposal.index !== entry.index || proposal.term !== entry.term) {
      throw new Error(
        `${node.id} applied ${proposal.key} at ${entry.index}@${entry.term}, proposed as ${proposal.index}@${proposal.term}`,
      );
    }
    if (proposal.nodeId === node.id && !proposal.acknowledged) {
      proposal.acknowledged = true;
      this.log(() => `ack ${proposal.key} at ${entry.index}@${entry.term} by ${node.id}`);
    }
  }

  // The state machine's serialized state is its applied sequence. Serializing thousands of
  // keys at every compaction would dominate the run time, so the bytes are a handle into a
  // table of frozen copies: opaque to the core either way.
  private readonly stateSnapshots: Array<readonly string[]> = [];

  private encodeState(appliedKeys: string[]): Uint8Array {
    this.stateSnapshots.push(appliedKeys.slice());
    return encoder.encode(String(this.stateSnapshots.length - 1));
  }

  private decodeState(data: Uint8Array): string[] {
    const state = this.stateSnapshots[Number(decoder.decode(data))];
    if (state === undefined) throw new Error('unknown state snapshot');
    return state.slice();
  }

  /** A synced write makes every earlier unsynced write durable too (LevelDB's log order). */
  private syncDisk(disk: Disk): void {
    if (disk.unsyncedHardState !== null) disk.hardState = disk.unsyncedHardState;
    disk.unsyncedHardState = null;
  }

  /** The driver's compaction: durably save the state machine, then let the core compact. */
  private maybeCompact(node: SimNode): void {
    const core = node.core;
    if (core === null || node.appliedSinceCompact < this.options.compactEveryEntries) return;
    const appliedIndex = core.status().appliedIndex;
    if (appliedIndex !== node.appliedKeys.length || appliedIndex === 0) return;
    node.appliedSinceCompact = 0;
    this.syncDisk(node.disk);
    const lastKey = node.appliedKeys[appliedIndex - 1]!;
    node.disk.stateSnapshot = {
      index: appliedIndex,
      term: Number(lastKey.slice(0, lastKey.indexOf(':'))),
      data: this.encodeState(node.appliedKeys),
    };
    const compacted = core.compact(appliedIndex);
    if (compacted === null) return;
    const disk = node.disk;
    const base = disk.snapshot?.index ?? 0;
    disk.entries = disk.entries.slice(compacted.index - base);
    disk.snapshot = compacted;
    this.stats.compactions++;
  }
}

function isLeaderReplication(message: RaftMessage): boolean {
  return message.type === 'AppendEntries' || message.type === 'Heartbeat';
}

export function describe(message: RaftMessage): string {
  const head = `${message.from}->${message.to} ${message.type} t${message.term}`;
  switch (message.type) {
    case 'AppendEntries':
      return `${head} prev=${message.prevLogIndex}@${message.prevLogTerm} n=${message.entries.length} commit=${message.leaderCommit}`;
    case 'AppendEntriesResponse':
      return message.success
        ? `${head} ok match=${message.matchIndex}`
        : `${head} reject ${message.rejectedIndex} hint=${message.hintIndex}@${message.hintTerm} last=${message.lastLogIndex}`;
    case 'Heartbeat':
      return `${head} commit=${message.commitIndex}@${message.commitTerm}`;
    case 'HeartbeatResponse':
      return `${head} last=${message.lastLogIndex}`;
    case 'RequestVote':
      return `${head}${message.preVote ? ' pre' : ''} round=${message.round} last=${message.lastLogIndex}@${message.lastLogTerm}`;
    case 'RequestVoteResponse':
      return `${head}${message.preVote ? ' pre' : ''} round=${message.round} ${message.granted ? 'granted' : 'rejected'}`;
    case 'InstallSnapshot':
      return `${head} through ${message.lastIncludedIndex}@${message.lastIncludedTerm}`;
  }
}
