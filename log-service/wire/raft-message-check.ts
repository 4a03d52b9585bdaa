// Structural check of a Raft message decoded from a peer frame, before it may reach the core.
// The core trusts its input's shape (a missing field or a string where entries belong throws
// a TypeError deep inside step()), so every frame from the network passes through here first.
//
// One table row per message type lists each field with its kind; the table's type is derived
// from types.ts, so a field added there (or a changed field type) fails to compile until the
// table says how to check it. Fields not in the table are ignored (a newer peer may send more);
// an optional field (its kind ends in '?') may be absent (an older peer does not send it).

import type { AppendEntriesMessage, RaftEntry, RaftMessage } from '../raft/types.js';
import { isCount } from './protocol.js';

type RequiredKind = 'id' | 'count' | 'flag' | 'bytes' | 'entries' | 'indexes';
type FieldKind = RequiredKind | `${RequiredKind}?`;

/** Most nodes an `indexes` map may name (a log cluster has three; this only bounds the work). */
const indexesNodesMax = 64;

/** The kind that checks a field of TypeScript type T ('…?' for an optional field). */
type KindOf<T> = undefined extends T ? `${RequiredKindOf<Exclude<T, undefined>>}?` : RequiredKindOf<T>;

type RequiredKindOf<T> = T extends RaftEntry[]
  ? 'entries'
  : T extends Uint8Array
    ? 'bytes'
    : T extends boolean
      ? 'flag'
      : T extends number
        ? 'count'
        : T extends string
          ? 'id'
          : T extends Record<string, number>
            ? 'indexes'
            : never;

type Schema<M> = { [F in Exclude<keyof M, 'type'>]-?: KindOf<M[F]> };
type Schemas = { [T in RaftMessage['type']]: Schema<Extract<RaftMessage, { type: T }>> };

const base = { from: 'id', to: 'id', term: 'count' } as const;

const schemas: Schemas = {
  AppendEntries: {
    ...base, prevLogIndex: 'count', prevLogTerm: 'count', entries: 'entries', leaderCommit: 'count', leaderLastIndex: 'count',
  },
  AppendEntriesResponse: {
    ...base, success: 'flag', matchIndex: 'count', rejectedIndex: 'count', hintIndex: 'count', hintTerm: 'count', lastLogIndex: 'count',
  },
  Heartbeat: { ...base, commitIndex: 'count', commitTerm: 'count', leaderCommit: 'count', leaderLastIndex: 'count', matchIndexes: 'indexes?' },
  HeartbeatResponse: { ...base, lastLogIndex: 'count' },
  RequestVote: { ...base, preVote: 'flag', round: 'count', lastLogIndex: 'count', lastLogTerm: 'count' },
  RequestVoteResponse: { ...base, preVote: 'flag', round: 'count', granted: 'flag' },
  InstallSnapshot: {
    ...base, lastIncludedIndex: 'count', lastIncludedTerm: 'count', data: 'bytes', leaderCommit: 'count', leaderLastIndex: 'count',
  },
};

/** The schemas as lists, parsed once: each field with its required kind and whether it may be absent. */
type FieldCheck = { field: string; kind: RequiredKind; optional: boolean };
const fieldChecks = new Map<string, FieldCheck[]>(
  Object.entries(schemas).map(([type, schema]) => [
    type,
    Object.entries(schema as Record<string, FieldKind>).map(([field, kind]) => ({
      field,
      kind: (kind.endsWith('?') ? kind.slice(0, -1) : kind) as RequiredKind,
      optional: kind.endsWith('?'),
    })),
  ]),
);

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** A reason why value is not a RaftEntry, or null. */
function entryProblem(value: unknown): string | null {
  if (!isMap(value)) return 'is not a map';
  if (!isCount(value.index)) return 'has a bad index';
  if (!isCount(value.term)) return 'has a bad term';
  if (value.data !== null && !(value.data instanceof Uint8Array)) return 'has data that is neither null nor bytes';
  return null;
}

/** A reason why value does not have the given kind, or null. */
function fieldProblem(kind: RequiredKind, value: unknown): string | null {
  switch (kind) {
    case 'id':
      return typeof value === 'string' && value.length > 0 ? null : 'must be a non-empty string';
    case 'count':
      return isCount(value) ? null : 'must be a non-negative safe integer';
    case 'flag':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'bytes':
      return value instanceof Uint8Array ? null : 'must be bytes';
    case 'indexes': {
      if (!isMap(value)) return 'must be a map of node ids to indexes';
      const entries = Object.entries(value);
      if (entries.length > indexesNodesMax) return `names more than ${indexesNodesMax} nodes`;
      for (const [id, index] of entries) {
        if (id.length === 0 || !isCount(index)) return `has a bad entry for ${shortText(id)}`;
      }
      return null;
    }
    case 'entries': {
      if (!Array.isArray(value)) return 'must be an array';
      for (let i = 0; i < value.length; i++) {
        const problem = entryProblem(value[i]);
        if (problem) return `entry ${i} ${problem}`;
      }
      return null;
    }
  }
}

/** What a leader's AppendEntries always satisfies and the core relies on: the entries extend
 *  prevLogIndex without gaps, and their terms never go down nor exceed the message's term. */
function appendEntriesProblem(message: AppendEntriesMessage): string | null {
  let term = message.prevLogTerm;
  for (let i = 0; i < message.entries.length; i++) {
    const entry = message.entries[i]!;
    if (entry.index !== message.prevLogIndex + 1 + i) return `entry ${i} has index ${entry.index}, expected ${message.prevLogIndex + 1 + i}`;
    if (entry.term < term || entry.term > message.term) return `entry ${i} has term ${entry.term} out of order`;
    term = entry.term;
  }
  return null;
}

function shortText(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Checks the shape of a decoded Raft message: returns it (typed) when every field of its type
 * is present with the right type, else a one-line reason.
 */
export function checkRaftMessage(value: unknown): RaftMessage | string {
  if (!isMap(value)) return 'Raft message is not a map';
  const type = value.type;
  const checks = typeof type === 'string' ? fieldChecks.get(type) : undefined;
  if (checks === undefined) return `unknown Raft message type ${shortText(type)}`;
  for (const { field, kind, optional } of checks) {
    const fieldValue = value[field];
    if (optional && fieldValue === undefined) continue;
    const problem = fieldProblem(kind, fieldValue);
    if (problem) return `${type}.${field} ${problem}`;
  }
  const message = value as unknown as RaftMessage;
  if (message.type === 'AppendEntries') {
    const problem = appendEntriesProblem(message);
    if (problem) return `AppendEntries ${problem}`;
  }
  return message;
}
