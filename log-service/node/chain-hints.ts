// Checksum chains a leader sends its followers so that they need not hash what it hashed.
//
// Applying an append hashes each payload into the log's running checksum (checksum.ts): on
// every node, about 15 % of the three nodes' CPU at 64 appenders. The leader applies its
// proposals ahead of commit (speculation.ts) and so has each append's chain — the log's
// checksum it started from and the checksum after each entry — before the followers apply it.
// It sends each chain with its next message to each follower (an AppendEntries or a heartbeat,
// which a follower gets anyway; a follower applies an entry only once a later message says it
// is committed). A follower applying that entry from that very checksum takes the chain instead
// of hashing (NamedLogs.apply): the chain is a function of its starting checksum, the LSNs and
// the payloads. A chain that is lost, late, evicted or from another state costs only the hashing.
//
// Pure: no I/O, no clock. Both ends keep at most chainHintBytesMax bytes of chains.

import { checksumBytes } from '../checksum.js';
import type { ChecksumChain } from '../state/named-logs.js';
import type { WireChainHint } from '../wire/protocol.js';

/** The chain of the append in Raft entry (index, term). */
export interface ChainHint extends ChecksumChain {
  index: number;
  term: number;
}

/** Bytes a hint counts for against chainHintBytesMax beyond its two buffers (numbers, headers). */
const hintOverheadBytes = 32;

export function hintBytes(hint: ChecksumChain): number {
  return hint.basis.length + hint.checksums.length + hintOverheadBytes;
}

/** Leader side: the chains of its proposals, each sent once to each follower. */
export class ChainHintOutbox {
  /** In index order. */
  private hints: ChainHint[] = [];
  private bytes = 0;
  /** Per follower: the highest index whose chain went to it. */
  private readonly sentThrough = new Map<string, number>();

  constructor(private readonly followerIds: readonly string[], private readonly bytesMax: number) {}

  add(hint: ChainHint): void {
    const last = this.hints[this.hints.length - 1];
    if (last !== undefined && hint.index <= last.index) this.reset(); // a new term rewrote the log
    this.hints.push(hint);
    this.bytes += hintBytes(hint);
    while (this.bytes > this.bytesMax) this.bytes -= hintBytes(this.hints.shift()!);
  }

  /** The chains this follower has not been sent yet, in the wire form (undefined: none). */
  takeFor(follower: string): WireChainHint[] | undefined {
    const after = this.sentThrough.get(follower) ?? 0;
    const last = this.hints[this.hints.length - 1];
    if (last === undefined || last.index <= after) return undefined;
    const wire: WireChainHint[] = [];
    for (let i = this.firstAfter(after); i < this.hints.length; i++) {
      const hint = this.hints[i]!;
      wire.push([hint.index, hint.term, hint.basis, hint.checksums]);
    }
    this.sentThrough.set(follower, last.index);
    this.dropSentToAll();
    return wire;
  }

  /** Drops every chain (a new role or term). */
  reset(): void {
    this.hints = [];
    this.bytes = 0;
    this.sentThrough.clear();
  }

  get size(): number {
    return this.hints.length;
  }

  /** The position of the first chain of an index above `index` (chains are in index order). */
  private firstAfter(index: number): number {
    let low = 0;
    let high = this.hints.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.hints[middle]!.index <= index) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private dropSentToAll(): void {
    let sentToAll = Infinity;
    for (const id of this.followerIds) sentToAll = Math.min(sentToAll, this.sentThrough.get(id) ?? 0);
    while (this.hints.length > 0 && this.hints[0]!.index <= sentToAll) this.bytes -= hintBytes(this.hints.shift()!);
  }
}

/** Follower side: chains received for entries not yet applied. */
export class ChainHintInbox {
  /** By index, in arrival order. */
  private readonly hints = new Map<number, ChainHint>();
  private bytes = 0;
  /** Whether arrival order is index order (false once a lower index arrived after a higher one). */
  private ordered = true;
  private highestIndex = -Infinity;

  constructor(private readonly bytesMax: number) {}

  add(hints: readonly ChainHint[]): void {
    for (const hint of hints) {
      this.remove(hint.index);
      if (hint.index < this.highestIndex) this.ordered = false;
      this.highestIndex = Math.max(this.highestIndex, hint.index);
      this.hints.set(hint.index, hint);
      this.bytes += hintBytes(hint);
    }
    for (const index of this.hints.keys()) {
      if (this.bytes <= this.bytesMax) break;
      this.remove(index);
    }
  }

  /**
   * The chain received for entry (index, term), if any; drops it and every chain of an index
   * up to this one (entries are applied in order: those are of no use any more).
   */
  take(index: number, term: number): ChecksumChain | undefined {
    const hint = this.hints.get(index);
    // Usually the first few: arrival order is index order, and the scan stops at the first
    // higher index (a follower applying a backlog of B entries takes B chains, and a scan of
    // them all each time cost B²). But a deposed leader's chains for higher indexes may sit
    // in front of a new leader's: then every one is looked at (bounded in bytes) until none
    // is left.
    for (const key of this.hints.keys()) {
      if (key <= index) this.remove(key);
      else if (this.ordered) break;
    }
    if (this.hints.size === 0) {
      this.ordered = true;
      this.highestIndex = -Infinity;
    }
    return hint !== undefined && hint.term === term ? hint : undefined;
  }

  get size(): number {
    return this.hints.size;
  }

  private remove(index: number): void {
    const hint = this.hints.get(index);
    if (hint === undefined) return;
    this.hints.delete(index);
    this.bytes -= hintBytes(hint);
  }
}

/**
 * Validates received wire hints: the chains, or why they are malformed. Chains beyond bytesMax
 * are dropped (they only save work). Each is copied out of the received frame, which a kept
 * chain would otherwise keep alive.
 */
export function checkChainHints(value: unknown, bytesMax: number): ChainHint[] | string {
  if (!Array.isArray(value)) return 'hints are not an array';
  const hints: ChainHint[] = [];
  let bytes = 0;
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 4) return 'a hint is not [index, term, basis, checksums]';
    const [index, term, basis, checksums] = item as unknown[];
    if (!Number.isSafeInteger(index) || (index as number) < 1 || !Number.isSafeInteger(term) || (term as number) < 1) return 'a hint has a bad index or term';
    if (!(basis instanceof Uint8Array) || basis.length !== checksumBytes) return 'a hint has a bad basis';
    if (!(checksums instanceof Uint8Array) || checksums.length === 0 || checksums.length % checksumBytes !== 0) return 'a hint has bad checksums';
    bytes += hintBytes({ basis, checksums });
    if (bytes <= bytesMax) hints.push({ index: index as number, term: term as number, basis: Uint8Array.from(basis), checksums: Uint8Array.from(checksums) });
  }
  return hints;
}
