import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineHarness, effectsRoundTrip } from '../helpers/engine.js';

const keyArb = fc.constantFrom('a', 'b', 'c', 'd');
const ttlArb = fc.integer({ min: -5, max: 50 });

// Write commands of the keys, strings-basic and transactions families, with arguments that
// hit their interesting branches (missing keys, expired keys, options, past times).
const writeArb: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(keyArb, fc.string({ maxLength: 4 })).map(([k, v]) => ['SET', k, v]),
  fc.tuple(keyArb, ttlArb).map(([k, t]) => ['SET', k, 'v', 'PX', String(Math.max(1, t))]),
  keyArb.map((k) => ['INCR', k]),
  fc.array(keyArb, { minLength: 1, maxLength: 3 }).map((ks) => ['DEL', ...ks]),
  fc.tuple(keyArb, ttlArb, fc.constantFrom('', 'NX', 'XX', 'GT', 'LT')).map(([k, t, o]) => ['PEXPIRE', k, String(t), ...(o ? [o] : [])]),
  fc.tuple(keyArb, ttlArb).map(([k, t]) => ['EXPIRE', k, String(t)]),
  keyArb.map((k) => ['PERSIST', k]),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAMENX', a, b]),
  fc.tuple(keyArb, keyArb, fc.boolean(), fc.integer({ min: 0, max: 2 })).map(([a, b, r, db]) => ['COPY', a, b, 'DB', String(db), ...(r ? ['REPLACE'] : [])]),
  fc.tuple(keyArb, fc.integer({ min: 0, max: 2 })).map(([k, db]) => ['MOVE', k, String(db)]),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })).map(([x, y]) => ['SWAPDB', String(x), String(y)]),
  fc.constantFrom<string[]>(['FLUSHDB'], ['FLUSHALL']),
  fc.integer({ min: 0, max: 2 }).map((db) => ['SELECT', String(db)]),
  keyArb.map((k) => ['GET', k]),
  keyArb.map((k) => ['RESTORE', k, '0', '', 'REPLACE']),
);

describe('effects property: keys, strings and transactions', () => {
  it('applying the effects of each command to the state before it gives the state after it', () => {
    fc.assert(fc.property(fc.array(fc.tuple(writeArb, fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 40 }), (steps) => {
      const h = new EngineHarness();
      for (const [argv, advanceMs] of steps) {
        h.advance(advanceMs);
        const { after, replayed } = effectsRoundTrip(h, argv, 60_000);
        expect(replayed).toEqual(after);
      }
    }), { numRuns: 300 });
  });

  it('a transaction is one batch of effects, applied atomically', () => {
    fc.assert(fc.property(fc.array(writeArb, { minLength: 1, maxLength: 8 }), (queued) => {
      const h = new EngineHarness();
      h.run('SET', 'a', '1');
      h.run('MULTI');
      for (const argv of queued) h.exec(argv);
      const { after, replayed, effects } = effectsRoundTrip(h, ['EXEC'], 10_000);
      expect(replayed).toEqual(after);
      expect(effects.every((effect) => effect.argv[0] !== 'EXEC' && effect.argv[0] !== 'MULTI')).toBe(true);
    }), { numRuns: 200 });
  });
});

describe('expiry and WATCH', () => {
  it('EXPIRE with a past time deletes and logs DEL; with a future time logs PEXPIREAT', () => {
    const h = new EngineHarness();
    h.run('SET', 'k', 'v');
    expect(h.exec(['EXPIRE', 'k', '10']).effects).toEqual([{ db: 0, argv: ['PEXPIREAT', 'k', String(h.nowMs + 10_000)] }]);
    expect(h.exec(['EXPIRE', 'k', '-1']).effects).toEqual([{ db: 0, argv: ['DEL', 'k'] }]);
    expect(h.run('EXISTS', 'k')).toBe(0);
  });

  it('a replica hides expired keys but keeps them until the primary\'s DEL', () => {
    const h = new EngineHarness();
    h.run('SET', 'k', 'v', 'PX', '100');
    h.advance(200);
    expect(h.exec(['GET', 'k'], 'replica')).toEqual({ reply: null, effects: [] });
    expect(h.dump()).toHaveLength(1);
    h.engine.applyEffects([{ db: 0, argv: ['DEL', 'k'] }]);
    expect(h.dump()).toHaveLength(0);
  });

  it('WATCH aborts EXEC when the key changed or expired, and not otherwise', () => {
    const h = new EngineHarness();
    h.run('SET', 'k', 'v', 'PX', '100');
    h.run('WATCH', 'k');
    h.run('MULTI');
    h.run('SET', 'other', '1');
    expect(h.run('EXEC')).toEqual(['OK']);
    h.run('WATCH', 'k');
    h.advance(150);
    h.run('MULTI');
    h.run('SET', 'other', '2');
    expect(h.run('EXEC')).toBe(null);
    h.run('WATCH', 'x');
    h.engine.applyEffects([{ db: 0, argv: ['SET', 'x', 'changed'] }]);
    h.run('MULTI');
    h.run('GET', 'x');
    expect(h.run('EXEC')).toBe(null);
  });

  it('the active expiry cycle deletes expired keys and returns their DEL effects', () => {
    const h = new EngineHarness();
    for (let i = 0; i < 50; i++) h.run('SET', `k${i}`, 'v', 'PX', String(i < 25 ? 10 : 100_000));
    h.advance(20);
    const effects = [...h.engine.activeExpireStep(100)];
    expect(effects).toHaveLength(25);
    expect(effects.every((effect) => effect.argv[0] === 'DEL')).toBe(true);
    expect(h.run('DBSIZE')).toBe(25);
  });

  it('DUMP and RESTORE round-trip a string with its TTL, and RESTORE is logged with an absolute TTL', () => {
    const h = new EngineHarness();
    h.run('SET', 'k', 'hello\x00\xff');
    const payload = h.run('DUMP', 'k') as string;
    const { effects } = h.exec(['RESTORE', 'copy', '5000', payload]);
    expect(effects).toEqual([{ db: 0, argv: ['RESTORE', 'copy', String(h.nowMs + 5000), payload, 'REPLACE', 'ABSTTL'] }]);
    expect(h.run('GET', 'copy')).toBe('hello\x00\xff');
    expect(h.run('PTTL', 'copy')).toBe(5000);
    expect(h.run('RESTORE', 'copy', '0', payload)).toBe('ERR:BUSYKEY Target key name already exists.');
    expect(h.run('RESTORE', 'bad', '0', payload.slice(0, -1) + 'x')).toBe('ERR:ERR DUMP payload version or checksum are wrong');
  });
});
