// Where the snapshotter reads the log it replays, and how fast.
//
// By default from a FOLLOWER: the leader is the node that takes the primary's appends, and a
// replay of millions of entries through it competes with them (its event loop, its LevelDB
// reads, its socket). A follower serves committed entries safely: it applies only entries up
// to the commit index it learned from the leader, and a committed entry is immutable (Raft's
// state machine safety), so every node returns the same bytes for an LSN it has applied. A
// follower may lag: the snapshotter fixes its target (the leader's tail and running checksum)
// before replaying, waits up to followerCatchUpMs for the follower to reach it, and checks at
// the end that the running checksum of the replayed entries equals the leader's — so a stale
// or wrong node cannot make a snapshot that passes. If no follower answers, or it stays
// behind, it reads from the leader instead (logged).
//
// The reads go through the job's Pace (pace.ts), the budget it shares with the snapshot's own
// reads and writes, so a replay of a long log does not take the log nodes' disks in bursts.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { LogClient } from '../../log-service/client/log-client.js';
import { LogError } from '../../log-service/errors.js';
import type { LogEntry } from '../../log-service/state/types.js';
import type { NodeStatus } from '../../log-service/wire/protocol.js';
import { assert } from '../util/assert.js';
import type { Pace } from './pace.js';

export type ReadFrom = 'follower' | 'leader';

export interface LogReaderOptions {
  readFrom: ReadFrom;
  /** The job's byte budget (payload bytes count); an unlimited one reads as fast as the log serves. */
  pace: Pace;
  entriesMax: number;
  /** How long a follower behind the target may take to catch up before the leader is asked. */
  followerCatchUpMs: number;
  /** Pause between asks of a follower that has not applied the next entry yet. */
  followerPollMs: number;
  logger: Logger;
}

/**
 * The follower to read from: a reachable node that is not the leader and has applied the most
 * of this log, with the log not trimmed past `fromLsn`. Null when there is none.
 */
export function pickFollower(nodes: string[], statuses: Array<NodeStatus | null>, logName: string, fromLsn: number): string | null {
  assert(nodes.length === statuses.length, 'one status per node');
  let best: string | null = null;
  let bestTail = -1;
  for (let i = 0; i < nodes.length; i++) {
    const status = statuses[i];
    if (!status || status.role !== 'follower' || status.leaderId === status.id) continue;
    const log = status.logs[logName];
    if (fromLsn < (log?.firstLsn ?? 1)) continue;
    const tailLsn = log?.tailLsn ?? 0;
    if (tailLsn > bestTail) {
      best = nodes[i]!;
      bestTail = tailLsn;
    }
  }
  return best;
}

export class SnapshotLogReader {
  private node: string | null = null;
  private chosen = false;
  /** Where the reads went, for the result line: the follower's address, or 'leader'. */
  source: string = 'leader';
  /** Times it had to read from the leader although a follower was asked for. */
  fallbacks = 0;

  constructor(private readonly client: LogClient, private readonly logName: string, private readonly options: LogReaderOptions) {
    assert(options.entriesMax >= 1, 'entriesMax must be >= 1');
    assert(options.followerCatchUpMs >= 0 && options.followerPollMs >= 1, 'follower timings must be positive');
  }

  /**
   * Committed entries from fromLsn on (at least one), never beyond toLsn's reach being the
   * caller's business. Throws LogError LOG_TRIMMED when the log no longer holds fromLsn.
   */
  async read(fromLsn: number, toLsn: number): Promise<LogEntry[]> {
    assert(fromLsn <= toLsn, `read from ${fromLsn} beyond the target ${toLsn}`);
    if (!this.chosen) await this.choose(fromLsn);
    // Paced, one read asks for at most a second's worth.
    const bytesMax = this.options.pace.limited ? this.options.pace.bytesPerSec : undefined;
    if (this.node !== null) {
      const entries = await this.readFollower(this.node, fromLsn, bytesMax);
      if (entries !== null) {
        await this.pace(entries);
        return entries;
      }
      this.node = null;
      this.source = 'leader';
      this.fallbacks += 1;
    }
    const { entries } = await this.client.read(this.logName, fromLsn, { entriesMax: this.options.entriesMax, ...(bytesMax ? { bytesMax } : {}) });
    await this.pace(entries);
    return entries;
  }

  private async choose(fromLsn: number): Promise<void> {
    this.chosen = true;
    // A single log node (the embedded log) has no follower: nothing to choose, nothing to say.
    if (this.options.readFrom === 'leader' || this.client.options.nodes.length < 2) return;
    const statuses = await this.client.statusAll();
    this.node = pickFollower(this.client.options.nodes, statuses, this.logName, fromLsn);
    if (this.node === null) {
      this.fallbacks += 1;
      this.options.logger.warn({ log: this.logName }, 'snapshot: no follower log node answers; replaying from the leader');
      return;
    }
    this.source = this.node;
    this.options.logger.info({ log: this.logName, node: this.node }, 'snapshot: replaying from a follower log node (the leader keeps serving the primary)');
  }

  /** Entries from a follower; null when it failed or stayed behind (then the leader is asked). */
  private async readFollower(node: string, fromLsn: number, bytesMax: number | undefined): Promise<LogEntry[] | null> {
    const deadline = Date.now() + this.options.followerCatchUpMs;
    for (;;) {
      try {
        const result = await this.client.read(this.logName, fromLsn, { node, entriesMax: this.options.entriesMax, ...(bytesMax ? { bytesMax } : {}) });
        if (result.entries.length > 0) return result.entries;
        // It has not applied fromLsn yet (it lags the leader whose tail we target).
      } catch (error) {
        // A follower trimmed past fromLsn: the leader decides whether the log still holds it.
        const code = error instanceof LogError ? error.code : 'ERROR';
        this.options.logger.warn({ log: this.logName, node, code, err: (error as Error).message }, 'snapshot: follower read failed; replaying from the leader');
        return null;
      }
      if (Date.now() >= deadline) {
        this.options.logger.warn({ log: this.logName, node, fromLsn, waitedMs: this.options.followerCatchUpMs }, 'snapshot: follower has not caught up; replaying from the leader');
        return null;
      }
      await sleep(this.options.followerPollMs);
    }
  }

  /** Waits until the entries just read fit the pace (before they are applied). */
  private async pace(entries: LogEntry[]): Promise<void> {
    let bytes = 0;
    for (const entry of entries) bytes += entry.payload.length;
    await this.options.pace.take(bytes);
  }
}
