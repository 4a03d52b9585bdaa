// Checks the five Raft safety properties (Raft paper, Figure 3) on the simulated cluster,
// after every event that touches a node (election safety, leader append-only, leader
// completeness, state machine safety) and on every tick (log matching, pairwise).
//
// "Committed" is recorded the first time a leader's commit index passes an index: followers
// learn commit indexes only from leaders, so every commit is first visible on a leader.

import type { RaftCore, RaftEntry, RaftStatus } from '../../../../log-service/raft/index.js';

export class SafetyViolation extends Error {
  override name = 'SafetyViolation';
}

function violation(message: string): never {
  throw new SafetyViolation(message);
}

const decoder = new TextDecoder();
const keyCache = new WeakMap<RaftEntry, string>();

/** Identity of an entry: its term and payload (payloads are unique per proposal). */
export function entryKey(entry: RaftEntry): string {
  let key = keyCache.get(entry);
  if (key === undefined) {
    key = `${entry.term}:${entry.data === null ? 'noop' : decoder.decode(entry.data)}`;
    keyCache.set(entry, key);
  }
  return key;
}

/** The part of a simulated node the checker looks at. */
export interface CheckedNode {
  id: string;
  core: RaftCore | null;
  /** Applied entries' keys: appliedKeys[i - 1] is the entry at index i. */
  appliedKeys: string[];
}

interface LeaderMark {
  term: number;
  index: number;
  key: string | null;
}

export class SafetyChecker {
  /** committedKeys[i - 1]: the entry committed at index i; commitTerms[i - 1]: in which term. */
  readonly committedKeys: string[] = [];
  private readonly commitTerms: number[] = [];
  private readonly leaderOfTerm = new Map<number, string>();
  private readonly leaderMarks = new Map<string, LeaderMark>();
  leadersElected = 0;

  /** After any input to node (message, tick, ready processing). */
  afterNodeEvent(node: CheckedNode): void {
    const core = node.core;
    if (core === null) return;
    const status = core.status();
    if (status.role === 'leader') {
      const known = this.leaderOfTerm.get(status.term);
      if (known === undefined) {
        this.leaderOfTerm.set(status.term, node.id);
        this.leadersElected++;
        this.checkLeaderCompleteness(node, status.term);
      } else if (known !== node.id) {
        violation(`Election Safety: ${known} and ${node.id} are both leaders of term ${status.term}`);
      }
      this.checkLeaderAppendOnly(node, status.term, status.snapshotIndex, status.lastIndex);
      if (status.commitIndex > this.committedKeys.length) this.recordCommits(node, status.term, status.commitIndex);
    } else {
      this.leaderMarks.delete(node.id);
      if (status.commitIndex > this.committedKeys.length) {
        violation(
          `${node.id} (${status.role}) has commit index ${status.commitIndex} beyond any leader's ${this.committedKeys.length}`,
        );
      }
    }
    this.checkCommittedPrefix(node, status.commitIndex, status.snapshotIndex);
  }

  /** A node applied entry at index (or loaded it from a snapshot). */
  onApplied(node: CheckedNode, index: number, key: string): void {
    const committed = this.committedKeys[index - 1];
    if (committed === undefined) violation(`${node.id} applied index ${index} (${key}) that was never committed`);
    if (committed !== key) {
      violation(`State Machine Safety: ${node.id} applied ${key} at index ${index}, committed there is ${committed}`);
    }
  }

  /** Log Matching between one node (whose log may just have changed) and every other. */
  checkLogMatchingOf(node: CheckedNode, nodes: Iterable<CheckedNode>): void {
    if (node.core === null) return;
    const status = node.core.status();
    for (const other of nodes) {
      if (other === node || other.core === null) continue;
      this.checkPair(node, status, other, other.core.status());
    }
  }

  /** Log Matching over every pair of live nodes' in-memory logs. */
  checkLogMatching(nodes: CheckedNode[]): void {
    const live = nodes.filter((node) => node.core !== null);
    const statuses = live.map((node) => node.core!.status());
    for (let left = 0; left < live.length; left++) {
      for (let right = left + 1; right < live.length; right++) {
        this.checkPair(live[left]!, statuses[left]!, live[right]!, statuses[right]!);
      }
    }
  }

  private checkPair(x: CheckedNode, xs: RaftStatus, y: CheckedNode, ys: RaftStatus): void {
    if (x.core === null || y.core === null) return;
    const low = Math.max(xs.snapshotIndex, ys.snapshotIndex) + 1;
    const high = Math.min(xs.lastIndex, ys.lastIndex);
    let matched = false;
    for (let index = high; index >= low; index--) {
      const xe = x.core.entryAt(index)!;
      const ye = y.core.entryAt(index)!;
      if (!matched && xe.term !== ye.term) continue;
      matched = true;
      if (entryKey(xe) !== entryKey(ye)) {
        violation(
          `Log Matching: ${x.id} has ${entryKey(xe)} and ${y.id} has ${entryKey(ye)} at index ${index} ` +
            `(their logs agree on a later index's term)`,
        );
      }
    }
  }

  private recordCommits(node: CheckedNode, term: number, commitIndex: number): void {
    for (let index = this.committedKeys.length + 1; index <= commitIndex; index++) {
      const entry = node.core!.entryAt(index);
      if (entry === null) violation(`leader ${node.id} committed index ${index} it does not hold`);
      this.committedKeys.push(entryKey(entry));
      this.commitTerms.push(term);
    }
  }

  /** Every entry committed in an earlier term is in the new leader's log (or state). */
  private checkLeaderCompleteness(node: CheckedNode, term: number): void {
    const core = node.core!;
    for (let index = 1; index <= this.committedKeys.length; index++) {
      if (this.commitTerms[index - 1]! >= term) continue;
      const expected = this.committedKeys[index - 1]!;
      const entry = core.entryAt(index);
      const actual = entry !== null ? entryKey(entry) : node.appliedKeys[index - 1];
      if (actual !== expected) {
        violation(
          `Leader Completeness: ${node.id}, leader of term ${term}, has ${actual ?? 'nothing'} at index ${index} ` +
            `where ${expected} was committed in term ${this.commitTerms[index - 1]}`,
        );
      }
    }
  }

  /** A leader never overwrites or deletes entries while leader of a term. */
  private checkLeaderAppendOnly(node: CheckedNode, term: number, snapshotIndex: number, lastIndex: number): void {
    const core = node.core!;
    const mark = this.leaderMarks.get(node.id);
    if (mark !== undefined && mark.term === term) {
      if (lastIndex < mark.index) {
        violation(`Leader Append-Only: leader ${node.id} of term ${term} shrank its log from ${mark.index} to ${lastIndex}`);
      }
      if (mark.key !== null && mark.index > snapshotIndex) {
        const entry = core.entryAt(mark.index)!;
        if (entryKey(entry) !== mark.key) {
          violation(
            `Leader Append-Only: leader ${node.id} of term ${term} replaced ${mark.key} at ${mark.index} by ${entryKey(entry)}`,
          );
        }
      }
    }
    const last = core.entryAt(lastIndex);
    this.leaderMarks.set(node.id, { term, index: lastIndex, key: last === null ? null : entryKey(last) });
  }

  /** The entry at a node's commit index, if in memory, is the committed one. */
  private checkCommittedPrefix(node: CheckedNode, commitIndex: number, snapshotIndex: number): void {
    if (commitIndex <= snapshotIndex || commitIndex === 0) return;
    const entry = node.core!.entryAt(commitIndex);
    if (entry === null) violation(`${node.id} has commit index ${commitIndex} beyond its log`);
    const expected = this.committedKeys[commitIndex - 1];
    if (expected !== undefined && entryKey(entry) !== expected) {
      violation(`State Machine Safety: ${node.id} holds ${entryKey(entry)} at its commit index ${commitIndex}, committed there is ${expected}`);
    }
  }
}
