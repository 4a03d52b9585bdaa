import { describe, expect, it } from 'vitest';
import { RaftAssertionError, type AppendEntriesMessage, type RaftCore, type RaftMessage, type Ready, type SnapshotData } from '../../../log-service/raft/index.js';
import { mergeAppends } from '../../../log-service/node/lazy-followers.js';
import { ManualGroup, drain, emptyPersisted, encode, entries, makeConfig, makeCore } from './core-harness.js';

const abc = ['a', 'b', 'c'];

/** The round of the newest RequestVote `core` has queued for `to` (its answer must echo it). */
function roundAskedOf(core: RaftCore, to: string): number {
  const requests = drain(core).messages.filter((message) => message.type === 'RequestVote' && message.to === to);
  const newest = requests.at(-1);
  if (newest?.type !== 'RequestVote') throw new Error(`no RequestVote queued for ${to}`);
  return newest.round;
}

/** Elect `id` in a fresh 3-node ManualGroup by letting only it time out. */
function electedGroup(id = 'a', overrides = {}): ManualGroup {
  const group = new ManualGroup(abc, overrides);
  for (let tick = 0; tick < 100 && group.leaders().length === 0; tick++) {
    group.core(id).tick();
    group.deliverAll();
  }
  expect(group.leaders()).toEqual([id]);
  return group;
}

/**
 * Leader a of a fresh group (its followers in replicate state) takes `count` proposals in one
 * Ready: that Ready, advanced, and the AppendEntries it sends b.
 */
function proposeToPipeline(overrides: object, count: number): { group: ManualGroup; a: RaftCore; ready: Ready; toB: AppendEntriesMessage[] } {
  const group = electedGroup('a', overrides);
  group.deliverAll();
  const a = group.core('a');
  expect(a.status().progress['b']!.state).toBe('replicate');
  for (let index = 0; index < count; index++) expect(a.propose(encode(`p${index}`)).ok).toBe(true);
  const ready = a.ready()!;
  const toB = ready.messages.filter((message): message is AppendEntriesMessage => message.type === 'AppendEntries' && message.to === 'b');
  a.advance(ready);
  return { group, a, ready, toB };
}

describe('RaftCore configuration', () => {
  it('asserts limit relationships at construction', () => {
    expect(() => makeCore('a', abc, emptyPersisted(), { heartbeatTicks: 10, electionTicksMin: 10 })).toThrow(
      RaftAssertionError,
    );
    expect(() => makeCore('a', ['b', 'c'])).toThrow(/include this node/);
    expect(() => makeCore('a', abc, emptyPersisted(), { electionTicksMax: 5 })).toThrow(/electionTicksMax/);
    expect(() => makeCore('a', abc, emptyPersisted(), { entryBytesMax: 1000, appendBytesMax: 64 })).toThrow(
      /entryBytesMax/,
    );
  });

  it('rejects inconsistent persisted state', () => {
    const persisted = { hardState: { term: 1, votedFor: null, commitIndex: 5 }, snapshot: null, entries: entries([1, 1]) };
    expect(() => makeCore('a', abc, persisted)).toThrow(/commitIndex/);
    const gap = { hardState: { term: 1, votedFor: null, commitIndex: 0 }, snapshot: null, entries: entries([1], 3) };
    expect(() => makeCore('a', abc, gap)).toThrow(/contiguous/);
  });
});

describe('RaftCore elections', () => {
  it('elects one leader, which starts its term with a no-op entry', () => {
    const group = electedGroup('a');
    const status = group.core('a').status();
    expect(status.term).toBe(1);
    const first = group.core('a').entryAt(1)!;
    expect(first).toEqual({ index: 1, term: 1, data: null });
    group.deliverAll();
    for (const id of abc) expect(group.core(id).status().commitIndex).toBe(1);
    expect(group.applied.get('b')!.map((entry) => entry.data)).toEqual([null]);
  });

  it('pre-vote: a partitioned node does not bump its term, and does not disrupt the leader on return', () => {
    const group = electedGroup('a');
    group.deliverAll();
    const cut = (message: RaftMessage): boolean => message.from !== 'c' && message.to !== 'c';
    group.tick(200, cut);
    const isolated = group.core('c').status();
    expect(isolated.term).toBe(1); // many election timeouts passed, only pre-votes were sent
    expect(isolated.role).toBe('candidate');
    expect(isolated.campaignPhase).toBe('pre-vote');
    group.tick(30);
    expect(group.leaders()).toEqual(['a']);
    expect(group.core('a').status().term).toBe(1);
    expect(group.core('c').status()).toMatchObject({ role: 'follower', leaderId: 'a', term: 1 });
  });

  it('check-quorum: a leader that hears from no majority within an election timeout steps down', () => {
    const group = electedGroup('a');
    group.deliverAll();
    const leader = group.core('a');
    // Connected: stays leader over many election timeouts.
    group.tick(100);
    expect(group.leaders()).toEqual(['a']);
    // Cut off from both followers: leader ticks alone.
    const before = leader.status().term;
    let ticks = 0;
    while (leader.status().role === 'leader' && ticks < 100) {
      leader.tick();
      drain(leader);
      ticks++;
    }
    expect(leader.status().role).toBe('follower');
    expect(leader.status().term).toBe(before); // stepping down does not bump the term
    expect(ticks).toBeLessThanOrEqual(2 * makeConfig('a', abc).electionTicksMin);
    expect(leader.propose(encode('x'))).toEqual({ ok: false, code: 'NOT_LEADER', leaderId: null });
  });

  it('pre-vote: a grant held back from an earlier round does not count in a later one', () => {
    // c's inbound link stalls (bytes held, not lost): it keeps asking for pre-votes, and once
    // b, briefly out of touch with the leader, grants one. Released seconds later, that grant
    // must not send c into a real election: b and the leader have been in contact since.
    const group = electedGroup('a');
    group.deliverAll();
    const c = group.core('c');
    const nextPreVote = (): RaftMessage => {
      for (let tick = 0; tick < 100; tick++) {
        c.tick();
        const request = drain(c).messages.find((message) => message.type === 'RequestVote' && message.to === 'b');
        if (request) return request;
      }
      throw new Error('c asked for no pre-vote');
    };
    const first = nextPreVote();
    expect(first).toMatchObject({ preVote: true, term: 2 });
    const b = group.core('b');
    for (let tick = 0; tick < 100 && b.status().leaderId !== null; tick++) b.tick(); // b loses touch
    drain(b);
    b.step(first);
    const grant = drain(b).messages.find((message) => message.type === 'RequestVoteResponse')!;
    expect(grant).toMatchObject({ to: 'c', preVote: true, granted: true });

    nextPreVote(); // a later round; the grant of the first arrives only now
    c.step(grant);
    expect(c.status()).toMatchObject({ term: 1, campaignPhase: 'pre-vote' });
    expect(drain(c).messages.filter((message) => message.type === 'RequestVote')).toEqual([]);
  });

  it('a follower in contact with its leader ignores vote requests (leader lease)', () => {
    const group = electedGroup('a');
    group.deliverAll();
    const b = group.core('b');
    b.step({ type: 'RequestVote', from: 'c', to: 'b', term: 5, preVote: false, round: 1, lastLogIndex: 99, lastLogTerm: 9 });
    expect(b.status().term).toBe(1);
    expect(drain(b).messages).toEqual([]);
  });
});

describe('RaftCore commit rule (Figure 8)', () => {
  it('does not commit an earlier-term entry by counting replicas, only with a current-term entry', () => {
    // a holds entry 2 of term 2 that never committed; it becomes leader of term 3.
    const persisted = { hardState: { term: 2, votedFor: null, commitIndex: 1 }, snapshot: null, entries: entries([1, 2]) };
    const a = makeCore('a', abc, persisted);
    for (let tick = 0; tick < 100 && a.status().campaignPhase !== 'pre-vote'; tick++) a.tick();
    a.step({ type: 'RequestVoteResponse', from: 'b', to: 'a', term: 3, preVote: true, round: roundAskedOf(a, 'b'), granted: true });
    a.step({ type: 'RequestVoteResponse', from: 'b', to: 'a', term: 3, preVote: false, round: roundAskedOf(a, 'b'), granted: true });
    expect(a.status()).toMatchObject({ role: 'leader', term: 3, lastIndex: 3 });
    expect(a.entryAt(3)).toEqual({ index: 3, term: 3, data: null });
    drain(a);
    const ok = (matchIndex: number): RaftMessage => ({
      type: 'AppendEntriesResponse', from: 'b', to: 'a', term: 3, success: true, matchIndex,
      rejectedIndex: 0, hintIndex: 0, hintTerm: 0, lastLogIndex: matchIndex,
    });
    a.step(ok(2)); // b stores entry 2 (term 2): a majority holds it, but it is not of term 3
    drain(a);
    expect(a.status().commitIndex).toBe(1);
    a.step(ok(3)); // b stores the no-op of term 3: both commit
    const { applied } = drain(a);
    expect(a.status().commitIndex).toBe(3);
    expect(applied.map((entry) => entry.index)).toEqual([2, 3]);
  });
});

describe('RaftCore replication', () => {
  it('fast back-off: a divergent follower is repaired in one rejection per term, not per entry', () => {
    // a: 10 entries of term 1 then 90 of term 2; b: 100 entries of term 1 (diverging after 10).
    const aLog = entries([...Array(10).fill(1), ...Array(90).fill(2)]);
    const bLog = entries(Array(100).fill(1)).map((entry) => ({ ...entry, data: encode(`b${entry.index}`) }));
    const group = new ManualGroup(abc);
    group.cores.set('a', makeCore('a', abc, { hardState: { term: 2, votedFor: null, commitIndex: 10 }, snapshot: null, entries: aLog }));
    group.cores.set('b', makeCore('b', abc, { hardState: { term: 2, votedFor: null, commitIndex: 10 }, snapshot: null, entries: bLog }));
    const rejections: RaftMessage[] = [];
    const onlyAB = (message: RaftMessage): boolean => {
      if (message.type === 'AppendEntriesResponse' && !message.success) rejections.push(message);
      return message.to !== 'c' && message.from !== 'c';
    };
    for (let tick = 0; tick < 100 && group.leaders().length === 0; tick++) {
      group.core('a').tick();
      group.deliverAll(onlyAB);
    }
    expect(group.leaders()).toEqual(['a']);
    group.tick(20, onlyAB);
    expect(rejections.length).toBeLessThanOrEqual(2);
    expect(group.core('b').status().lastIndex).toBe(101);
    expect(group.core('b').entryAt(50)!.term).toBe(2);
    expect(group.core('b').status().commitIndex).toBe(101);
  });

  it('pipelines at most inflightAppendsMax appends per follower and batches waiting proposals', () => {
    const { group, a, ready, toB } = proposeToPipeline({ inflightAppendsMax: 3, appendEntriesMax: 2 }, 20);
    // Group commit: all 20 proposals go into one Ready (one persist).
    expect(ready.entriesToPersist.length).toBe(20);
    expect(toB.length).toBe(3); // pipelined, bounded
    expect(toB.map((message) => message.prevLogIndex)).toEqual([1, 3, 5]);
    expect(toB.every((message) => message.entries.length === 2)).toBe(true);
    expect(a.status().progress['b']!.inflightAppends).toBe(3);
    // One answer frees one slot: exactly one more append goes out.
    const b = group.core('b');
    b.step(toB[0]!);
    const answer = drain(b).messages;
    for (const message of answer) a.step(message);
    const more = drain(a).messages.filter((message) => message.type === 'AppendEntries' && message.to === 'b');
    expect(more.length).toBe(1);
    expect((more[0] as AppendEntriesMessage).prevLogIndex).toBe(7);
  });

  it('pipelined appends merged as a lazy follower gets them (mergeAppends): stored alike, and one answer frees every slot', () => {
    const { group, a, toB } = proposeToPipeline({ inflightAppendsMax: 3, appendEntriesMax: 2 }, 20);
    const merged = mergeAppends(toB, 10, 1 << 20);
    expect(merged).toHaveLength(1);
    const b = group.core('b');
    b.step(merged[0]!);
    const answer = drain(b);
    expect(answer.readies.flatMap((r) => r.entriesToPersist.map((entry) => entry.index))).toEqual([2, 3, 4, 5, 6, 7]);
    for (const message of answer.messages) a.step(message);
    expect(a.status().progress['b']!.matchIndex).toBe(7);
    // All three slots free: three more appends go out, from where the merged one ended.
    const more = drain(a).messages.filter((message): message is AppendEntriesMessage => message.type === 'AppendEntries' && message.to === 'b');
    expect(more.map((message) => message.prevLogIndex)).toEqual([7, 9, 11]);
  });

  it('a heartbeat answer frees an in-flight slot at once for an append the follower never got, and once per election timeout for one it holds', () => {
    const { a, toB } = proposeToPipeline({ inflightAppendsMax: 2, appendEntriesMax: 1 }, 6);
    expect(toB.map((message) => message.prevLogIndex)).toEqual([1, 2]); // the pipeline is full
    const lastOfFirst = toB[0]!.prevLogIndex + 1;
    const heartbeatAnswer = (lastLogIndex: number) => a.step({ type: 'HeartbeatResponse', from: 'b', to: 'a', term: a.status().term, lastLogIndex });
    const appendsToB = () => drain(a).messages.filter((message) => message.type === 'AppendEntries' && message.to === 'b' && (message as AppendEntriesMessage).entries.length > 0);
    // b holds both appends in memory (its disk is stalled, or its answers were lost): one slot
    // frees (a lost answer must not stall the pipeline forever), then no more within an
    // election timeout however many heartbeats b answers.
    heartbeatAnswer(lastOfFirst + 1);
    expect(appendsToB()).toHaveLength(1);
    heartbeatAnswer(lastOfFirst + 1);
    heartbeatAnswer(lastOfFirst + 1);
    expect(appendsToB()).toEqual([]);
    expect(a.status().progress['b']!.inflightAppends).toBe(2);
    // An election timeout later, an answer that still holds them frees one more (b's answer was
    // lost, not merely late: without this b stayed behind for good — simulation seed 9014).
    for (let tick = 0; tick < makeConfig('a', abc).electionTicksMin; tick++) a.tick();
    expect(appendsToB()).toEqual([]); // ticks alone (heartbeats) open nothing
    heartbeatAnswer(lastOfFirst + 2);
    expect(appendsToB()).toHaveLength(1);
    // b's log stops short of the first append: it was lost, a slot frees at once.
    heartbeatAnswer(lastOfFirst - 1);
    expect(appendsToB()).toHaveLength(1);
  });

  it('holds messages back until their Ready is advanced, and replaces a conflicting suffix', () => {
    const b = makeCore('b', abc, { hardState: { term: 1, votedFor: null, commitIndex: 1 }, snapshot: null, entries: entries([1, 1, 1]) });
    b.step({ type: 'AppendEntries', from: 'a', to: 'b', term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: entries([2, 2], 2), leaderCommit: 1, leaderLastIndex: 3 });
    const ready = b.ready()!;
    expect(ready.entriesFromIndex).toBe(2);
    expect(ready.entriesToPersist.map((entry) => `${entry.index}@${entry.term}`)).toEqual(['2@2', '3@2']);
    expect(ready.hardState).toEqual({ term: 2, votedFor: null, commitIndex: 1 });
    expect(ready.mustSync).toBe(true);
    expect(ready.messages).toHaveLength(1);
    // While that Ready is outstanding, new input queues up for the next one.
    b.step({ type: 'Heartbeat', from: 'a', to: 'b', term: 2, commitIndex: 3, commitTerm: 2, leaderCommit: 3, leaderLastIndex: 3, matchIndexes: { a: 3, b: 3, c: 1 } });
    expect(b.ready()).toBeNull();
    b.advance(ready);
    const next = b.ready()!;
    expect(next.entriesToPersist).toEqual([]);
    expect(next.committedEntries.map((entry) => entry.index)).toEqual([2, 3]);
    expect(next.messages.map((message) => message.type)).toEqual(['HeartbeatResponse']);
    b.advance(next);
    expect(b.status()).toMatchObject({ commitIndex: 3, appliedIndex: 3, stableIndex: 3 });
  });

  it('followers report the match indexes their leader sent in its latest heartbeat, and forget them with that leader', () => {
    const group = electedGroup('a');
    const a = group.core('a');
    expect(a.propose(encode('one')).ok).toBe(true);
    group.deliverAll();
    // c hears nothing more: its match index stays where it is while b's and a's move on.
    const cMatch = a.status().progress['c']!.matchIndex;
    expect(a.propose(encode('two')).ok).toBe(true);
    group.deliverAll((message) => message.to !== 'c');
    group.tick(3, (message) => message.to !== 'c');
    const last = a.status().lastIndex;
    expect(a.status().leaderReport).toBeNull(); // a leader reports its own progress instead
    expect(group.core('b').status().leaderReport).toEqual({ matchIndexes: { a: last, b: last, c: cMatch }, leaderLastIndex: last });
    expect(cMatch).toBeLessThan(last);
    // A new leader's AppendEntries makes b its follower: what a reported is gone, and nothing
    // stands in for it until c's own heartbeat.
    const b = group.core('b');
    const { term, lastTerm } = b.status();
    b.step({ type: 'AppendEntries', from: 'c', to: 'b', term: term + 1, prevLogIndex: last, prevLogTerm: lastTerm, entries: [], leaderCommit: last, leaderLastIndex: last });
    expect(b.status()).toMatchObject({ role: 'follower', leaderId: 'c', leaderReport: null });
    b.step({ type: 'Heartbeat', from: 'c', to: 'b', term: term + 1, commitIndex: last, commitTerm: lastTerm, leaderCommit: last, leaderLastIndex: last, matchIndexes: { a: 1, b: last, c: last } });
    expect(b.status().leaderReport).toEqual({ matchIndexes: { a: 1, b: last, c: last }, leaderLastIndex: last });
    // Silent for more than two heartbeat intervals: the view is stale, so it is not shown.
    for (let tick = 0; tick < 2 * makeConfig('b', abc).heartbeatTicks; tick++) b.tick();
    expect(b.status().leaderReport).not.toBeNull();
    b.tick();
    expect(b.status()).toMatchObject({ role: 'follower', leaderReport: null });
    // A leader older than the field sends none: nothing is shown, and nothing breaks.
    b.step({ type: 'Heartbeat', from: 'c', to: 'b', term: term + 1, commitIndex: last, commitTerm: lastTerm, leaderCommit: last, leaderLastIndex: last });
    expect(b.status()).toMatchObject({ role: 'follower', leaderId: 'c', leaderReport: null });
  });

  it('bounds proposals: PROPOSALS_FULL, ENTRY_TOO_LARGE, NOT_LEADER with the leader id', () => {
    const group = electedGroup('a', { proposalsPendingMax: 5 });
    group.deliverAll();
    const a = group.core('a');
    const results = Array.from({ length: 7 }, (_, index) => a.propose(encode(`p${index}`)));
    expect(results.filter((result) => result.ok)).toHaveLength(5);
    expect(results[6]).toEqual({ ok: false, code: 'PROPOSALS_FULL' });
    group.deliverAll();
    expect(a.propose(encode('after commit')).ok).toBe(true);
    expect(a.propose(new Uint8Array(1000))).toEqual({ ok: false, code: 'ENTRY_TOO_LARGE' });
    expect(group.core('b').propose(encode('x'))).toEqual({ ok: false, code: 'NOT_LEADER', leaderId: 'a' });
  });
});

describe('RaftCore compaction and snapshots', () => {
  it('sends InstallSnapshot to a follower behind the compaction point; the follower hands it to the driver', () => {
    let snapshot: SnapshotData = { index: 0, term: 0, data: new Uint8Array() };
    let snapshotRequests = 0;
    const group = electedGroup('a', {
      compactMarginEntries: 0,
      snapshotProvider: () => {
        snapshotRequests++;
        return snapshot;
      },
    });
    const a = group.core('a');
    const cut = (message: RaftMessage): boolean => message.to !== 'c' && message.from !== 'c';
    for (let index = 0; index < 10; index++) a.propose(encode(`p${index}`));
    group.deliverAll(cut);
    expect(a.status().appliedIndex).toBe(11);
    // The driver saved its state machine through 11, then compacts.
    snapshot = { index: 11, term: 1, data: encode('state@11') };
    expect(a.compact(11)).toEqual({ index: 11, term: 1 });
    expect(a.entryAt(11)).toBeNull();
    expect(group.core('c').status().lastIndex).toBe(1);
    // c hears from a again: the entries it lacks exist only in the snapshot.
    const c = group.core('c');
    const installs: unknown[] = [];
    for (let tick = 0; tick < 20; tick++) {
      for (const core of group.cores.values()) core.tick();
      for (let round = 0; round < 10; round++) {
        const cReady = c.ready();
        if (cReady !== null) {
          if (cReady.snapshotToInstall) {
            installs.push(cReady.snapshotToInstall);
            expect(cReady.committedEntries.every((entry) => entry.index > 11)).toBe(true);
          }
          group.queue.push(...cReady.messages);
          c.advance(cReady);
        }
        for (const id of ['a', 'b']) {
          const { messages } = drain(group.core(id));
          group.queue.push(...messages);
        }
        const batch = group.queue;
        group.queue = [];
        for (const message of batch) group.cores.get(message.to)!.step(message);
      }
    }
    expect(snapshotRequests).toBe(1);
    expect(installs).toEqual([snapshot]);
    expect(c.status()).toMatchObject({ snapshotIndex: 11, snapshotTerm: 1, commitIndex: 11, appliedIndex: 11 });
    a.propose(encode('after'));
    group.tick(5);
    expect(c.status()).toMatchObject({ lastIndex: 12, commitIndex: 12, appliedIndex: 12 });
    expect(c.entryAt(12)!.data).toEqual(encode('after'));
  });

  it('compact keeps compactMarginEntries and never passes the applied index', () => {
    const group = electedGroup('a', { compactMarginEntries: 4 });
    const a = group.core('a');
    for (let index = 0; index < 10; index++) a.propose(encode(`p${index}`));
    group.deliverAll();
    expect(a.compact(11)).toEqual({ index: 7, term: 1 });
    expect(a.entryAt(7)).toBeNull();
    expect(a.entryAt(8)).not.toBeNull();
    expect(a.compact(9)).toBeNull(); // 9 - 4 = 5 is already compacted
    expect(() => a.compact(12)).toThrow(/applied index/);
  });
});

describe('RaftCore voting disabled until caught up', () => {
  it('neither campaigns nor grants votes until it durably holds a committed entry of the leader term', () => {
    const group = electedGroup('a');
    for (let index = 0; index < 5; index++) group.core('a').propose(encode(`p${index}`));
    group.deliverAll();
    // c lost its disk: restart it empty, with voting disabled.
    const wiped = makeCore('c', abc, emptyPersisted(), { votingDisabledUntilCaughtUp: true });
    group.cores.set('c', wiped);
    expect(wiped.status().votingEnabled).toBe(false);
    for (let tick = 0; tick < 200; tick++) wiped.tick();
    expect(drain(wiped).messages).toEqual([]); // never campaigned
    wiped.step({ type: 'RequestVote', from: 'b', to: 'c', term: 2, preVote: false, round: 1, lastLogIndex: 0, lastLogTerm: 0 });
    const [answer] = drain(wiped).messages;
    expect(answer).toMatchObject({ type: 'RequestVoteResponse', granted: false });
    expect(wiped.status().votingEnabled).toBe(false);
    // Catch up from the leader (term 2 now, after b's request bumped c; re-elect a cleanly).
    group.queue = [];
    group.tick(60);
    const leader = group.leaders()[0]!;
    expect(leader).toBeDefined();
    group.tick(10);
    expect(wiped.status().lastIndex).toBe(group.core(leader).status().lastIndex);
    expect(wiped.status().votingEnabled).toBe(true);
  });

  it('a stable leader notices a follower that lost its log and replicates everything again', () => {
    const group = electedGroup('a');
    for (let index = 0; index < 5; index++) group.core('a').propose(encode(`p${index}`));
    group.deliverAll();
    expect(group.core('a').status().progress['c']!.matchIndex).toBe(6);
    group.cores.set('c', makeCore('c', abc, emptyPersisted(), { votingDisabledUntilCaughtUp: true }));
    group.applied.set('c', []);
    group.tick(10);
    const c = group.core('c').status();
    expect(group.core('a').status()).toMatchObject({ role: 'leader', term: 1 });
    expect(c).toMatchObject({ lastIndex: 6, commitIndex: 6, appliedIndex: 6, votingEnabled: true, term: 1 });
    expect(group.applied.get('c')!.map((entry) => entry.index)).toEqual([1, 2, 3, 4, 5, 6]);
    // It cannot know whom it voted for in term 1 before the loss: no real vote in term 1.
    group.core('c').step({ type: 'RequestVote', from: 'b', to: 'c', term: 1, preVote: false, round: 1, lastLogIndex: 9, lastLogTerm: 1 });
    expect(drain(group.core('c')).messages).toMatchObject([{ type: 'RequestVoteResponse', granted: false }]);
  });

  it("waits for a commit through the leader's last index at first contact, not just any commit of its term", () => {
    const group = electedGroup('a');
    const a = group.core('a');
    for (let index = 0; index < 5; index++) a.propose(encode(`p${index}`));
    group.deliverAll();
    // Entries 7..10 reach nobody yet: the leader's log runs ahead of its commit index (6).
    for (let index = 5; index < 9; index++) a.propose(encode(`p${index}`));
    group.flush();
    group.queue = [];
    expect(a.status()).toMatchObject({ lastIndex: 10, commitIndex: 6 });
    const wiped = makeCore('c', abc, emptyPersisted(), { votingDisabledUntilCaughtUp: true });
    group.cores.set('c', wiped);
    const withoutB = (message: RaftMessage): boolean => message.to !== 'b' && message.from !== 'b';
    let sawCommittedButBehind = false;
    for (let tick = 0; tick < 20; tick++) {
      for (const core of group.cores.values()) core.tick();
      for (let round = 0; round < 20; round++) {
        group.flush();
        const batch = group.queue.filter(withoutB);
        group.queue = [];
        for (const message of batch) {
          group.core(message.to).step(message);
          drain(wiped).messages.forEach((answer) => group.queue.push(answer));
          const status = wiped.status();
          if (status.commitIndex < 10) expect(status.votingEnabled).toBe(false);
          if (status.commitIndex >= 6 && status.commitIndex < 10) sawCommittedButBehind = true;
        }
      }
    }
    expect(sawCommittedButBehind).toBe(true);
    expect(wiped.status()).toMatchObject({ commitIndex: 10, votingEnabled: true });
  });
});
