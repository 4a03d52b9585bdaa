// The client protocol of a log node. Requests carry an id (multiplexing on one connection);
// each gets exactly one Response with the same id. Subscriptions also receive Push frames
// (keyed by the subscribe request's id) and are flow-controlled by Credit frames.
// Peer traffic on the same port starts with a PeerHello frame and then carries RaftFrames.

import { isChecksum } from '../checksum.js';
import type { WireError } from '../errors.js';
import type { RaftMessage } from '../raft/types.js';
import type { LogEntry } from '../state/types.js';

export type Request =
  | { id: number; op: 'append'; log: string; prevLsn: number; prevChecksum?: Uint8Array; writerId: string; batchSeq: number; payloads: Uint8Array[]; snapshotLsn?: number }
  | { id: number; op: 'read'; log: string; fromLsn: number; entriesMax?: number; bytesMax?: number; leader?: boolean }
  | { id: number; op: 'tail'; log: string; leader?: boolean }
  | { id: number; op: 'trim'; log: string; beforeLsn: number }
  | { id: number; op: 'mark-snapshot'; log: string; snapshotLsn: number; info: Uint8Array }
  | { id: number; op: 'status' }
  | { id: number; op: 'identity' }
  | { id: number; op: 'subscribe'; log: string; fromLsn: number; credit: number };

/** One-way frames from the client (no response). */
export type ClientSignal =
  | { op: 'credit'; sub: number; entries: number }
  | { op: 'unsubscribe'; sub: number };

export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireError };

/** Entries for subscription `sub`, or its end with an error (e.g. LOG_TRIMMED). */
export type Push = { push: number; entries: LogEntry[] } | { push: number; error: WireError };

export interface PeerHello {
  op: 'peer-hello';
  from: string;
  clusterId: string;
}

/** A checksum chain on the wire (node/chain-hints.ts): [index, term, basis, checksums]. */
export type WireChainHint = [number, number, Uint8Array, Uint8Array];

export interface RaftFrame {
  op: 'raft';
  message: RaftMessage;
  /** Checksum chains of entries the leader applied ahead (node/chain-hints.ts), on its messages. */
  hints?: WireChainHint[];
}

export interface AppendResult {
  firstLsn: number;
  lastLsn: number;
  checksum: Uint8Array;
}

export interface ReadResult {
  entries: LogEntry[];
  firstLsn: number;
  tailLsn: number;
}

export interface TailResult {
  firstLsn: number;
  tailLsn: number;
  checksum: Uint8Array;
  snapshotLsn: number;
  /** What the last MarkSnapshot recorded (null if none, or if the guard came from an Append). */
  snapshotInfo: Uint8Array | null;
}

export interface TrimResult {
  firstLsn: number;
}

export interface IdentityResult {
  nodeId: string;
  clusterId: string | null;
  /** True when this node holds Raft state (a term or entries): the cluster exists. */
  hasData: boolean;
  /**
   * True while the node has not yet read its own store (or has data but has not settled its
   * identity): it cannot tell, and an asker must not take it for an empty node. Absent from
   * nodes before this field existed.
   */
  starting?: boolean;
}

export interface NodeStatus {
  id: string;
  role: 'leader' | 'follower' | 'candidate';
  /** A candidate's phase: 'pre-vote' asks whether it could win and changes no term (a node
   *  that lost its leader's heartbeats for an election timeout); 'vote' is an election.
   *  Absent from nodes older than this field. */
  campaignPhase?: 'pre-vote' | 'vote' | null;
  term: number;
  leaderId: string | null;
  commitIndex: number;
  appliedIndex: number;
  votingEnabled: boolean;
  clusterId: string | null;
  logs: Record<string, { firstLsn: number; tailLsn: number }>;
  /** Each other node's match index and how many entries it is behind the leader's last one:
   *  on the leader, its own view; on a follower, the leader's as of its latest heartbeat.
   *  Empty on a candidate, and on a follower whose leader has not sent one or has been silent
   *  for more than two heartbeat intervals. */
  peers: Record<string, { matchIndex: number; lag: number }>;
}

function isName(value: unknown, bytesMax: number): value is string {
  return typeof value === 'string' && value.length > 0 && Buffer.byteLength(value) <= bytesMax;
}

/** A count, index or LSN on the wire: a non-negative safe integer. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Checks shape and types of a decoded frame; returns a reason when it is not a valid request. */
export function validateRequest(value: unknown, logNameBytesMax: number): string | null {
  if (!value || typeof value !== 'object') return 'frame is not a map';
  const request = value as Record<string, unknown>;
  if (!isCount(request.id)) return 'missing request id';
  switch (request.op) {
    case 'append':
      if (!isName(request.log, logNameBytesMax)) return 'bad log name';
      if (!isCount(request.prevLsn) || !isCount(request.batchSeq)) return 'bad prevLsn or batchSeq';
      if (typeof request.writerId !== 'string' || request.writerId.length > 128) return 'bad writerId';
      if (!Array.isArray(request.payloads) || request.payloads.length === 0) return 'append needs entries';
      if (!request.payloads.every((payload) => payload instanceof Uint8Array)) return 'entries must be binary';
      if (request.snapshotLsn !== undefined && !isCount(request.snapshotLsn)) return 'bad snapshotLsn';
      if (request.prevChecksum !== undefined && !isChecksum(request.prevChecksum)) return 'bad prevChecksum';
      return null;
    case 'read':
      if (!isName(request.log, logNameBytesMax)) return 'bad log name';
      if (!isCount(request.fromLsn)) return 'bad fromLsn';
      if (request.entriesMax !== undefined && !isCount(request.entriesMax)) return 'bad entriesMax';
      if (request.bytesMax !== undefined && !isCount(request.bytesMax)) return 'bad bytesMax';
      return null;
    case 'tail':
      return isName(request.log, logNameBytesMax) ? null : 'bad log name';
    case 'trim':
      if (!isName(request.log, logNameBytesMax)) return 'bad log name';
      return isCount(request.beforeLsn) ? null : 'bad beforeLsn';
    case 'mark-snapshot':
      if (!isName(request.log, logNameBytesMax)) return 'bad log name';
      if (!isCount(request.snapshotLsn)) return 'bad snapshotLsn';
      return request.info instanceof Uint8Array ? null : 'info must be binary';
    case 'subscribe':
      if (!isName(request.log, logNameBytesMax)) return 'bad log name';
      if (!isCount(request.fromLsn) || !isCount(request.credit)) return 'bad fromLsn or credit';
      return null;
    case 'status':
    case 'identity':
      return null;
    default:
      return `unknown op ${String(request.op)}`;
  }
}
