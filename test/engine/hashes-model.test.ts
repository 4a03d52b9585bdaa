// Model-based test: random hash command sequences against a Map-based reference model,
// including WRONGTYPE rules, empty-key deletion and the effects property.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineHarness, plain } from '../helpers/engine.js';
import type { Effect } from '../../src/engine/effects.js';
import { formatLongDouble } from '../../src/util/numbers.js';

const WRONGTYPE = 'ERR:WRONGTYPE Operation against a key holding the wrong kind of value';
type Model = Map<string, Map<string, string> | string>;

const key = fc.constantFrom('h', 'g', 's');
const field = fc.constantFrom('f1', 'f2', 'f3', 'n', 'x'.repeat(70));
const value = fc.constantFrom('v', '10', '-3', '2.5', 'y'.repeat(70));
const pairs = fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }).map((list) => list.flat());

const command: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fc.constantFrom('HSET', 'HMSET'), key, pairs).map(([name, k, rest]) => [name, k, ...rest]),
  fc.tuple(key, field, value).map(([k, f, v]) => ['HSETNX', k, f, v]),
  fc.tuple(key, field).map(([k, f]) => ['HGET', k, f]),
  fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 3 })).map(([k, fields]) => ['HMGET', k, ...fields]),
  fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 3 })).map(([k, fields]) => ['HDEL', k, ...fields]),
  fc.tuple(key, field).map(([k, f]) => ['HEXISTS', k, f]),
  fc.tuple(key, field).map(([k, f]) => ['HSTRLEN', k, f]),
  fc.tuple(fc.constantFrom('HGETALL', 'HKEYS', 'HVALS', 'HLEN'), key).map(([name, k]) => [name, k]),
  fc.tuple(key, field, fc.constantFrom('1', '-5', '100')).map(([k, f, n]) => ['HINCRBY', k, f, n]),
  fc.tuple(key, field, fc.constantFrom('0.5', '-1.25', '3')).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]),
  fc.tuple(key, fc.constantFrom('0', '2', '10')).map(([k, count]) => ['HRANDFIELD', k, count]),
  key.map((k) => ['HSCAN', k, '0', 'COUNT', '1000']),
  fc.constantFrom<string[]>(['SET', 's', 'str'], ['SET', 'g', 'str'], ['DEL', 'g']),
);

function model(state: Model, argv: string[]): unknown {
  const name = argv[0]!;
  const found = state.get(argv[1]!);
  if (name === 'SET') { state.set(argv[1]!, argv[2]!); return 'OK'; }
  if (name === 'DEL') return state.delete(argv[1]!) ? 1 : 0;
  if (typeof found === 'string') return WRONGTYPE;
  const hash = found;
  const create = (): Map<string, string> => {
    if (hash !== undefined) return hash;
    const created = new Map<string, string>();
    state.set(argv[1]!, created);
    return created;
  };
  switch (name) {
    case 'HSET': case 'HMSET': {
      const target = create();
      let added = 0;
      for (let i = 2; i < argv.length; i += 2) {
        if (!target.has(argv[i]!)) added++;
        target.set(argv[i]!, argv[i + 1]!);
      }
      return name === 'HSET' ? added : 'OK';
    }
    case 'HSETNX': {
      if (hash?.has(argv[2]!)) return 0;
      create().set(argv[2]!, argv[3]!);
      return 1;
    }
    case 'HGET': return hash?.get(argv[2]!) ?? null;
    case 'HMGET': return argv.slice(2).map((f) => hash?.get(f) ?? null);
    case 'HDEL': {
      if (hash === undefined) return 0;
      let deleted = 0;
      for (const f of argv.slice(2)) if (hash.delete(f)) deleted++;
      if (hash.size === 0) state.delete(argv[1]!);
      return deleted;
    }
    case 'HEXISTS': return hash?.has(argv[2]!) ? 1 : 0;
    case 'HSTRLEN': return hash?.get(argv[2]!)?.length ?? 0;
    case 'HLEN': return hash?.size ?? 0;
    case 'HGETALL': return { sorted: [...(hash ?? new Map<string, string>()).entries()].sort() };
    case 'HKEYS': return { sorted: [...(hash?.keys() ?? [])].sort() };
    case 'HVALS': return { sorted: [...(hash?.values() ?? [])].sort() };
    case 'HINCRBY': {
      const current = hash?.get(argv[2]!) ?? '0';
      if (!/^-?(0|[1-9][0-9]*)$/.test(current)) return 'ERR:ERR hash value is not an integer';
      const result = Number(current) + Number(argv[3]);
      create().set(argv[2]!, String(result));
      return result;
    }
    case 'HINCRBYFLOAT': {
      const current = hash?.get(argv[2]!) ?? '0';
      const parsed = Number(current);
      if (current.trim() !== current || Number.isNaN(parsed)) return 'ERR:ERR hash value is not a float';
      const result = formatLongDouble(parsed + Number(argv[3]));
      create().set(argv[2]!, result);
      return result;
    }
    case 'HRANDFIELD': {
      const count = Number(argv[2]);
      if (hash === undefined) return [];
      return { randomFieldsOf: [...hash.keys()].sort(), count: Math.min(count, hash.size) };
    }
    case 'HSCAN': {
      if (hash === undefined) return ['0', []];
      return { scanOf: [...hash.entries()].sort() };
    }
  }
  throw new Error(`model does not know ${name}`);
}

function pairsOf(flat: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) result.push([flat[i]!, flat[i + 1]!]);
  return result;
}

/** Brings an actual reply into the shape `model` returns for order-free or random replies. */
function comparable(expected: unknown, actual: unknown): unknown {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) return actual;
  const shape = expected as Record<string, unknown>;
  const list = actual as string[];
  if ('sorted' in shape) {
    return { sorted: Array.isArray((shape.sorted as unknown[])[0]) ? pairsOf(list).sort() : [...list].sort() };
  }
  if ('randomFieldsOf' in shape) {
    const fields = shape.randomFieldsOf as string[];
    const distinct = new Set(list);
    const valid = list.every((f) => fields.includes(f)) && distinct.size === list.length;
    return valid ? { randomFieldsOf: fields, count: list.length } : { invalid: list };
  }
  if ('scanOf' in shape) {
    const [cursor, items] = actual as [string, string[]];
    return cursor === '0' ? { scanOf: pairsOf(items).sort() } : { cursor };
  }
  return actual;
}

function dumpModel(state: Model): unknown[] {
  return [...state.keys()].sort().map((k) => {
    const value = state.get(k)!;
    if (typeof value === 'string') return [0, k, 'string', value, 0];
    return [0, k, 'hash', [...value.entries()].sort().flat(), 0];
  });
}

describe('hash commands against a reference model', () => {
  it('agree on every reply and on the data set; effects rebuild the same data set', () => {
    fc.assert(fc.property(fc.array(command, { minLength: 5, maxLength: 50, size: 'max' }), fc.integer(), (commands, seed) => {
      const harness = new EngineHarness({ seed });
      const state: Model = new Map();
      const effects: Effect[] = [];
      for (const argv of commands) {
        const expected = model(state, argv);
        const result = harness.exec(argv);
        expect([argv.join(' '), comparable(expected, plain(result.reply))]).toEqual([argv.join(' '), expected]);
        effects.push(...result.effects);
        if (argv[0] === 'HRANDFIELD') expect(result.effects).toEqual([]);
      }
      expect(harness.dump()).toEqual(dumpModel(state));
      for (const effect of effects) expect(effect.argv[0]).not.toBe('HINCRBYFLOAT');
      const replica = new EngineHarness();
      replica.engine.applyEffects(effects);
      expect(replica.dump()).toEqual(harness.dump());
    }), { numRuns: 400 });
  });
});
