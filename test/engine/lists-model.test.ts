// Model-based test: random list command sequences against a reference model built on plain
// arrays, including WRONGTYPE rules, empty-key deletion, blocking commands that either serve
// at once or block, and the effects property (applying every effect to an empty engine gives
// the same data set).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineHarness, plain } from '../helpers/engine.js';
import type { Effect } from '../../src/engine/effects.js';

const WRONGTYPE = 'ERR:WRONGTYPE Operation against a key holding the wrong kind of value';
type Model = Map<string, string[] | string>;

const key = fc.constantFrom('a', 'b', 'c', 's');
const element = fc.constantFrom('x', 'y', 'z', '1', '');
const side = fc.constantFrom('LEFT', 'RIGHT');
const smallInt = fc.integer({ min: -5, max: 5 });

const command: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), key, fc.array(element, { minLength: 1, maxLength: 4 }))
    .map(([name, k, elements]) => [name, k, ...elements]),
  fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), key, fc.array(element, { minLength: 1, maxLength: 4 }))
    .map(([name, k, elements]) => [name, k, ...elements]),
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.option(fc.nat(4), { nil: undefined }))
    .map(([name, k, count]) => (count === undefined ? [name, k] : [name, k, String(count)])),
  fc.tuple(key, smallInt, smallInt).map(([k, start, end]) => ['LRANGE', k, String(start), String(end)]),
  key.map((k) => ['LLEN', k]),
  fc.tuple(key, smallInt).map(([k, index]) => ['LINDEX', k, String(index)]),
  fc.tuple(key, smallInt, element).map(([k, index, value]) => ['LSET', k, String(index), value]),
  fc.tuple(key, fc.constantFrom('BEFORE', 'AFTER'), element, element).map(([k, where, pivot, value]) => ['LINSERT', k, where, pivot, value]),
  fc.tuple(key, fc.integer({ min: -2, max: 2 }), element).map(([k, count, value]) => ['LREM', k, String(count), value]),
  fc.tuple(key, smallInt, smallInt).map(([k, start, end]) => ['LTRIM', k, String(start), String(end)]),
  fc.tuple(key, element, fc.constantFrom(-2, -1, 1, 2), fc.option(fc.nat(3), { nil: undefined }), fc.nat(4))
    .map(([k, value, rank, count, maxlen]) => [
      'LPOS', k, value, 'RANK', String(rank), ...(count === undefined ? [] : ['COUNT', String(count)]), 'MAXLEN', String(maxlen),
    ]),
  fc.tuple(key, key, side, side).map(([source, destination, from, to]) => ['LMOVE', source, destination, from, to]),
  fc.tuple(key, key).map(([source, destination]) => ['RPOPLPUSH', source, destination]),
  fc.tuple(fc.array(key, { minLength: 1, maxLength: 3 }), side, fc.integer({ min: 1, max: 3 }))
    .map(([keys, where, count]) => ['LMPOP', String(keys.length), ...keys, where, 'COUNT', String(count)]),
  fc.tuple(fc.constantFrom('BLPOP', 'BRPOP'), fc.array(key, { minLength: 1, maxLength: 3 }))
    .map(([name, keys]) => [name, ...keys, '0']),
  fc.tuple(fc.array(key, { minLength: 1, maxLength: 3 }), side, fc.integer({ min: 1, max: 3 }))
    .map(([keys, where, count]) => ['BLMPOP', '0', String(keys.length), ...keys, where, 'COUNT', String(count)]),
  fc.tuple(key, key, side, side).map(([source, destination, from, to]) => ['BLMOVE', source, destination, from, to, '0']),
  fc.tuple(key, key).map(([source, destination]) => ['BRPOPLPUSH', source, destination, '0']),
  fc.constantFrom<string[]>(['SET', 's', 'str'], ['SET', 'c', 'str'], ['DEL', 'c']),
);

function normalizeRange(size: number, start: number, end: number): [number, number] | null {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return null;
  return [start, Math.min(end, size - 1)];
}

/** The reference semantics, on plain arrays. Returns the expected reply in `plain` form. */
function model(state: Model, argv: string[]): unknown {
  const name = argv[0]!;
  const get = (k: string): string[] | undefined | 'wrong' => {
    const value = state.get(k);
    return typeof value === 'string' ? 'wrong' : value;
  };
  const dropIfEmpty = (k: string): void => {
    const value = state.get(k);
    if (Array.isArray(value) && value.length === 0) state.delete(k);
  };
  const popFrom = (list: string[], where: string): string => (where === 'LEFT' ? list.shift()! : list.pop()!);
  const pushTo = (list: string[], where: string, value: string): void => {
    if (where === 'LEFT') list.unshift(value);
    else list.push(value);
  };
  const move = (source: string, destination: string, from: string, to: string): unknown => {
    const list = get(source);
    if (list === 'wrong') return WRONGTYPE;
    if (list === undefined) return null;
    const target = get(destination);
    if (target === 'wrong') return WRONGTYPE;
    const value = popFrom(list, from);
    const destinationList = target ?? [];
    pushTo(destinationList, to, value);
    state.set(destination, destinationList);
    dropIfEmpty(source);
    return value;
  };
  switch (name) {
    case 'SET': state.set(argv[1]!, argv[2]!); return 'OK';
    case 'DEL': return state.delete(argv[1]!) ? 1 : 0;
    case 'LPUSH': case 'RPUSH': case 'LPUSHX': case 'RPUSHX': {
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined && name.endsWith('X')) return 0;
      const target = list ?? [];
      for (const value of argv.slice(2)) pushTo(target, name[0] === 'L' ? 'LEFT' : 'RIGHT', value);
      state.set(argv[1]!, target);
      return target.length;
    }
    case 'LPOP': case 'RPOP': {
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined) return null;
      const where = name === 'LPOP' ? 'LEFT' : 'RIGHT';
      if (argv.length === 2) {
        const value = popFrom(list, where);
        dropIfEmpty(argv[1]!);
        return value;
      }
      const count = Number(argv[2]);
      const popped: string[] = [];
      while (popped.length < count && list.length > 0) popped.push(popFrom(list, where));
      dropIfEmpty(argv[1]!);
      return popped;
    }
    case 'LRANGE': {
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined) return [];
      const range = normalizeRange(list.length, Number(argv[2]), Number(argv[3]));
      return range === null ? [] : list.slice(range[0], range[1] + 1);
    }
    case 'LLEN': {
      const list = get(argv[1]!);
      return list === 'wrong' ? WRONGTYPE : (list?.length ?? 0);
    }
    case 'LINDEX': {
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined) return null;
      const index = Number(argv[2]);
      return list[index < 0 ? list.length + index : index] ?? null;
    }
    case 'LSET': {
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined) return 'ERR:ERR no such key';
      let index = Number(argv[2]);
      if (index < 0) index += list.length;
      if (index < 0 || index >= list.length) return 'ERR:ERR index out of range';
      list[index] = argv[3]!;
      return 'OK';
    }
    case 'LINSERT': {
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined) return 0;
      const at = list.indexOf(argv[3]!);
      if (at < 0) return -1;
      list.splice(argv[2] === 'AFTER' ? at + 1 : at, 0, argv[4]!);
      return list.length;
    }
    case 'LREM': {
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined) return 0;
      const count = Number(argv[2]);
      const order = count < 0 ? [...list.keys()].reverse() : [...list.keys()];
      const drop = new Set<number>();
      for (const i of order) if (list[i] === argv[3] && (count === 0 || drop.size < Math.abs(count))) drop.add(i);
      state.set(argv[1]!, list.filter((_, i) => !drop.has(i)));
      dropIfEmpty(argv[1]!);
      return drop.size;
    }
    case 'LTRIM': {
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined) return 'OK';
      const range = normalizeRange(list.length, Number(argv[2]), Number(argv[3]));
      state.set(argv[1]!, range === null ? [] : list.slice(range[0], range[1] + 1));
      dropIfEmpty(argv[1]!);
      return 'OK';
    }
    case 'LPOS': {
      const rank = Number(argv[4]);
      const hasCount = argv[5] === 'COUNT';
      const count = hasCount ? Number(argv[6]) : -1;
      const maxlen = Number(argv[argv.length - 1]);
      const list = get(argv[1]!);
      if (list === 'wrong') return WRONGTYPE;
      if (list === undefined) return hasCount ? [] : null;
      const indexes = [...list.keys()];
      if (rank < 0) indexes.reverse();
      const scanned = maxlen === 0 ? indexes : indexes.slice(0, maxlen);
      const matches = scanned.filter((i) => list[i] === argv[2]).slice(Math.abs(rank) - 1);
      if (!hasCount) return matches[0] ?? null;
      return count === 0 ? matches : matches.slice(0, count);
    }
    case 'LMOVE': return move(argv[1]!, argv[2]!, argv[3]!, argv[4]!);
    case 'RPOPLPUSH': return move(argv[1]!, argv[2]!, 'RIGHT', 'LEFT');
    case 'BLMOVE': {
      const list = get(argv[1]!);
      if (list === undefined) return { blocked: [argv[1]!] };
      return move(argv[1]!, argv[2]!, argv[3]!, argv[4]!);
    }
    case 'BRPOPLPUSH': {
      const list = get(argv[1]!);
      if (list === undefined) return { blocked: [argv[1]!] };
      return move(argv[1]!, argv[2]!, 'RIGHT', 'LEFT');
    }
    case 'LMPOP': case 'BLMPOP': {
      const at = name === 'LMPOP' ? 1 : 2;
      const keys = argv.slice(at + 1, at + 1 + Number(argv[at]));
      const where = argv[at + 1 + keys.length]!;
      const count = Number(argv[argv.length - 1]);
      for (const k of keys) {
        const list = get(k);
        if (list === 'wrong') return WRONGTYPE;
        if (list === undefined) continue;
        const popped: string[] = [];
        while (popped.length < count && list.length > 0) popped.push(popFrom(list, where));
        dropIfEmpty(k);
        return [k, popped];
      }
      return name === 'LMPOP' ? null : { blocked: keys };
    }
    case 'BLPOP': case 'BRPOP': {
      const keys = argv.slice(1, -1);
      for (const k of keys) {
        const list = get(k);
        if (list === 'wrong') return WRONGTYPE;
        if (list === undefined) continue;
        const value = popFrom(list, name === 'BLPOP' ? 'LEFT' : 'RIGHT');
        dropIfEmpty(k);
        return [k, value];
      }
      return { blocked: keys };
    }
  }
  throw new Error(`model does not know ${name}`);
}

function dumpModel(state: Model): unknown[] {
  return [...state.keys()].sort().map((k) => {
    const value = state.get(k)!;
    return [0, k, typeof value === 'string' ? 'string' : 'list', value, 0];
  });
}

describe('list commands against a reference model', () => {
  it('agree on every reply and on the data set; effects rebuild the same data set', () => {
    fc.assert(fc.property(fc.array(command, { minLength: 5, maxLength: 60, size: 'max' }), (commands) => {
      const harness = new EngineHarness();
      const state: Model = new Map();
      const effects: Effect[] = [];
      for (const argv of commands) {
        const expected = model(state, argv);
        const result = harness.exec(argv);
        expect([argv.join(' '), plain(result.reply)]).toEqual([argv.join(' '), expected]);
        effects.push(...result.effects);
      }
      expect(harness.dump()).toEqual(dumpModel(state));
      for (const effect of effects) {
        expect(['BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP', 'LMPOP']).not.toContain(effect.argv[0]);
      }
      const replica = new EngineHarness();
      replica.engine.applyEffects(effects);
      expect(replica.dump()).toEqual(harness.dump());
    }), { numRuns: 400 });
  });
});
