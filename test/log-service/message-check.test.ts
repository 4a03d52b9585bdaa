// The structural check of Raft messages from peers: every message type accepted in its valid
// form (also after the msgpack round trip of the wire, and as a real core emits it), and
// every malformed variant refused with a reason before it can reach the core.

import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../log-service/codec.js';
import { checkRaftMessage } from '../../log-service/wire/raft-message-check.js';
import type { RaftMessage } from '../../log-service/raft/types.js';
import { ManualGroup } from './raft/core-harness.js';

const bytes = (text: string) => Uint8Array.from(Buffer.from(text));
const base = { from: 'b', to: 'a', term: 3 };

const valid: Record<RaftMessage['type'], RaftMessage> = {
  AppendEntries: {
    ...base, type: 'AppendEntries', prevLogIndex: 4, prevLogTerm: 2, leaderCommit: 4, leaderLastIndex: 7,
    entries: [{ index: 5, term: 2, data: bytes('x') }, { index: 6, term: 3, data: null }, { index: 7, term: 3, data: new Uint8Array(0) }],
  },
  AppendEntriesResponse: {
    ...base, type: 'AppendEntriesResponse', success: false, matchIndex: 0, rejectedIndex: 9, hintIndex: 5, hintTerm: 2, lastLogIndex: 6,
  },
  Heartbeat: { ...base, type: 'Heartbeat', commitIndex: 4, commitTerm: 2, leaderCommit: 5, leaderLastIndex: 7, matchIndexes: { a: 7, b: 6, c: 0 } },
  HeartbeatResponse: { ...base, type: 'HeartbeatResponse', lastLogIndex: 7 },
  RequestVote: { ...base, type: 'RequestVote', preVote: true, round: 12, lastLogIndex: 7, lastLogTerm: 3 },
  RequestVoteResponse: { ...base, type: 'RequestVoteResponse', preVote: false, round: 12, granted: true },
  InstallSnapshot: {
    ...base, type: 'InstallSnapshot', lastIncludedIndex: 40, lastIncludedTerm: 3, data: bytes('state'), leaderCommit: 41, leaderLastIndex: 42,
  },
};

/** Wrong values for a field, by the family of its valid value. */
function wrongValuesFor(value: unknown): unknown[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    // A map of node ids to indexes ({} is a valid one).
    const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`n${i}`, 1]));
    return [null, 7, 'x', [1], bytes('x'), { a: -1 }, { a: 1.5 }, { a: '3' }, { a: null }, { '': 3 }, tooMany];
  }
  const always = [undefined, null, {}];
  if (typeof value === 'string') return [...always, 7, true, bytes('b'), ''];
  if (typeof value === 'number') return [...always, -1, 1.5, Number.NaN, Infinity, 2 ** 53, '3', true, [3]];
  if (typeof value === 'boolean') return [...always, 1, 0, 'true'];
  if (value instanceof Uint8Array) return [...always, 'state', [1, 2, 3], 5];
  if (Array.isArray(value)) return [...always, 'x', 5, bytes('x'), [null], ['x']];
  throw new Error(`no wrong values for ${String(value)}`);
}

function expectRejected(value: unknown, reason?: RegExp): void {
  const result = checkRaftMessage(value);
  expect(typeof result, JSON.stringify(value)).toBe('string');
  expect(result as string).not.toContain('\n');
  if (reason) expect(result).toMatch(reason);
}

describe('checkRaftMessage', () => {
  it('accepts a valid example of every message type, as is and after the msgpack round trip', () => {
    for (const message of Object.values(valid)) {
      expect(checkRaftMessage(message)).toBe(message);
      const decoded = decode(encode(message));
      expect(checkRaftMessage(decoded)).toEqual(decoded);
      expect(typeof checkRaftMessage(decoded)).toBe('object');
    }
    // An AppendEntries without entries (a probe) and fields a newer peer might add are fine.
    expect(typeof checkRaftMessage({ ...valid.AppendEntries, entries: [] })).toBe('object');
    expect(typeof checkRaftMessage({ ...valid.HeartbeatResponse, extra: 'ignored' })).toBe('object');
  });

  it('accepts every message a real core group sends while electing, replicating and heartbeating', () => {
    const group = new ManualGroup(['a', 'b', 'c']);
    const seen: RaftMessage[] = [];
    const record = (message: RaftMessage) => {
      seen.push(message);
      return true;
    };
    for (let tick = 0; tick < 100 && group.leaders().length === 0; tick++) {
      group.core('a').tick();
      group.deliverAll(record);
    }
    const leader = group.core(group.leaders()[0]!);
    expect(leader.propose(bytes('one')).ok).toBe(true);
    expect(leader.propose(null).ok).toBe(true);
    group.deliverAll(record);
    group.tick(30, record);
    expect(new Set(seen.map((m) => m.type))).toEqual(
      new Set(['RequestVote', 'RequestVoteResponse', 'AppendEntries', 'AppendEntriesResponse', 'Heartbeat', 'HeartbeatResponse']),
    );
    for (const message of seen) expect(typeof checkRaftMessage(decode(encode(message))), JSON.stringify(message)).toBe('object');
  });

  it('rejects what is not a map, and unknown or missing types', () => {
    for (const value of [undefined, null, 5, 'AppendEntries', true, [], [valid.Heartbeat], bytes('x')]) {
      expectRejected(value, /not a map/);
    }
    expectRejected({ ...valid.Heartbeat, type: 'Bogus' }, /unknown Raft message type "Bogus"/);
    expectRejected({ ...valid.Heartbeat, type: 'toString' }, /unknown Raft message type/);
    expectRejected({ ...valid.Heartbeat, type: 7 }, /unknown Raft message type 7/);
    const { type: _type, ...untyped } = valid.Heartbeat;
    expectRejected(untyped, /unknown Raft message type undefined/);
  });

  it('rejects every message type with any field missing or of the wrong type (an optional one may be missing)', () => {
    /** Fields an older peer does not send. */
    const optional = new Set(['Heartbeat.matchIndexes']);
    let variants = 0;
    for (const message of Object.values(valid)) {
      for (const [field, value] of Object.entries(message)) {
        if (field === 'type') continue;
        const { [field]: _dropped, ...missing } = message as unknown as Record<string, unknown>;
        if (optional.has(`${message.type}.${field}`)) expect(checkRaftMessage(missing)).toEqual(missing);
        else expectRejected(missing, new RegExp(`^${message.type}\\.${field} `));
        for (const wrong of wrongValuesFor(value)) {
          expectRejected({ ...message, [field]: wrong }, new RegExp(`^${message.type}\\.${field} `));
          variants++;
        }
      }
    }
    expect(variants).toBeGreaterThan(250);
  });

  it('rejects malformed entries', () => {
    const append = valid.AppendEntries as Extract<RaftMessage, { type: 'AppendEntries' }>;
    const withEntries = (entries: unknown[]) => ({ ...append, entries });
    const good = { index: 5, term: 2, data: bytes('x') };
    // The audit's frame: entries is a string.
    expectRejected({ ...append, entries: 'x' }, /AppendEntries\.entries must be an array/);
    expectRejected(withEntries([good, null]), /entry 1 is not a map/);
    expectRejected(withEntries([good, 'x']), /entry 1 is not a map/);
    expectRejected(withEntries([[5, 2, null]]), /entry 0 is not a map/);
    expectRejected(withEntries([{ term: 2, data: null }]), /entry 0 has a bad index/);
    expectRejected(withEntries([{ ...good, index: -5 }]), /entry 0 has a bad index/);
    expectRejected(withEntries([{ ...good, index: '5' }]), /entry 0 has a bad index/);
    expectRejected(withEntries([{ index: 5, data: null }]), /entry 0 has a bad term/);
    expectRejected(withEntries([{ ...good, term: 2.5 }]), /entry 0 has a bad term/);
    expectRejected(withEntries([{ index: 5, term: 2 }]), /entry 0 has data that is neither null nor bytes/);
    expectRejected(withEntries([{ ...good, data: 'x' }]), /entry 0 has data that is neither null nor bytes/);
    expectRejected(withEntries([{ ...good, data: [1, 2] }]), /entry 0 has data that is neither null nor bytes/);
    // Well-typed entries that no leader sends: a gap, a wrong start, terms going down or
    // beyond the message's term.
    expectRejected(withEntries([good, { index: 7, term: 2, data: null }]), /entry 1 has index 7, expected 6/);
    expectRejected(withEntries([{ ...good, index: 4 }]), /entry 0 has index 4, expected 5/);
    expectRejected(withEntries([{ ...good, term: 3 }, { index: 6, term: 2, data: null }]), /entry 1 has term 2 out of order/);
    expectRejected(withEntries([{ ...good, term: 1 }]), /entry 0 has term 1 out of order/); // below prevLogTerm
    expectRejected(withEntries([{ ...good, term: 4 }]), /entry 0 has term 4 out of order/); // above the message's term
  });
});
