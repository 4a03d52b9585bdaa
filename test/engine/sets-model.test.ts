// Model-based test: random command sequences against a reference model of sets (a Map of JS
// Sets, strings for wrong-type keys). Every step checks the reply, that an emptied set's key
// is gone, the WRONGTYPE rules, and the effects property (the effects replayed on a copy of
// the state before give the state after).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineHarness, effectsRoundTrip, plain } from '../helpers/engine.js';

type ModelValue = Set<string> | string;
type Model = Map<string, ModelValue>;

const wrongType = 'ERR:WRONGTYPE Operation against a key holding the wrong kind of value';
const keys = ['a', 'b', 'c', 'str'];
const key = fc.constantFrom(...keys);
// Integers (intset path) mixed with strings (listpack/hashtable path).
const member = fc.oneof(fc.integer({ min: -2, max: 4 }).map(String), fc.constantFrom('x', 'y', 'long-member-name'));
const members = fc.array(member, { minLength: 1, maxLength: 6 });
const keyList = fc.array(key, { minLength: 1, maxLength: 3 });

const command = fc.oneof(
  fc.tuple(fc.constant('SADD'), key, members).map(([c, k, ms]) => [c, k, ...ms]),
  fc.tuple(fc.constant('SREM'), key, fc.array(member, { minLength: 1, maxLength: 12 })).map(([c, k, ms]) => [c, k, ...ms]),
  fc.tuple(fc.constant('SMOVE'), key, key, member).map((t) => [...t]),
  fc.tuple(fc.constantFrom('SCARD', 'SMEMBERS'), key).map((t) => [...t]),
  fc.tuple(fc.constant('SISMEMBER'), key, member).map((t) => [...t]),
  fc.tuple(fc.constant('SMISMEMBER'), key, members).map(([c, k, ms]) => [c, k, ...ms]),
  fc.tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), keyList).map(([c, ks]) => [c, ...ks]),
  fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, keyList).map(([c, d, ks]) => [c, d, ...ks]),
  fc.tuple(fc.constant('SINTERCARD'), keyList, fc.integer({ min: 0, max: 3 })).map(([c, ks, l]) => [c, String(ks.length), ...ks, 'LIMIT', String(l)]),
  fc.tuple(fc.constant('SPOP'), key, fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }))
    .map(([c, k, n]) => (n === undefined ? [c, k] : [c, k, String(n)])),
  fc.tuple(fc.constant('SRANDMEMBER'), key, fc.integer({ min: -8, max: 8 })).map(([c, k, n]) => [c, k, String(n)]),
  fc.tuple(fc.constant('SET'), key).map(([, k]) => ['SET', k, 'v']),
  fc.tuple(fc.constant('DEL'), key).map(([, k]) => ['DEL', k]),
);

function setOf(model: Model, k: string): Set<string> | undefined | 'wrong' {
  const value = model.get(k);
  if (value === undefined) return undefined;
  return typeof value === 'string' ? 'wrong' : value;
}

const sorted = (items: Iterable<string>): string[] => [...items].sort();

/** Applies argv to the model and checks the engine's reply against it. */
function check(model: Model, argv: string[], reply: unknown): void {
  const [name, ...rest] = argv as [string, ...string[]];
  const store = (dest: string, result: Set<string>): void => {
    if (result.size === 0) model.delete(dest);
    else model.set(dest, result);
    expect(reply).toBe(result.size);
  };
  const inputs = (ks: string[]): (Set<string> | undefined)[] | null => {
    const sets = ks.map((k) => setOf(model, k));
    if (sets.includes('wrong')) {
      expect(reply).toBe(wrongType);
      return null;
    }
    return sets as (Set<string> | undefined)[];
  };
  const inter = (sets: (Set<string> | undefined)[]): Set<string> => {
    if (sets.some((s) => s === undefined)) return new Set();
    const [first, ...others] = sets as Set<string>[];
    return new Set([...first!].filter((m) => others.every((o) => o.has(m))));
  };
  const union = (sets: (Set<string> | undefined)[]): Set<string> => new Set(sets.flatMap((s) => [...(s ?? [])]));
  const diff = (sets: (Set<string> | undefined)[]): Set<string> => {
    const [first, ...others] = sets;
    return new Set([...(first ?? [])].filter((m) => !others.some((o) => o?.has(m))));
  };

  switch (name) {
    case 'SET': model.set(rest[0]!, 'v'); expect(reply).toBe('OK'); return;
    case 'DEL': expect(reply).toBe(model.delete(rest[0]!) ? 1 : 0); return;
  }
  if (name === 'SMOVE') {
    const [src, dst, m] = rest as [string, string, string];
    const from = setOf(model, src);
    if (from === undefined) { expect(reply).toBe(0); return; }
    const to = setOf(model, dst);
    if (from === 'wrong' || to === 'wrong') { expect(reply).toBe(wrongType); return; }
    if (src === dst) { expect(reply).toBe(from.has(m) ? 1 : 0); return; }
    if (!from.delete(m)) { expect(reply).toBe(0); return; }
    if (from.size === 0) model.delete(src);
    if (to === undefined) model.set(dst, new Set([m]));
    else to.add(m);
    expect(reply).toBe(1);
    return;
  }
  if (['SINTER', 'SUNION', 'SDIFF'].includes(name)) {
    const sets = inputs(rest);
    if (sets === null) return;
    const result = name === 'SINTER' ? inter(sets) : name === 'SUNION' ? union(sets) : diff(sets);
    expect(sorted(reply as string[])).toEqual(sorted(result));
    return;
  }
  if (['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'].includes(name)) {
    const [dest, ...sources] = rest as [string, ...string[]];
    const sets = inputs(sources);
    if (sets === null) return;
    store(dest, name === 'SINTERSTORE' ? inter(sets) : name === 'SUNIONSTORE' ? union(sets) : diff(sets));
    return;
  }
  if (name === 'SINTERCARD') {
    const count = Number(rest[0]);
    const sets = inputs(rest.slice(1, 1 + count));
    if (sets === null) return;
    const limit = Number(rest[count + 2]);
    const size = inter(sets).size;
    expect(reply).toBe(limit === 0 ? size : Math.min(size, limit));
    return;
  }

  const k = rest[0]!;
  const set = setOf(model, k);
  if (set === 'wrong') { expect(reply).toBe(wrongType); return; }
  switch (name) {
    case 'SADD': {
      const target = set ?? new Set<string>();
      const before = target.size;
      for (const m of rest.slice(1)) target.add(m);
      model.set(k, target);
      expect(reply).toBe(target.size - before);
      return;
    }
    case 'SREM': {
      let removed = 0;
      for (const m of rest.slice(1)) if (set?.delete(m)) removed++;
      if (set?.size === 0) model.delete(k);
      expect(reply).toBe(removed);
      return;
    }
    case 'SCARD': expect(reply).toBe(set?.size ?? 0); return;
    case 'SMEMBERS': expect(sorted(reply as string[])).toEqual(sorted(set ?? [])); return;
    case 'SISMEMBER': expect(reply).toBe(set?.has(rest[1]!) ? 1 : 0); return;
    case 'SMISMEMBER': expect(reply).toEqual(rest.slice(1).map((m) => (set?.has(m) ? 1 : 0))); return;
    case 'SPOP': {
      if (rest.length === 1) {
        if (set === undefined) { expect(reply).toBe(null); return; }
        expect(set.has(reply as string)).toBe(true);
        set.delete(reply as string);
      } else {
        const count = Number(rest[1]);
        const popped = reply as string[];
        expect(popped.length).toBe(Math.min(count, set?.size ?? 0));
        expect(new Set(popped).size).toBe(popped.length);
        for (const m of popped) expect(set!.delete(m)).toBe(true);
      }
      if (set?.size === 0) model.delete(k);
      return;
    }
    case 'SRANDMEMBER': {
      const count = Number(rest[1]);
      const picked = reply as string[];
      const size = set?.size ?? 0;
      expect(picked.length).toBe(size === 0 ? 0 : count < 0 ? -count : Math.min(count, size));
      if (count > 0) expect(new Set(picked).size).toBe(picked.length);
      for (const m of picked) expect(set!.has(m)).toBe(true);
      return;
    }
  }
  throw new Error(`model has no rule for ${name}`);
}

/** The engine's keyspace as the model sees it. */
function engineView(h: EngineHarness): Record<string, string[] | string> {
  const view: Record<string, string[] | string> = {};
  for (const [k, entry] of h.engine.database(0).entries.entries()) {
    view[k] = typeof entry.value === 'string' ? entry.value : sorted((entry.value.toPlain() as { members: string[] }).members);
  }
  return view;
}

function modelView(model: Model): Record<string, string[] | string> {
  const view: Record<string, string[] | string> = {};
  for (const [k, value] of model) view[k] = typeof value === 'string' ? value : sorted(value);
  return view;
}

describe('sets against a reference model', () => {
  it('random command sequences: replies, empty-key deletion, WRONGTYPE, effects', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 1_000_000 }), (commands, seed) => {
        const h = new EngineHarness({ seed });
        const model: Model = new Map();
        for (const argv of commands) {
          const { reply, after, replayed } = effectsRoundTrip(h, argv);
          check(model, argv, plain(reply));
          expect(replayed).toEqual(after);
          expect(engineView(h)).toEqual(modelView(model));
        }
      }),
      { numRuns: 150 },
    );
  });
});
