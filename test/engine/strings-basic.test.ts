import { describe, expect, it } from 'vitest';
import { EngineHarness, effectsRoundTrip } from '../helpers/engine.js';

describe('SET / GET / INCR', () => {
  it('sets and gets values, honours NX/XX/GET', () => {
    const h = new EngineHarness();
    expect(h.run('GET', 'k')).toBe(null);
    expect(h.run('SET', 'k', 'v')).toBe('OK');
    expect(h.run('GET', 'k')).toBe('v');
    expect(h.run('SET', 'k', 'w', 'NX')).toBe(null);
    expect(h.run('SET', 'k', 'w', 'XX', 'GET')).toBe('v');
    expect(h.run('SET', 'missing', 'x', 'XX')).toBe(null);
    expect(h.run('SET', 'k', 'v', 'NX', 'XX')).toBe('ERR:ERR syntax error');
    expect(h.run('SET', 'k', 'v', 'EX', '0')).toBe("ERR:ERR invalid expire time in 'set' command");
    expect(h.run('SET', 'k', 'v', 'EX', 'x')).toBe('ERR:ERR value is not an integer or out of range');
    expect(h.run('GET')).toBe("ERR:ERR wrong number of arguments for 'get' command");
  });

  it('expires keys lazily and logs relative expiry as absolute PXAT', () => {
    const h = new EngineHarness();
    const { effects } = h.exec(['SET', 'k', 'v', 'EX', '10']);
    expect(effects).toEqual([{ db: 0, argv: ['SET', 'k', 'v', 'PXAT', String(h.nowMs + 10_000)] }]);
    h.advance(9_999);
    expect(h.run('GET', 'k')).toBe('v');
    h.advance(1);
    const read = h.exec(['GET', 'k']);
    expect(read.reply).toBe(null);
    expect(read.effects).toEqual([{ db: 0, argv: ['DEL', 'k'] }]);
  });

  it('counts exactly over the whole int64 range', () => {
    const h = new EngineHarness();
    h.run('SET', 'n', '9223372036854775806');
    expect(h.run('INCR', 'n')).toBe(9223372036854775807n);
    expect(h.run('INCR', 'n')).toBe('ERR:ERR increment or decrement would overflow');
    expect(h.run('DECRBY', 'n', '-9223372036854775808')).toBe('ERR:ERR decrement would overflow');
    h.run('SET', 's', 'abc');
    expect(h.run('INCR', 's')).toBe('ERR:ERR value is not an integer or out of range');
    h.run('SET', 's', ' 1');
    expect(h.run('INCR', 's')).toBe('ERR:ERR value is not an integer or out of range');
  });

  it('effects replayed later give the same state', () => {
    const h = new EngineHarness();
    for (const argv of [['SET', 'a', '1', 'PX', '50'], ['INCR', 'a'], ['SET', 'b', 'x', 'KEEPTTL'], ['INCRBY', 'c', '5']]) {
      const result = effectsRoundTrip(h, argv, 1_000);
      expect(result.replayed).toEqual(result.after);
    }
  });
});
