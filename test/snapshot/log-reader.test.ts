// Which log node the snapshotter replays from (pure).
import { describe, expect, it } from 'vitest';
import { pickFollower } from '../../src/snapshot/log-reader.js';
import type { NodeStatus } from '../../log-service/wire/protocol.js';

function status(id: string, role: NodeStatus['role'], leaderId: string | null, tailLsn: number, firstLsn = 1): NodeStatus {
  return { id, role, term: 2, leaderId, commitIndex: tailLsn, appliedIndex: tailLsn, votingEnabled: true, clusterId: 'c', logs: { 'shard-0': { firstLsn, tailLsn } }, peers: {} };
}

describe('pickFollower', () => {
  const nodes = ['h:1', 'h:2', 'h:3'];
  it('takes the follower that has applied the most, never the leader', () => {
    expect(pickFollower(nodes, [status('a', 'leader', 'a', 100), status('b', 'follower', 'a', 90), status('c', 'follower', 'a', 95)], 'shard-0', 1)).toBe('h:3');
    expect(pickFollower(nodes, [status('a', 'follower', 'c', 80), status('b', 'follower', 'c', 90), status('c', 'leader', 'c', 100)], 'shard-0', 1)).toBe('h:2');
  });
  it('skips unreachable nodes, candidates and followers trimmed past the start', () => {
    expect(pickFollower(nodes, [status('a', 'leader', 'a', 100), null, status('c', 'follower', 'a', 95, 50)], 'shard-0', 10)).toBeNull();
    expect(pickFollower(nodes, [status('a', 'leader', 'a', 100), status('b', 'candidate', null, 99), status('c', 'follower', 'a', 95, 50)], 'shard-0', 60)).toBe('h:3');
  });
  it('accepts a follower that has not seen the log yet (it will be waited for)', () => {
    const fresh = { ...status('b', 'follower', 'a', 0), logs: {} };
    expect(pickFollower(nodes, [status('a', 'leader', 'a', 100), fresh, null], 'shard-0', 1)).toBe('h:2');
  });
});
