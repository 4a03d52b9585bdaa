import { describe, expect, it } from 'vitest';
import { LazyFollowers, mergeAppends } from '../../log-service/node/lazy-followers.js';
import type { RaftMessage } from '../../log-service/raft/types.js';

const append = (to: string, index: number): RaftMessage => ({
  type: 'AppendEntries', from: 'a', to, term: 1, prevLogIndex: index - 1, prevLogTerm: 1,
  entries: [{ index, term: 1, data: null }], leaderCommit: 0, leaderLastIndex: index,
});
const indexOf = (message: RaftMessage) => (message.type === 'AppendEntries' ? message.entries[0]!.index : -1);

/** Three nodes: leader a, followers b and c; a commit needs one of them; 20 ms delay, 150 ms health. */
function threeNodes(): LazyFollowers {
  const lazy = new LazyFollowers(['c', 'b'], 1, 20, 150);
  lazy.noteAnswer('b', null, 0);
  lazy.noteAnswer('c', null, 0);
  return lazy;
}

describe('lazy followers', () => {
  it('hold nothing until quorum − 1 followers have answered (a new leader knows of none)', () => {
    const lazy = new LazyFollowers(['b', 'c'], 1, 20, 150);
    expect(lazy.shouldHold('b', 0)).toBe(false);
    expect(lazy.shouldHold('c', 0)).toBe(false);
    lazy.noteAnswer('c', null, 1);
    expect(lazy.eagerFollowers(1)).toEqual(['c']);
    expect(lazy.shouldHold('b', 1)).toBe(true);
  });

  it('wait for the first healthy follower in id order, and hold the others\' appends for the delay', () => {
    const lazy = threeNodes();
    expect(lazy.eagerFollowers(10)).toEqual(['b']);
    expect(lazy.shouldHold('b', 10)).toBe(false);
    expect(lazy.shouldHold('c', 10)).toBe(true);
    lazy.hold(append('c', 1), 10);
    lazy.hold(append('c', 2), 15);
    expect(lazy.dueInMs(15)).toBe(15);
    expect(lazy.takeDue(29)).toEqual([]);
    expect(lazy.takeDue(30).map(indexOf)).toEqual([1, 2]);
    expect(lazy.dueInMs(30)).toBe(Infinity);
  });

  it('give a follower its held appends, in order, before any other message to it', () => {
    const lazy = threeNodes();
    lazy.hold(append('c', 1), 10);
    lazy.hold(append('c', 2), 11);
    expect(lazy.takeFor('b')).toEqual([]);
    expect(lazy.takeFor('c').map(indexOf)).toEqual([1, 2]);
    expect(lazy.dueInMs(12)).toBe(Infinity);
  });

  it('replace an eager follower that stops answering altogether', () => {
    const lazy = threeNodes();
    lazy.noteAnswer('c', null, 140);
    expect(lazy.shouldHold('c', 140)).toBe(true);
    // b's last answer was at 0: at 151 it is unhealthy, and c is the one a commit waits for.
    expect(lazy.eagerFollowers(151)).toEqual(['c']);
    expect(lazy.shouldHold('c', 151)).toBe(false);
    expect(lazy.shouldHold('b', 151)).toBe(true);
    // Neither answers any more: fewer healthy followers than a commit needs, nothing is held.
    expect(lazy.shouldHold('b', 300)).toBe(false);
    expect(lazy.shouldHold('c', 300)).toBe(false);
  });

  it('replace an eager follower that answers heartbeats but leaves appends unanswered for the delay (a stalled disk)', () => {
    const lazy = threeNodes();
    lazy.noteSent(append('b', 1), 10);
    lazy.noteSent(append('b', 2), 12);
    lazy.noteAnswer('b', null, 25); // a heartbeat answered at once
    expect(lazy.eagerFollowers(29)).toEqual(['b']);
    expect(lazy.eagerFollowers(30)).toEqual(['c']); // append 1 unanswered for 20 ms
    lazy.noteAnswer('b', 1, 31); // append 1 stored; append 2 (sent at 12) is open for 19 ms
    expect(lazy.eagerFollowers(31)).toEqual(['b']);
    expect(lazy.eagerFollowers(32)).toEqual(['c']);
    lazy.noteAnswer('b', 2, 33);
    expect(lazy.eagerFollowers(33)).toEqual(['b']);
  });

  it('count an unanswered InstallSnapshot like an append, and a refusal as an answer to everything sent', () => {
    const lazy = threeNodes();
    lazy.noteSent({ type: 'InstallSnapshot', from: 'a', to: 'b', term: 1, lastIncludedIndex: 50, lastIncludedTerm: 1, data: new Uint8Array(0) } as RaftMessage, 10);
    expect(lazy.eagerFollowers(30)).toEqual(['c']);
    lazy.noteAnswer('b', Infinity, 31); // refused: the leader probes again
    expect(lazy.eagerFollowers(31)).toEqual(['b']);
  });

  it('forget what was held and awaited when the role or term changes', () => {
    const lazy = threeNodes();
    lazy.hold(append('c', 1), 10);
    lazy.noteSent(append('b', 1), 10);
    lazy.reset();
    expect(lazy.dueInMs(11)).toBe(Infinity);
    expect(lazy.eagerFollowers(11)).toEqual([]); // nobody has answered in this role yet
  });

  it('in a five-node cluster wait for two followers and hold the other two', () => {
    const lazy = new LazyFollowers(['b', 'c', 'd', 'e'], 2, 20, 150);
    for (const peer of ['b', 'c', 'd', 'e']) lazy.noteAnswer(peer, null, 0);
    expect(lazy.eagerFollowers(1)).toEqual(['b', 'c']);
    expect(['b', 'c', 'd', 'e'].map((peer) => lazy.shouldHold(peer, 1))).toEqual([false, false, true, true]);
  });
});

describe('mergeAppends', () => {
  const entry = (index: number, term = 1, bytes = 10) => ({ index, term, data: new Uint8Array(bytes) });
  const appendOf = (to: string, prevLogIndex: number, prevLogTerm: number, entries: ReturnType<typeof entry>[], leaderCommit = 0, term = 1): RaftMessage => ({
    type: 'AppendEntries', from: 'a', to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, leaderLastIndex: entries[entries.length - 1]!.index,
  });
  const shape = (messages: RaftMessage[]) => messages.map((m) => (m.type === 'AppendEntries'
    ? `${m.to}:${m.prevLogIndex}>${m.entries.map((e) => e.index).join(',')}@${m.leaderCommit}/${m.leaderLastIndex}`
    : `${m.to}:${m.type}`));

  it('merges AppendEntries to one peer whose entries follow on, keeping the latest commit and last index', () => {
    const held = [appendOf('c', 4, 1, [entry(5), entry(6)], 3), appendOf('c', 6, 1, [entry(7)], 5), appendOf('c', 7, 1, [entry(8)], 6)];
    expect(shape(mergeAppends(held, 100, 1000))).toEqual(['c:4>5,6,7,8@6/8']);
    expect(shape(held)).toEqual(['c:4>5,6@3/6', 'c:6>7@5/7', 'c:7>8@6/8']); // the held messages are not changed
  });

  it('keeps apart what does not follow on: a gap, another term, a message between, another peer', () => {
    const held: RaftMessage[] = [
      appendOf('c', 4, 1, [entry(5)]),
      appendOf('c', 6, 1, [entry(7)]), // gap: 6 missing
      appendOf('c', 7, 2, [entry(8, 2)]), // prevLogTerm 2, but 7 has term 1
      { type: 'Heartbeat', from: 'a', to: 'd', term: 1, commitIndex: 0, commitTerm: 0, leaderCommit: 0, leaderLastIndex: 8, matchIndexes: {} },
      appendOf('d', 4, 1, [entry(5)]),
      { type: 'Heartbeat', from: 'a', to: 'd', term: 1, commitIndex: 0, commitTerm: 0, leaderCommit: 0, leaderLastIndex: 8, matchIndexes: {} },
      appendOf('d', 5, 1, [entry(6)]), // follows on, but after a message to d
      appendOf('c', 8, 2, [entry(9, 2)], 0, 2), // follows on, but from the leader of another term
    ];
    expect(shape(mergeAppends(held, 100, 1000))).toEqual(['c:4>5@0/5', 'c:6>7@0/7', 'c:7>8@0/8', 'd:Heartbeat', 'd:4>5@0/5', 'd:Heartbeat', 'd:5>6@0/6', 'c:8>9@0/9']);
    // With peers interleaved, each peer's own chain still merges.
    const interleaved = [appendOf('c', 0, 0, [entry(1)]), appendOf('d', 0, 0, [entry(1)]), appendOf('c', 1, 1, [entry(2)]), appendOf('d', 1, 1, [entry(2)])];
    expect(shape(mergeAppends(interleaved, 100, 1000))).toEqual(['c:0>1,2@0/2', 'd:0>1,2@0/2']);
  });

  it('keeps each merged message within the entry and byte bounds of one AppendEntries', () => {
    const held = [1, 2, 3, 4, 5].map((i) => appendOf('c', i - 1, i === 1 ? 0 : 1, [entry(i, 1, 10)]));
    expect(shape(mergeAppends(held, 2, 1000))).toEqual(['c:0>1,2@0/2', 'c:2>3,4@0/4', 'c:4>5@0/5']);
    expect(shape(mergeAppends(held, 100, 30))).toEqual(['c:0>1,2,3@0/3', 'c:3>4,5@0/5']);
  });
});
