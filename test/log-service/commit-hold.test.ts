import { describe, expect, it } from 'vitest';
import { CommitBroadcastHold } from '../../log-service/node/commit-hold.js';

describe('a leader\'s commit-only broadcast', () => {
  it('waits up to the delay from when it was first held back, then goes', () => {
    const hold = new CommitBroadcastHold(2);
    expect(hold.shouldHold(true, 100)).toBe(true);
    expect(hold.dueInMs(100.5)).toBeCloseTo(1.5);
    expect(hold.shouldHold(true, 101.9)).toBe(true);
    expect(hold.shouldHold(true, 102)).toBe(false);
    expect(hold.dueInMs(102)).toBe(Infinity);
  });

  it('is not held when nothing is pending', () => {
    const hold = new CommitBroadcastHold(2);
    expect(hold.shouldHold(false, 100)).toBe(false);
    expect(hold.dueInMs(100)).toBe(Infinity);
  });

  it('starts a new wait for the next commit once entries carried the held one', () => {
    const hold = new CommitBroadcastHold(2);
    // Commit 1 is held back at t=100; entries proposed at t=101 carry it.
    expect(hold.shouldHold(true, 100)).toBe(true);
    hold.noteReadyTaken(false);
    // Commit 2 comes at t=103, longer than the delay after commit 1's wait began: it waits too.
    expect(hold.shouldHold(true, 103)).toBe(true);
    expect(hold.dueInMs(103)).toBe(2);
  });

  it('keeps waiting when the Ready left the broadcast pending', () => {
    const hold = new CommitBroadcastHold(2);
    expect(hold.shouldHold(true, 100)).toBe(true);
    hold.noteReadyTaken(true);
    expect(hold.shouldHold(true, 102.5)).toBe(false);
  });
});
