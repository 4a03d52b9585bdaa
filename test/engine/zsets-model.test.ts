// Model-based test: random sorted-set command sequences against a reference model (a Map of
// member → score per key, sorted on demand). Every step checks the reply, that an emptied key
// is gone, WRONGTYPE, and the effects property (blocking pops included: a pop that would
// block must leave everything as it was). Key 'l' only ever holds score 0 (lex commands).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineHarness, effectsRoundTrip, plain } from '../helpers/engine.js';

type Zset = Map<string, number>;
type Model = Map<string, Zset | string>;

const wrongType = 'ERR:WRONGTYPE Operation against a key holding the wrong kind of value';
const scoreKey = fc.constantFrom('a', 'b', 'str');
const anyKey = fc.constantFrom('a', 'b', 'l', 'str');
const member = fc.constantFrom('m', 'n', 'o', 'p', 'q', 'aa', 'b');
const score = fc.integer({ min: -8, max: 8 }).map((n) => n / 2);
const index = fc.integer({ min: -6, max: 6 });
const bound = fc.oneof(
  fc.constantFrom('-inf', '+inf'),
  score.map(String),
  score.map((s) => `(${s}`),
);
const lexBound = fc.oneof(fc.constantFrom('-', '+'), member.map((m) => `[${m}`), member.map((m) => `(${m}`));
const keyList = fc.array(anyKey, { minLength: 1, maxLength: 3 });
// Mostly valid flag sets (plain adds most often), a few invalid ones for the error rules.
const zaddFlags = fc.constantFrom<string[]>([], [], [], ['CH'], ['NX'], ['XX'], ['GT'], ['LT', 'CH'], ['XX', 'GT'], ['NX', 'XX'], ['GT', 'LT'], ['NX', 'LT']);

const command = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(scoreKey, zaddFlags, fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 4 }))
      .map(([k, flags, pairs]) => ['ZADD', k, ...flags, ...pairs.flatMap(([s, m]) => [String(s), m])]),
  },
  fc.tuple(fc.array(member, { minLength: 1, maxLength: 4 })).map(([ms]) => ['ZADD', 'l', ...ms.flatMap((m) => ['0', m])]),
  fc.tuple(scoreKey, score, member).map(([k, s, m]) => ['ZINCRBY', k, String(s), m]),
  fc.tuple(anyKey, fc.array(member, { minLength: 1, maxLength: 6 })).map(([k, ms]) => ['ZREM', k, ...ms]),
  fc.tuple(anyKey, member).map(([k, m]) => ['ZSCORE', k, m]),
  fc.tuple(anyKey, member, fc.boolean()).map(([k, m, rev]) => [rev ? 'ZREVRANK' : 'ZRANK', k, m]),
  anyKey.map((k) => ['ZCARD', k]),
  fc.tuple(anyKey, index, index, fc.boolean(), fc.boolean())
    .map(([k, a, b, rev, ws]) => ['ZRANGE', k, String(a), String(b), ...(rev ? ['REV'] : []), ...(ws ? ['WITHSCORES'] : [])]),
  fc.tuple(anyKey, bound, bound, fc.boolean(), fc.option(fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 4 })), { nil: undefined }))
    .map(([k, min, max, rev, limit]) => [rev ? 'ZREVRANGEBYSCORE' : 'ZRANGEBYSCORE', k, min, max, 'WITHSCORES', ...(limit ? ['LIMIT', String(limit[0]), String(limit[1])] : [])]),
  fc.tuple(anyKey, bound, bound).map(([k, min, max]) => ['ZCOUNT', k, min, max]),
  fc.tuple(lexBound, lexBound, fc.boolean()).map(([min, max, rev]) => (rev ? ['ZREVRANGEBYLEX', 'l', max, min] : ['ZRANGEBYLEX', 'l', min, max])),
  fc.tuple(lexBound, lexBound).map(([min, max]) => ['ZLEXCOUNT', 'l', min, max]),
  fc.tuple(lexBound, lexBound).map(([min, max]) => ['ZREMRANGEBYLEX', 'l', min, max]),
  fc.tuple(anyKey, index, index).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, String(a), String(b)]),
  fc.tuple(anyKey, bound, bound).map(([k, min, max]) => ['ZREMRANGEBYSCORE', k, min, max]),
  fc.tuple(anyKey, fc.boolean(), fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }))
    .map(([k, max, n]) => [max ? 'ZPOPMAX' : 'ZPOPMIN', k, ...(n === undefined ? [] : [String(n)])]),
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE'), scoreKey, keyList, fc.constantFrom('SUM', 'MIN', 'MAX'))
      .map(([c, d, ks, agg]) => [c, d, String(ks.length), ...ks, ...(c === 'ZDIFFSTORE' ? [] : ['AGGREGATE', agg])]),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom('ZUNION', 'ZINTER', 'ZDIFF'), keyList, fc.constantFrom('SUM', 'MIN', 'MAX'))
      .map(([c, ks, agg]) => [c, String(ks.length), ...ks, ...(c === 'ZDIFF' ? [] : ['AGGREGATE', agg]), 'WITHSCORES']),
  },
  fc.tuple(scoreKey, anyKey, index, index).map(([d, s, a, b]) => ['ZRANGESTORE', d, s, String(a), String(b)]),
  fc.tuple(scoreKey, score, member).map(([k, s, m]) => ['ZADD', k, 'INCR', String(s), m]),
  fc.tuple(keyList, fc.boolean(), fc.integer({ min: 1, max: 3 }))
    .map(([ks, max, n]) => ['ZMPOP', String(ks.length), ...ks, max ? 'MAX' : 'MIN', 'COUNT', String(n)]),
  fc.tuple(keyList, fc.boolean()).map(([ks, max]) => [max ? 'BZPOPMAX' : 'BZPOPMIN', ...ks, '0']),
  fc.tuple(keyList, fc.boolean()).map(([ks, max]) => ['BZMPOP', '0', String(ks.length), ...ks, max ? 'MAX' : 'MIN']),
  scoreKey.map((k) => ['SET', k, 'v']),
  anyKey.map((k) => ['DEL', k]),
);

function sortedPairs(zset: Zset | undefined): [string, number][] {
  return [...(zset ?? new Map())].sort((x, y) => (x[1] !== y[1] ? x[1] - y[1] : x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

function parseBound(text: string): (s: number, side: 'min' | 'max') => boolean {
  const open = text.startsWith('(');
  const value = Number(text.replace('(', '').replace('+inf', 'Infinity').replace('-inf', '-Infinity'));
  return (s, side) => (side === 'min' ? (open ? s > value : s >= value) : open ? s < value : s <= value);
}

function lexTest(text: string, side: 'min' | 'max'): (m: string) => boolean {
  if (text === '-') return () => side === 'min';
  if (text === '+') return () => side === 'max';
  const value = text.slice(1);
  const open = text.startsWith('(');
  return side === 'min' ? (m) => (open ? m > value : m >= value) : (m) => (open ? m < value : m <= value);
}

function rankWindow(size: number, start: number, end: number): [number, number] | null {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return null;
  return [start, Math.min(end, size - 1)];
}

const flat = (pairs: [string, number][]): unknown[] => pairs.flatMap(([m, s]) => [m, s]);

function check(model: Model, argv: string[], reply: unknown): void {
  const [name, ...rest] = argv as [string, ...string[]];
  if (name === 'SET') { model.set(rest[0]!, 'v'); return; }
  if (name === 'DEL') { expect(reply).toBe(model.delete(rest[0]!) ? 1 : 0); return; }
  const get = (k: string): Zset | undefined | 'wrong' => {
    const value = model.get(k);
    return typeof value === 'string' ? 'wrong' : value;
  };
  const setOrDelete = (k: string, zset: Zset): void => {
    if (zset.size === 0) model.delete(k);
    else model.set(k, zset);
  };

  if (['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE', 'ZUNION', 'ZINTER', 'ZDIFF'].includes(name)) {
    const store = name.endsWith('STORE');
    const numkeys = Number(rest[store ? 1 : 0]);
    const keys = rest.slice(store ? 2 : 1, (store ? 2 : 1) + numkeys);
    const inputs = keys.map(get);
    if (inputs.includes('wrong')) { expect(reply).toBe(wrongType); return; }
    const aggregate = argv.includes('AGGREGATE') ? argv[argv.indexOf('AGGREGATE') + 1]! : 'SUM';
    const combine = (x: number, y: number): number => (aggregate === 'MIN' ? Math.min(x, y) : aggregate === 'MAX' ? Math.max(x, y) : x + y);
    const zsets = inputs as (Zset | undefined)[];
    const result: Zset = new Map();
    if (name.startsWith('ZUNION')) {
      for (const z of zsets) for (const [m, s] of z ?? []) result.set(m, result.has(m) ? combine(result.get(m)!, s) : s);
    } else if (name.startsWith('ZINTER')) {
      if (zsets.every((z) => z !== undefined)) {
        for (const [m, s] of zsets[0]!) {
          if (zsets.every((z) => z!.has(m))) result.set(m, zsets.slice(1).reduce((acc, z) => combine(acc, z!.get(m)!), s));
        }
      }
    } else {
      for (const [m, s] of zsets[0] ?? []) if (!zsets.slice(1).some((z) => z?.has(m))) result.set(m, s);
    }
    if (store) {
      setOrDelete(rest[0]!, result);
      expect(reply).toBe(result.size);
    } else {
      expect(reply).toEqual(flat(sortedPairs(result)));
    }
    return;
  }
  if (name === 'ZRANGESTORE') {
    const [dest, src, a, b] = rest as [string, string, string, string];
    const source = get(src);
    if (source === 'wrong') { expect(reply).toBe(wrongType); return; }
    const pairs = sortedPairs(source);
    const window = rankWindow(pairs.length, Number(a), Number(b));
    const picked = window ? pairs.slice(window[0], window[1] + 1) : [];
    setOrDelete(dest, new Map(picked));
    expect(reply).toBe(picked.length);
    return;
  }

  if (name === 'ZADD') {
    // Option errors come before the key is looked at, as in Redis.
    const flags = new Set(rest.slice(1).filter((word) => ['NX', 'XX', 'GT', 'LT', 'CH'].includes(word)));
    if (flags.has('NX') && flags.has('XX')) { expect(reply).toBe('ERR:ERR XX and NX options at the same time are not compatible'); return; }
    if ((flags.has('GT') || flags.has('LT')) && (flags.has('NX') || (flags.has('GT') && flags.has('LT')))) {
      expect(reply).toBe('ERR:ERR GT, LT, and/or NX options at the same time are not compatible');
      return;
    }
  }
  if (['ZMPOP', 'BZMPOP', 'BZPOPMIN', 'BZPOPMAX'].includes(name)) {
    const blocking = name.startsWith('B');
    const keys = name === 'ZMPOP' ? rest.slice(1, 1 + Number(rest[0])) : name === 'BZMPOP' ? rest.slice(2, 2 + Number(rest[1])) : rest.slice(0, -1);
    const max = name === 'BZPOPMAX' || argv.includes('MAX');
    const count = argv.includes('COUNT') ? Number(argv[argv.indexOf('COUNT') + 1]) : 1;
    for (const key of keys) {
      const zset = get(key);
      if (zset === 'wrong') { expect(reply).toBe(wrongType); return; }
      if (zset === undefined) continue;
      const ordered = max ? sortedPairs(zset).reverse() : sortedPairs(zset);
      const popped = ordered.slice(0, count);
      for (const [m] of popped) zset.delete(m);
      setOrDelete(key, zset);
      if (name.startsWith('BZPOP')) expect(reply).toEqual([key, popped[0]![0], popped[0]![1]]);
      else expect(reply).toEqual([key, popped.map(([m, s]) => [m, s])]);
      return;
    }
    expect(reply).toEqual(blocking ? { blocked: keys } : null);
    return;
  }
  if (name === 'ZADD' && rest[1] === 'INCR') {
    const zset = get(rest[0]!);
    if (zset === 'wrong') { expect(reply).toBe(wrongType); return; }
    const target = zset ?? new Map<string, number>();
    const result = (target.get(rest[3]!) ?? 0) + Number(rest[2]);
    target.set(rest[3]!, result);
    model.set(rest[0]!, target);
    expect(reply).toBe(result);
    return;
  }
  const k = rest[0]!;
  const zset = get(k);
  if (zset === 'wrong') { expect(reply).toBe(wrongType); return; }
  const pairs = sortedPairs(zset);
  switch (name) {
    case 'ZADD': {
      const flags = new Set<string>();
      let i = 1;
      while (['NX', 'XX', 'GT', 'LT', 'CH'].includes(rest[i]!)) flags.add(rest[i++]!);
      const target = zset ?? new Map<string, number>();
      let added = 0;
      let changed = 0;
      for (; i < rest.length; i += 2) {
        const s = Number(rest[i]);
        const m = rest[i + 1]!;
        const current = target.get(m);
        if (current === undefined) {
          if (!flags.has('XX')) { target.set(m, s); added++; }
        } else if (!flags.has('NX') && !(flags.has('GT') && s <= current) && !(flags.has('LT') && s >= current) && s !== current) {
          target.set(m, s);
          changed++;
        }
      }
      setOrDelete(k, target);
      expect(reply).toBe(flags.has('CH') ? added + changed : added);
      return;
    }
    case 'ZINCRBY': {
      const target = zset ?? new Map<string, number>();
      const result = (target.get(rest[2]!) ?? 0) + Number(rest[1]);
      target.set(rest[2]!, result);
      model.set(k, target);
      expect(reply).toBe(result);
      return;
    }
    case 'ZREM': {
      let removed = 0;
      for (const m of rest.slice(1)) if (zset?.delete(m)) removed++;
      if (zset) setOrDelete(k, zset);
      expect(reply).toBe(removed);
      return;
    }
    case 'ZSCORE': expect(reply).toBe(zset?.get(rest[1]!) ?? null); return;
    case 'ZCARD': expect(reply).toBe(zset?.size ?? 0); return;
    case 'ZRANK':
    case 'ZREVRANK': {
      const at = pairs.findIndex(([m]) => m === rest[1]);
      expect(reply).toBe(at < 0 ? null : name === 'ZRANK' ? at : pairs.length - 1 - at);
      return;
    }
    case 'ZRANGE': {
      const reverse = argv.includes('REV');
      const ordered = reverse ? pairs.slice().reverse() : pairs;
      const window = rankWindow(pairs.length, Number(rest[1]), Number(rest[2]));
      const picked = window ? ordered.slice(window[0], window[1] + 1) : [];
      expect(reply).toEqual(argv.includes('WITHSCORES') ? flat(picked) : picked.map(([m]) => m));
      return;
    }
    case 'ZRANGEBYSCORE':
    case 'ZREVRANGEBYSCORE': {
      const reverse = name === 'ZREVRANGEBYSCORE';
      const [minText, maxText] = reverse ? [rest[2]!, rest[1]!] : [rest[1]!, rest[2]!];
      const min = parseBound(minText);
      const max = parseBound(maxText);
      let picked = (reverse ? pairs.slice().reverse() : pairs).filter(([, s]) => min(s, 'min') && max(s, 'max'));
      if (argv.includes('LIMIT')) {
        const offset = Number(argv[argv.indexOf('LIMIT') + 1]);
        const count = Number(argv[argv.indexOf('LIMIT') + 2]);
        picked = offset < 0 || (offset > 0 && offset >= pairs.length) ? [] : picked.slice(offset, count < 0 ? undefined : offset + count);
      }
      expect(reply).toEqual(flat(picked));
      return;
    }
    case 'ZCOUNT': {
      const min = parseBound(rest[1]!);
      const max = parseBound(rest[2]!);
      expect(reply).toBe(pairs.filter(([, s]) => min(s, 'min') && max(s, 'max')).length);
      return;
    }
    case 'ZRANGEBYLEX':
    case 'ZREVRANGEBYLEX':
    case 'ZLEXCOUNT':
    case 'ZREMRANGEBYLEX': {
      const reverse = name === 'ZREVRANGEBYLEX';
      const [minText, maxText] = reverse ? [rest[2]!, rest[1]!] : [rest[1]!, rest[2]!];
      const min = lexTest(minText, 'min');
      const max = lexTest(maxText, 'max');
      const inside = pairs.filter(([m]) => min(m) && max(m));
      if (name === 'ZLEXCOUNT') expect(reply).toBe(inside.length);
      else if (name === 'ZREMRANGEBYLEX') {
        for (const [m] of inside) zset!.delete(m);
        if (zset) setOrDelete(k, zset);
        expect(reply).toBe(inside.length);
      } else expect(reply).toEqual((reverse ? inside.reverse() : inside).map(([m]) => m));
      return;
    }
    case 'ZREMRANGEBYRANK': {
      const window = rankWindow(pairs.length, Number(rest[1]), Number(rest[2]));
      const doomed = window ? pairs.slice(window[0], window[1] + 1) : [];
      for (const [m] of doomed) zset!.delete(m);
      if (zset) setOrDelete(k, zset);
      expect(reply).toBe(doomed.length);
      return;
    }
    case 'ZREMRANGEBYSCORE': {
      const min = parseBound(rest[1]!);
      const max = parseBound(rest[2]!);
      const doomed = pairs.filter(([, s]) => min(s, 'min') && max(s, 'max'));
      for (const [m] of doomed) zset!.delete(m);
      if (zset) setOrDelete(k, zset);
      expect(reply).toBe(doomed.length);
      return;
    }
    case 'ZPOPMIN':
    case 'ZPOPMAX': {
      const count = rest.length > 1 ? Number(rest[1]) : 1;
      const ordered = name === 'ZPOPMAX' ? pairs.slice().reverse() : pairs;
      const popped = ordered.slice(0, count);
      for (const [m] of popped) zset!.delete(m);
      if (zset) setOrDelete(k, zset);
      expect(reply).toEqual(flat(popped));
      return;
    }
  }
  throw new Error(`model has no rule for ${name}`);
}

function engineView(h: EngineHarness): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [k, entry] of h.engine.database(0).entries.entries()) {
    view[k] = typeof entry.value === 'string' ? entry.value : (entry.value.toPlain() as { pairs: unknown }).pairs;
  }
  return view;
}

function modelView(model: Model): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [k, value] of model) view[k] = typeof value === 'string' ? value : sortedPairs(value);
  return view;
}

describe('sorted sets against a reference model', () => {
  it('random command sequences: replies, empty-key deletion, WRONGTYPE, effects', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 50 }), (commands) => {
        const h = new EngineHarness();
        const model: Model = new Map();
        for (const argv of commands) {
          const { reply, after, replayed } = effectsRoundTrip(h, argv);
          check(model, argv, plain(reply));
          expect(replayed).toEqual(after);
          expect(engineView(h)).toEqual(modelView(model));
        }
      }),
      { numRuns: 200 },
    );
  });
});
