// The Wing–Gong–Lowe linearizability search for one partition, after Porcupine's
// `checkSingle`: walk a doubly linked list of call/return entries, linearize a pending call
// when the model accepts it, backtrack at a return whose call is not yet linearized, and skip
// any (linearized set, state) configuration already explored (Lowe's memoization). The set of
// linearized operations is a bitset with an incrementally maintained Zobrist hash.
//
// Unknown (`info`) operations never return, so they never block the search, and the model
// must accept them in every state. Hence a configuration (D, U, s) — D the linearized known
// operations, U the linearized unknown ones, s the state — can do everything (D, U', s) can
// whenever U' ⊇ U: the unknown operations still pending may be linearized later or never.
// The search succeeds as soon as every known operation is linearized (pending unknown ones
// then never happened), and the cache skips a configuration dominated by one already seen with the same D and
// s and a subset of its U. This keeps crashed writes that were later overwritten from
// multiplying the search (a plain exact-match cache would try every subset of them).
import { assert } from '../util/assert.js';
import { Prng } from '../util/prng.js';
import type { Model, SearchOp } from './model.js';

export type SearchResult =
  | { verdict: 'ok'; steps: number; /** indexes into the ops array, in linearization order */ order: number[] }
  | { verdict: 'illegal'; steps: number }
  | { verdict: 'unknown'; steps: number };

interface CacheEntry<S> {
  bits: Uint32Array;
  state: S;
}

/** Same known operations linearized, and the cached entry's unknown ones ⊆ the current ones. */
function dominates(cached: Uint32Array, current: Uint32Array, unknownMask: Uint32Array): boolean {
  for (let i = 0; i < cached.length; i++) {
    const c = cached[i]!;
    const x = current[i]!;
    const u = unknownMask[i]!;
    if (((c ^ x) & ~u) !== 0) return false;
    if ((c & u & ~x) !== 0) return false;
  }
  return true;
}

/**
 * Searches for a linearization of `ops` starting from `initial`. Gives up with `unknown`
 * after `stepsMax` model steps: a search that would not end never turns into a silent pass.
 */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  initial: S,
  stepsMax: number,
): SearchResult {
  const n = ops.length;
  if (n === 0) return { verdict: 'ok', steps: 0, order: [] };
  for (const op of ops) assert(op.call <= op.ret, 'an operation returns before it is called');

  // Entries: node 2i is op i's call, 2i+1 its return; node 2n is the head sentinel.
  const order: number[] = [];
  for (let i = 0; i < 2 * n; i++) order.push(i);
  const timeOf = (node: number): number => ((node & 1) === 0 ? ops[node >> 1]!.call : ops[node >> 1]!.ret);
  order.sort((a, b) => {
    const ta = timeOf(a);
    const tb = timeOf(b);
    if (ta < tb) return -1;
    if (ta > tb) return 1;
    // Closed intervals: at equal times calls come first, so touching operations overlap.
    const ra = a & 1;
    const rb = b & 1;
    if (ra !== rb) return ra - rb;
    return a - b;
  });
  const head = 2 * n;
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  let last = head;
  for (const node of order) {
    next[last] = node;
    prev[node] = last;
    last = node;
  }

  const lift = (call: number): void => {
    const ret = call + 1;
    next[prev[call]!] = next[call]!;
    if (next[call] !== -1) prev[next[call]!] = prev[call]!;
    next[prev[ret]!] = next[ret]!;
    if (next[ret] !== -1) prev[next[ret]!] = prev[ret]!;
  };
  const unlift = (call: number): void => {
    const ret = call + 1;
    next[prev[ret]!] = ret;
    if (next[ret] !== -1) prev[next[ret]!] = ret;
    next[prev[call]!] = call;
    if (next[call] !== -1) prev[next[call]!] = call;
  };

  const zobrist = new Uint32Array(n);
  const random = new Prng(0x2545f491);
  for (let i = 0; i < n; i++) zobrist[i] = random.nextUint32();

  const words = (n + 31) >>> 5;
  const bits = new Uint32Array(words);
  const unknownMask = new Uint32Array(words);
  for (let i = 0; i < n; i++) {
    if (ops[i]!.unknown) {
      unknownMask[i >>> 5]! |= 1 << (i & 31);
      zobrist[i] = 0; // the cache key covers known operations only; dominance handles the rest
    }
  }
  let bitsHash = 0;
  const cache = new Map<number, CacheEntry<S>[]>();
  const cacheKey = (state: S): number => (bitsHash ^ Math.imul(model.hash(state), 0x9e3779b1)) >>> 0;
  /** Adds the configuration; returns false if it (or one that dominates it) was already there. */
  const cacheAdd = (state: S): boolean => {
    const key = cacheKey(state);
    let bucket = cache.get(key);
    if (bucket === undefined) {
      cache.set(key, (bucket = []));
    } else {
      for (const entry of bucket) {
        if (dominates(entry.bits, bits, unknownMask) && model.equal(entry.state, state)) return false;
      }
    }
    bucket.push({ bits: bits.slice(), state });
    return true;
  };

  // Symmetry: an unknown op may be linearized only after its interchangeable predecessor
  // (same symmetry key, invoked earlier) — see Model.symmetryKey.
  const predecessor = new Int32Array(n).fill(-1);
  if (model.symmetryKey !== undefined) {
    const lastOfClass = new Map<string, number>();
    const unknownByCall = [...ops.keys()].filter((i) => ops[i]!.unknown).sort((a, b) => ops[a]!.call - ops[b]!.call || a - b);
    for (const i of unknownByCall) {
      const key = model.symmetryKey(ops[i]!.input);
      const p = lastOfClass.get(key);
      if (p !== undefined) predecessor[i] = p;
      lastOfClass.set(key, i);
    }
  }
  const waitsForPredecessor = (i: number): boolean => {
    const p = predecessor[i]!;
    return p !== -1 && (bits[p >>> 5]! & (1 << (p & 31))) === 0;
  };

  let knownCount = 0;
  for (const op of ops) if (!op.unknown) knownCount++;
  let knownLinearized = 0;
  if (knownCount === 0) return { verdict: 'ok', steps: 0, order: [] };

  const callStack: number[] = [];
  const stateStack: S[] = [];
  let state = initial;
  let steps = 0;
  let entry = next[head]!;
  while (next[head] !== -1) {
    assert(entry !== -1, 'search walked off the end of the entry list');
    if ((entry & 1) === 0) {
      const i = entry >> 1;
      const op = ops[i]!;
      if (waitsForPredecessor(i)) {
        entry = next[entry]!;
        continue;
      }
      if (++steps > stepsMax) return { verdict: 'unknown', steps: steps - 1 };
      const after = model.step(state, op.input, op.output, op.unknown);
      if (after !== undefined) {
        bits[i >>> 5]! |= 1 << (i & 31);
        bitsHash ^= zobrist[i]!;
        if (cacheAdd(after)) {
          callStack.push(entry);
          stateStack.push(state);
          state = after;
          lift(entry);
          if (!op.unknown && ++knownLinearized === knownCount) {
            return { verdict: 'ok', steps, order: callStack.map((node) => node >> 1) };
          }
          entry = next[head]!;
          continue;
        }
        bits[i >>> 5]! &= ~(1 << (i & 31));
        bitsHash ^= zobrist[i]!;
      }
      entry = next[entry]!;
    } else {
      // A return whose call is not linearized yet: the current prefix cannot be extended.
      if (callStack.length === 0) return { verdict: 'illegal', steps };
      const call = callStack.pop()!;
      state = stateStack.pop()!;
      const i = call >> 1;
      if (!ops[i]!.unknown) knownLinearized--;
      bits[i >>> 5]! &= ~(1 << (i & 31));
      bitsHash ^= zobrist[i]!;
      unlift(call);
      entry = next[call]!;
    }
  }
  throw new Error('unreachable: the list ran empty before every known operation was linearized');
}
