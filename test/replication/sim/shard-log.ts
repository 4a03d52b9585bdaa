// A simulated shard log (DESIGN.md §3) as the db nodes see it: one linearizable sequence with
// conditional append (entries land at prevLsn+1 only if the tail is prevLsn when the append is
// applied), a random commit latency (appends are applied in arrival order, as a Raft leader
// does), whole-log reads, and subscriptions that push committed entries to each node in order
// with their own random delay. Each node reaches the log over its own link, which a fault can
// cut (requests and replies sent meanwhile are lost; pushed entries wait for the heal) or
// slow down. Messages on one link stay in order (one TCP connection each way).
import type { ShardRecord } from '../../../src/replication/records.js';
import type { Rng } from '../../log-service/raft/sim/rng.js';
import type { EventQueue } from './event-queue.js';

export interface SimLogEntry {
  lsn: number;
  record: ShardRecord;
  writer: string;
  /** Set on data entries: the id of the client write it carries. */
  writeId: number | null;
  committedAtMs: number;
}

export type AppendReply = { kind: 'ok'; lsn: number } | { kind: 'conflict'; tailLsn: number };

export interface LogTimings {
  linkDelayMinMs: number;
  linkDelayMaxMs: number;
  commitLatencyMinMs: number;
  commitLatencyMaxMs: number;
}

export class NodeLink {
  cutUntilMs = -Infinity;
  slowUntilMs = -Infinity;
  slowExtraMsMax = 0;
  lastToLogAtMs = 0;
  lastReplyAtMs = 0;
  lastPushAtMs = 0;

  isCut(nowMs: number): boolean {
    return nowMs < this.cutUntilMs;
  }
}

interface Subscription {
  id: number;
  deliver: (entry: SimLogEntry) => void;
}

export class SimShardLog {
  readonly entries: SimLogEntry[] = [];
  readonly links = new Map<string, NodeLink>();
  readonly stats = { appends: 0, conflicts: 0, messagesLost: 0 };
  private lastCommitAtMs = 0;
  private readonly subscriptions = new Map<string, Subscription>();
  private subscriptionIds = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly rng: Rng,
    private readonly timings: LogTimings,
    private readonly trace: (line: string) => void,
  ) {}

  get tailLsn(): number {
    return this.entries.length;
  }

  link(nodeId: string): NodeLink {
    let link = this.links.get(nodeId);
    if (!link) {
      link = new NodeLink();
      this.links.set(nodeId, link);
    }
    return link;
  }

  /** Conditional append of one record; `onReply` runs when (if) the reply reaches the node. */
  append(nodeId: string, prevLsn: number, record: ShardRecord, writeId: number | null, onReply: (reply: AppendReply) => void): void {
    this.toLog(nodeId, () => {
      const commitAtMs = Math.max(this.lastCommitAtMs, this.queue.now + this.uniform(this.timings.commitLatencyMinMs, this.timings.commitLatencyMaxMs));
      this.lastCommitAtMs = commitAtMs;
      this.queue.schedule(commitAtMs, () => {
        let reply: AppendReply;
        if (this.tailLsn === prevLsn) {
          const entry: SimLogEntry = { lsn: prevLsn + 1, record, writer: nodeId, writeId, committedAtMs: this.queue.now };
          this.entries.push(entry);
          this.stats.appends++;
          this.trace(`log: ${entry.lsn} = ${describeRecord(record)} from ${nodeId}`);
          for (const [subscriber, subscription] of this.subscriptions) this.push(subscriber, subscription, entry);
          reply = { kind: 'ok', lsn: entry.lsn };
        } else {
          this.stats.conflicts++;
          reply = { kind: 'conflict', tailLsn: this.tailLsn };
        }
        this.reply(nodeId, () => onReply(reply));
      });
    });
  }

  /** Reads the whole committed log (as it is when the request arrives). */
  read(nodeId: string, onReply: (entries: readonly SimLogEntry[]) => void): void {
    this.toLog(nodeId, () => {
      const entries = this.entries.slice();
      this.reply(nodeId, () => onReply(entries));
    });
  }

  /** Pushes every committed entry from fromLsn on, in order, until unsubscribe or the next subscribe. */
  subscribe(nodeId: string, fromLsn: number, deliver: (entry: SimLogEntry) => void): void {
    const subscription = { id: ++this.subscriptionIds, deliver };
    this.subscriptions.set(nodeId, subscription);
    for (const entry of this.entries.slice(Math.max(0, fromLsn - 1))) this.push(nodeId, subscription, entry);
  }

  unsubscribe(nodeId: string): void {
    this.subscriptions.delete(nodeId);
  }

  private push(nodeId: string, subscription: Subscription, entry: SimLogEntry): void {
    const link = this.link(nodeId);
    const now = this.queue.now;
    const departMs = link.isCut(now) ? link.cutUntilMs : now;
    const arriveMs = Math.max(link.lastPushAtMs, departMs + this.delay(link, departMs));
    link.lastPushAtMs = arriveMs;
    this.queue.schedule(arriveMs, () => {
      if (this.subscriptions.get(nodeId) !== subscription) return;
      subscription.deliver(entry);
    });
  }

  private toLog(nodeId: string, run: () => void): void {
    const link = this.link(nodeId);
    if (link.isCut(this.queue.now)) {
      this.stats.messagesLost++;
      return;
    }
    const arriveMs = Math.max(link.lastToLogAtMs, this.queue.now + this.delay(link, this.queue.now));
    link.lastToLogAtMs = arriveMs;
    this.queue.schedule(arriveMs, run);
  }

  private reply(nodeId: string, run: () => void): void {
    const link = this.link(nodeId);
    if (link.isCut(this.queue.now)) {
      this.stats.messagesLost++;
      return;
    }
    const arriveMs = Math.max(link.lastReplyAtMs, this.queue.now + this.delay(link, this.queue.now));
    link.lastReplyAtMs = arriveMs;
    this.queue.schedule(arriveMs, run);
  }

  private delay(link: NodeLink, atMs: number): number {
    let delayMs = this.uniform(this.timings.linkDelayMinMs, this.timings.linkDelayMaxMs);
    if (atMs < link.slowUntilMs) delayMs += this.rng.next() * link.slowExtraMsMax;
    return delayMs;
  }

  private uniform(min: number, max: number): number {
    return min + this.rng.next() * (max - min);
  }
}

export function describeRecord(record: ShardRecord): string {
  switch (record.t) {
    case 'effects': return `data(${record.batch[0]?.argv[2] ?? '?'})`;
    case 'leader': return `Leader{${record.nodeId} e${record.epoch}}`;
    case 'lease': return `Lease{${record.nodeId} e${record.epoch}}`;
    case 'noop': return `Noop{${record.nodeId} e${record.epoch}}`;
    case 'handoff': return `Handoff{${record.nodeId} e${record.epoch} → ${record.to}}`;
    case 'snapshot': return `Snapshot{${record.lsn}}`;
  }
}
