// A log node's durable state on top of a LogStore: identity, Raft hard state, Raft entries,
// the Raft compaction point, and the named-log state machine with its applied index. The
// driver turns each Raft Ready into one batch built here.

import { assert } from '../assert.js';
import { decode, encode } from '../codec.js';
import type { HardState, RaftEntry, SnapshotData, SnapshotMeta } from '../raft/types.js';
import type { LogStore, StoreOp, StoreSnapshot } from '../store/log-store.js';
import {
  allLogEntries,
  allLogMetas,
  allRaftEntries,
  appliedIndexKey,
  hardStateKey,
  identityKey,
  logMetaKey,
  raftEntryKey,
  raftEntryRange,
  raftSnapshotMetaKey,
  readU64,
} from '../store/keys.js';
import { decodeEntryRecord } from '../state/entry-records.js';
import { decodeLogMeta, encodeLogMeta, NamedLogs } from '../state/named-logs.js';
import type { LogEntry, LogMeta } from '../state/types.js';
import { logEntryKey, logEntryRange } from '../store/keys.js';

export interface NodeIdentity {
  clusterId: string;
  nodeId: string;
  /** True from joining as a replacement (empty directory) until the Raft core re-enables voting. */
  catchingUp: boolean;
}

export interface LoadedState {
  identity: NodeIdentity | null;
  hardState: HardState;
  snapshot: SnapshotMeta | null;
  entries: RaftEntry[];
  appliedIndex: number;
  logs: NamedLogs;
}

/**
 * What a state-machine snapshot carries: every log's metadata and its stored entry records,
 * as stored (see state/entry-records.ts), each with the LSN of its last entry (its key).
 * `entries` is the form before batch records (one LogEntry each), still accepted on install.
 */
interface StateSnapshot {
  logs: Array<{ name: string; meta: LogMeta; records?: Array<[number, Uint8Array]>; entries?: LogEntry[] }>;
}

export const emptyHardState: HardState = { term: 0, votedFor: null, commitIndex: 0 };

function encodeRaftEntry(entry: RaftEntry): Uint8Array {
  return encode(entry);
}

function decodeRaftEntry(bytes: Uint8Array): RaftEntry {
  const entry = decode(bytes) as RaftEntry;
  return { index: entry.index, term: entry.term, data: entry.data === null || entry.data === undefined ? null : entry.data };
}

export async function loadIdentity(store: LogStore): Promise<NodeIdentity | null> {
  const bytes = await store.get(identityKey);
  return bytes ? (decode(bytes) as NodeIdentity) : null;
}

export function identityOp(identity: NodeIdentity): StoreOp {
  return { type: 'put', key: identityKey, value: encode(identity) };
}

export async function loadState(store: LogStore): Promise<LoadedState> {
  const identity = await loadIdentity(store);
  const hardStateBytes = await store.get(hardStateKey);
  const hardState = hardStateBytes ? (decode(hardStateBytes) as HardState) : { ...emptyHardState };
  const snapshotBytes = await store.get(raftSnapshotMetaKey);
  const snapshot = snapshotBytes ? (decode(snapshotBytes) as SnapshotMeta) : null;
  // Entries at or below the compaction point may still be stored (deleted in the background).
  const entries = (await store.range({ gte: raftEntryKey((snapshot?.index ?? 0) + 1), lt: allRaftEntries.lt })).map(([, value]) => decodeRaftEntry(value));
  const appliedBytes = await store.get(appliedIndexKey);
  const appliedIndex = appliedBytes ? readU64(appliedBytes, 0) : (snapshot?.index ?? 0);
  const metas: Array<[string, LogMeta]> = [];
  for (const [key, value] of await store.range(allLogMetas)) {
    const nameLength = Buffer.from(key).readUInt16BE(1);
    metas.push([Buffer.from(key.subarray(3, 3 + nameLength)).toString('utf8'), decodeLogMeta(value)]);
  }
  return { identity, hardState, snapshot, entries, appliedIndex, logs: NamedLogs.fromMetas(metas) };
}

export function hardStateOp(hardState: HardState): StoreOp {
  return { type: 'put', key: hardStateKey, value: encode(hardState) };
}

export function appliedIndexOp(index: number): StoreOp {
  const value = Buffer.alloc(8);
  value.writeBigUInt64BE(BigInt(index));
  return { type: 'put', key: appliedIndexKey, value };
}

/** Replace stored entries from `fromIndex` on with `entries` (a conflicting suffix goes). */
export function raftEntriesOps(fromIndex: number, entries: readonly RaftEntry[], lastStoredIndex: number): StoreOp[] {
  const ops: StoreOp[] = [];
  const lastNewIndex = fromIndex + entries.length - 1;
  if (lastStoredIndex > lastNewIndex) ops.push({ type: 'delRange', ...raftEntryRange(lastNewIndex + 1, lastStoredIndex + 1) });
  entries.forEach((entry, offset) => {
    assert(entry.index === fromIndex + offset, 'entries to persist must be contiguous');
    ops.push({ type: 'put', key: raftEntryKey(entry.index), value: encodeRaftEntry(entry) });
  });
  return ops;
}

/**
 * Records the compaction point. The stored Raft entries at or below it are deleted in the
 * background (node/sweeper.ts); loadState never reads them.
 */
export function compactionOps(point: SnapshotMeta): StoreOp[] {
  return [{ type: 'put', key: raftSnapshotMetaKey, value: encode(point) }];
}

/** Stored keys that may remain below the trim points and the compaction point after a restart. */
export function unreachableRanges(state: { snapshot: SnapshotMeta | null; logs: NamedLogs }): Array<{ gte: Uint8Array; lt: Uint8Array }> {
  const ranges = [raftEntryRange(0, (state.snapshot?.index ?? 0) + 1)];
  for (const name of state.logs.names()) ranges.push(logEntryRange(name, 0, state.logs.meta(name).firstLsn));
  return ranges;
}

/**
 * Reads the whole state machine from a store snapshot taken together with `metas` (so both
 * show the same applied index) into snapshot bytes. Records travel as stored, undecoded.
 */
export async function readStateSnapshot(store: StoreSnapshot, metas: ReadonlyMap<string, LogMeta>): Promise<Uint8Array> {
  const snapshot: StateSnapshot = { logs: [] };
  for (const [name, meta] of [...metas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const rows = await store.range(logEntryRange(name, meta.firstLsn, meta.tailLsn + 1));
    const records = rows.map(([key, value]): [number, Uint8Array] => [readU64(key, key.length - 8), value]);
    // Checked here, where a bad store can only fail this send, rather than on the follower,
    // where installing it would stop that node's driver (InstallSnapshot is rare: decoding is cheap enough).
    checkRecordsCover(name, records, meta);
    snapshot.logs.push({ name, meta, records });
  }
  return encode(snapshot);
}

/**
 * Asserts that `records` (keyed by their last LSN, in order) decode and cover
 * meta.firstLsn..meta.tailLsn exactly: the first may start below firstLsn (a trim inside it),
 * every later one starts right after the one before.
 */
function checkRecordsCover(name: string, records: ReadonlyArray<[number, Uint8Array]>, meta: LogMeta): void {
  let expected = meta.firstLsn;
  for (const [index, [lastLsn, value]] of records.entries()) {
    const decoded = decodeEntryRecord(value);
    assert(decoded[decoded.length - 1]!.lsn === lastLsn, `log ${name}: record keyed ${lastLsn} ends elsewhere`);
    const first = decoded[0]!.lsn;
    assert(index === 0 ? first <= expected && lastLsn >= expected : first === expected, `log ${name}: records leave a gap or overlap at ${expected}`);
    expected = lastLsn + 1;
  }
  assert(expected === meta.tailLsn + 1, `log ${name}: records end at ${expected - 1}, the tail is ${meta.tailLsn}`);
}

/**
 * Ops that replace the whole state machine and Raft log with an installed snapshot, and the
 * state machine it loads. Every log's records must cover firstLsn..tailLsn without a gap.
 */
export function installSnapshotOps(snapshot: SnapshotData): { ops: StoreOp[]; logs: NamedLogs } {
  const state = decode(snapshot.data) as StateSnapshot;
  assert(Array.isArray(state.logs), 'malformed state snapshot');
  const ops: StoreOp[] = [
    { type: 'delRange', ...allRaftEntries },
    { type: 'delRange', ...allLogMetas },
    { type: 'delRange', ...allLogEntries },
  ];
  const metas: Array<[string, LogMeta]> = [];
  for (const { name, meta, records, entries } of state.logs) {
    const loaded = decodeLogMeta(encodeLogMeta(meta));
    metas.push([name, loaded]);
    ops.push({ type: 'put', key: logMetaKey(name), value: encodeLogMeta(loaded) });
    const values = records ?? (entries ?? []).map((entry): [number, Uint8Array] => [entry.lsn, encode(entry)]);
    checkRecordsCover(name, values, loaded);
    for (const [lastLsn, value] of values) ops.push({ type: 'put', key: logEntryKey(name, lastLsn), value });
  }
  ops.push({ type: 'put', key: raftSnapshotMetaKey, value: encode({ index: snapshot.index, term: snapshot.term }) });
  ops.push(appliedIndexOp(snapshot.index));
  return { ops, logs: NamedLogs.fromMetas(metas) };
}

/**
 * Committed entries of one log from fromLsn to toLsnInclusive, bounded by count and bytes (at
 * least one entry). The record holding fromLsn may start below it (a batch): the entries
 * before fromLsn are skipped.
 */
export async function readLogEntries(
  store: LogStore,
  log: string,
  fromLsn: number,
  toLsnInclusive: number,
  entriesMax: number,
  bytesMax: number,
): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  if (toLsnInclusive < fromLsn) return entries;
  let bytes = 0;
  // The record holding toLsnInclusive is keyed at or after it: scan to the end of the log's keys.
  for await (const [, value] of store.iterate(logEntryRange(log, fromLsn, Number.MAX_SAFE_INTEGER))) {
    for (const entry of decodeEntryRecord(value)) {
      if (entry.lsn < fromLsn) continue;
      if (entry.lsn > toLsnInclusive || entries.length >= entriesMax) return entries;
      if (entries.length > 0 && bytes + entry.payload.length > bytesMax) return entries;
      bytes += entry.payload.length;
      entries.push(entry);
    }
  }
  return entries;
}
