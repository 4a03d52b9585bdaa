// Checksum chains from a leader to its followers (log-service/node/chain-hints.ts): each sent
// once to each follower, bounded in bytes at both ends, taken only for the entry and term they
// were computed for, and refused whole when malformed.

import { describe, expect, it } from 'vitest';
import { ChainHintInbox, ChainHintOutbox, checkChainHints, hintBytes, type ChainHint } from '../../log-service/node/chain-hints.js';

const hint = (index: number, term = 1, entries = 1): ChainHint => ({
  index, term, basis: new Uint8Array(16).fill(index % 256), checksums: new Uint8Array(16 * entries).fill(term),
});
const indexes = (wire: ReturnType<ChainHintOutbox['takeFor']>) => (wire ?? []).map(([index]) => index);

describe('ChainHintOutbox', () => {
  it('sends each chain once to each follower, and forgets it once every follower has it', () => {
    const outbox = new ChainHintOutbox(['b', 'c'], 1 << 20);
    outbox.add(hint(1));
    outbox.add(hint(2));
    expect(indexes(outbox.takeFor('b'))).toEqual([1, 2]);
    expect(outbox.takeFor('b')).toBeUndefined();
    outbox.add(hint(3));
    expect(indexes(outbox.takeFor('b'))).toEqual([3]);
    expect(outbox.size).toBe(3); // c has none yet
    expect(indexes(outbox.takeFor('c'))).toEqual([1, 2, 3]);
    expect(outbox.size).toBe(0);
    outbox.add(hint(4, 2));
    const [[index, term, basis, checksums]] = outbox.takeFor('c')!;
    expect([index, term, basis.length, checksums[0]]).toEqual([4, 2, 16, 2]);
  });

  it('keeps at most its byte bound (the oldest go), and starts over when the log is rewritten', () => {
    const bound = 3 * hintBytes(hint(1));
    const outbox = new ChainHintOutbox(['b', 'c'], bound);
    for (let i = 1; i <= 5; i++) outbox.add(hint(i));
    expect(indexes(outbox.takeFor('b'))).toEqual([3, 4, 5]);
    outbox.add(hint(4, 2)); // a new term's entry at an index already seen
    expect(outbox.size).toBe(1);
    expect(indexes(outbox.takeFor('b'))).toEqual([4]);
    outbox.reset();
    expect(outbox.takeFor('c')).toBeUndefined();
  });
});

describe('ChainHintInbox', () => {
  it('gives a chain only for its entry and term, and drops every chain up to the entry applied', () => {
    const inbox = new ChainHintInbox(1 << 20);
    inbox.add([hint(5), hint(6), hint(7, 2)]);
    expect(inbox.take(5, 1)?.basis[0]).toBe(5);
    expect(inbox.take(7, 1)).toBeUndefined(); // another term's entry at 7
    expect(inbox.size).toBe(0); // 6 and 7 went with it
    inbox.add([hint(8), hint(9)]);
    expect(inbox.take(9, 1)?.basis[0]).toBe(9);
    expect(inbox.size).toBe(0);
  });

  it("after a leader change, a deposed leader's chains of higher indexes do not stay in front", () => {
    const inbox = new ChainHintInbox(1 << 20);
    inbox.add([hint(10, 1), hint(11, 1)]); // never committed: the new leader rewrites 10 and up
    inbox.add([hint(9, 2)]);
    expect(inbox.take(9, 2)?.basis[0]).toBe(9);
    inbox.add([hint(10, 2)]);
    expect(inbox.take(10, 2)?.basis[0]).toBe(10); // the new term's chain replaced the old one
    expect(inbox.take(11, 2)).toBeUndefined(); // the deposed leader's chain for 11: of another term
    expect(inbox.size).toBe(0);
  });

  it('keeps at most its byte bound: the oldest go first', () => {
    const inbox = new ChainHintInbox(2 * hintBytes(hint(1)));
    inbox.add([hint(1), hint(2), hint(3)]);
    expect(inbox.size).toBe(2);
    expect(inbox.take(1, 1)).toBeUndefined();
    expect(inbox.take(3, 1)).toBeDefined();
    inbox.add([hint(4), hint(4, 2)]); // the same index again: the later one replaces it
    expect(inbox.size).toBe(1);
    expect(inbox.take(4, 2)).toBeDefined();
  });
});

describe('checkChainHints', () => {
  const wire = (h: ChainHint) => [h.index, h.term, h.basis, h.checksums];

  it('accepts well-formed chains within the byte bound', () => {
    const hints = checkChainHints([wire(hint(1, 1, 3)), wire(hint(2))], 1 << 20);
    expect(Array.isArray(hints) && hints.map((h) => [h.index, h.checksums.length])).toEqual([[1, 48], [2, 16]]);
  });

  it.each([
    ['not an array', { index: 1 }, /not an array/],
    ['a short tuple', [[1, 1, new Uint8Array(16)]], /not \[index/],
    ['index 0', [[0, 1, new Uint8Array(16), new Uint8Array(16)]], /index or term/],
    ['a fractional term', [[1, 1.5, new Uint8Array(16), new Uint8Array(16)]], /index or term/],
    ['a short basis', [[1, 1, new Uint8Array(15), new Uint8Array(16)]], /basis/],
    ['a partial checksum', [[1, 1, new Uint8Array(16), new Uint8Array(20)]], /checksums/],
    ['no checksums', [[1, 1, new Uint8Array(16), new Uint8Array(0)]], /checksums/],
  ])('refuses %s', (_what, value, reason) => {
    expect(checkChainHints(value, 1 << 20)).toMatch(reason);
  });

  it('keeps only the chains within the byte bound (the rest only save work), copied out of the frame', () => {
    const frame = wire(hint(1, 1, 4));
    const hints = checkChainHints([frame, wire(hint(2, 1, 4))], hintBytes(hint(1, 1, 4)) + 10);
    expect(Array.isArray(hints) && hints.map((h) => h.index)).toEqual([1]);
    (frame[3] as Uint8Array).fill(9);
    expect(Array.isArray(hints) && hints[0]!.checksums[0]).toBe(1);
  });
});
