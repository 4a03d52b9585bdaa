// The effects property for every string and bit write command: applying a command's effects
// later (with a delay, on a copy of the state before it) gives the state after it. Random
// sequences include relative and absolute expiries (also already past), so expiry on access,
// PXAT/PEXPIREAT rewriting and DEL-on-past all take part.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine/engine.js';
import { EngineHarness, effectsRoundTrip, seededRandom, dumpEngine } from '../helpers/engine.js';

const key = fc.constantFrom('a', 'b', 'c');
const value = fc.constantFrom('', 'x', 'hello', '10', '-7', '2.5', '\xff\x00\x81');
const ttlSeconds = fc.integer({ min: 1, max: 5 });
// Absolute times around the harness start (1_700_000_000_000 ms): some past, some future.
const atMs = fc.integer({ min: -3_000, max: 20_000 }).map((delta) => String(1_700_000_000_000 + delta));
const atSeconds = fc.integer({ min: -3, max: 20 }).map((delta) => String(1_700_000_000 + delta));
const offset = fc.integer({ min: 0, max: 40 }).map(String);
const fieldType = fc.constantFrom('u8', 'i8', 'u1', 'i5', 'u63', 'i64');
const fieldOffset = fc.oneof(offset, fc.integer({ min: 0, max: 4 }).map((n) => `#${n}`));
const amount = fc.constantFrom('0', '1', '-1', '100', '-300', '9223372036854775807');

const fieldOp: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fieldType, fieldOffset).map(([t, o]) => ['GET', t, o]),
  fc.tuple(fieldType, fieldOffset, amount).map(([t, o, n]) => ['SET', t, o, n]),
  fc.tuple(fieldType, fieldOffset, amount).map(([t, o, n]) => ['INCRBY', t, o, n]),
  fc.constantFrom('WRAP', 'SAT', 'FAIL').map((mode) => ['OVERFLOW', mode]),
);

const writeCommand: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, value, fc.oneof(
    fc.constant<string[]>([]), fc.constant(['KEEPTTL']), fc.constant(['NX']), fc.constant(['XX', 'GET']),
    ttlSeconds.map((n) => ['EX', String(n)]), atMs.map((t) => ['PXAT', t]), atSeconds.map((t) => ['EXAT', t]),
  )).map(([k, v, options]) => ['SET', k, v, ...options]),
  fc.tuple(key, value).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(key, ttlSeconds, value).map(([k, n, v]) => ['SETEX', k, String(n), v]),
  fc.tuple(key, ttlSeconds, value).map(([k, n, v]) => ['PSETEX', k, String(n * 700), v]),
  fc.tuple(key, value).map(([k, v]) => ['GETSET', k, v]),
  key.map((k) => ['GETDEL', k]),
  fc.tuple(key, fc.oneof(
    fc.constant<string[]>([]), fc.constant(['PERSIST']), ttlSeconds.map((n) => ['EX', String(n)]),
    ttlSeconds.map((n) => ['PX', String(n * 300)]), atMs.map((t) => ['PXAT', t]), atSeconds.map((t) => ['EXAT', t]),
  )).map(([k, options]) => ['GETEX', k, ...options]),
  fc.tuple(fc.constantFrom('MSET', 'MSETNX'), fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 })).map(([name, pairs]) => [name, ...pairs.flat()]),
  fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key, fc.constantFrom('0.1', '-2.5', '1e3', '3')).map(([k, n]) => ['INCRBYFLOAT', k, n]),
  fc.tuple(fc.constantFrom('INCR', 'DECR'), key).map(([name, k]) => [name, k]),
  fc.tuple(fc.constantFrom('INCRBY', 'DECRBY'), key, fc.constantFrom('5', '-9')).map(([name, k, n]) => [name, k, n]),
  fc.tuple(key, fc.integer({ min: 0, max: 12 }).map(String), value).map(([k, o, v]) => ['SETRANGE', k, o, v]),
  fc.tuple(key, offset, fc.constantFrom('0', '1')).map(([k, o, bit]) => ['SETBIT', k, o, bit]),
  fc.tuple(fc.constantFrom('AND', 'OR', 'XOR'), key, fc.array(key, { minLength: 1, maxLength: 3 })).map(([op, dest, sources]) => ['BITOP', op, dest, ...sources]),
  fc.tuple(key, key).map(([dest, source]) => ['BITOP', 'NOT', dest, source]),
  fc.tuple(key, fc.array(fieldOp, { minLength: 1, maxLength: 4 })).map(([k, ops]) => ['BITFIELD', k, ...ops.flat()]),
  // Reads take part too: they may expire keys (a DEL effect) and must log nothing else.
  fc.tuple(fc.constantFrom('GET', 'STRLEN', 'BITCOUNT'), key).map(([name, k]) => [name, k]),
  fc.tuple(key, key).map(([a, b]) => ['LCS', a, b]),
  fc.tuple(key, fc.array(fieldOp.filter((op) => op[0] === 'GET'), { minLength: 1, maxLength: 2 })).map(([k, ops]) => ['BITFIELD_RO', k, ...ops.flat()]),
  // A key of another type, so WRONGTYPE paths (which must log nothing) are exercised.
  key.map((k) => ['RPUSH', k, 'item']),
);

const step = fc.tuple(writeCommand, fc.integer({ min: 0, max: 2_500 }), fc.integer({ min: 0, max: 5_000 }));

describe('string and bit effects', () => {
  it('replayed after a delay, each command\'s effects rebuild the state it produced', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const h = new EngineHarness();
        for (const [argv, advanceMs, applyDelayMs] of steps) {
          const { after, replayed, effects } = effectsRoundTrip(h, argv, applyDelayMs);
          expect(replayed, JSON.stringify({ argv, effects })).toEqual(after);
          for (const effect of effects) {
            // Effects never carry relative times or the command forms that depend on the clock.
            expect(['SETEX', 'PSETEX', 'GETEX', 'INCRBYFLOAT', 'GETSET', 'GETDEL']).not.toContain(effect.argv[0]!.toUpperCase());
            const upper = effect.argv.map((word) => word.toUpperCase());
            if (upper[0] === 'SET') expect(upper).not.toContain('EX');
          }
          h.advance(advanceMs);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a replica applying the whole effect stream, late, ends identical to the primary', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 10_000 }), (steps, lagMs) => {
        const primary = new EngineHarness();
        let replicaNowMs = primary.nowMs + lagMs;
        const replica = new Engine({ clock: () => replicaNowMs, random: seededRandom(9) });
        for (const [argv, advanceMs] of steps) {
          const { effects, reply } = primary.exec(argv);
          replica.applyEffects(effects);
          if (reply !== null && typeof reply === 'object' && 'message' in reply) {
            // A refused command logs nothing but the expiry of keys it looked at.
            expect(effects.filter((effect) => effect.argv[0] !== 'DEL')).toEqual([]);
          }
          primary.advance(advanceMs);
          replicaNowMs += advanceMs;
        }
        expect(dumpEngine(replica)).toEqual(primary.dump());
      }),
      { numRuns: 100 },
    );
  });
});
