import { describe, expect, it } from 'vitest';
import { EngineHarness, effectsRoundTrip } from '../helpers/engine.js';
import { encodeReply } from '../../src/resp/encoder.js';
import type { Reply } from '../../src/resp/reply.js';

function fill(h: EngineHarness, key: string, size: number): void {
  const args: string[] = [];
  for (let i = 0; i < size; i++) args.push(`f${i}`, `v${i}`);
  h.run('HSET', key, ...args);
}

describe('hash commands', () => {
  it('log HINCRBYFLOAT as HSET of the formatted result, everything else as is', () => {
    const h = new EngineHarness();
    h.run('HSET', 'h', 'f', '0.1');
    const result = effectsRoundTrip(h, ['HINCRBYFLOAT', 'h', 'f', '0.2'], 10_000);
    expect(result.reply).toBe('0.3');
    expect(result.effects).toEqual([{ db: 0, argv: ['HSET', 'h', 'f', '0.3'] }]);
    expect(result.replayed).toEqual(result.after);
    expect(h.exec(['HINCRBYFLOAT', 'h', 'new', '1.5e3']).effects).toEqual([{ db: 0, argv: ['HSET', 'h', 'new', '1500'] }]);
    expect(h.exec(['HINCRBY', 'h', 'n', '7']).effects).toEqual([{ db: 0, argv: ['HINCRBY', 'h', 'n', '7'] }]);
    expect(h.exec(['HSETNX', 'h', 'n', 'x']).effects).toEqual([]);
    expect(h.exec(['HDEL', 'h', 'nothing']).effects).toEqual([]);
    expect(h.exec(['HINCRBYFLOAT', 'h', 'f', 'inf']).reply).toEqual(expect.objectContaining({ message: 'ERR value is NaN or Infinity' }));
  });

  it('checks arity of HSET/HMSET pairs with the command name as typed in lower case', () => {
    const h = new EngineHarness();
    expect(h.run('HSET', 'h', 'a', '1', 'b')).toBe("ERR:ERR wrong number of arguments for 'hset' command");
    expect(h.run('hmset', 'h', 'a', '1', 'b')).toBe("ERR:ERR wrong number of arguments for 'hmset' command");
    expect(h.run('EXISTS', 'h')).toBe(0);
  });

  it('HRANDFIELD: distinct fields for positive counts, repeats for negative, nothing logged', () => {
    const h = new EngineHarness({ seed: 3 });
    fill(h, 'small', 5);
    fill(h, 'big', 300);
    for (const key of ['small', 'big']) {
      const size = key === 'small' ? 5 : 300;
      for (const count of [1, 2, 4, 101, 250, 1000]) {
        const { reply, effects } = h.exec(['HRANDFIELD', key, String(count), 'WITHVALUES']);
        expect(effects).toEqual([]);
        const flat = reply as string[];
        expect(flat.length).toBe(2 * Math.min(count, size));
        const fields = flat.filter((_, i) => i % 2 === 0);
        expect(new Set(fields).size).toBe(fields.length);
        for (let i = 0; i < flat.length; i += 2) expect(flat[i + 1]).toBe(`v${flat[i]!.slice(1)}`);
      }
      const repeated = h.run('HRANDFIELD', key, '-50') as string[];
      expect(repeated.length).toBe(50);
      expect(new Set(repeated).size).toBeLessThan(50 + (key === 'big' ? 1 : 0));
      for (const field of repeated) expect(h.run('HEXISTS', key, field)).toBe(1);
    }
    expect(new Set(h.run('HRANDFIELD', 'small', '-100') as string[]).size).toBe(5);
    expect(h.run('HRANDFIELD', 'small', '-20000000')).toBe('ERR:ERR value is out of range');
    expect(h.run('HRANDFIELD', 'small', '4611686018427387904', 'WITHVALUES')).toBe('ERR:ERR value is out of range');
  });

  it('HRANDFIELD WITHVALUES replies pairs in RESP3, a flat array in RESP2', () => {
    const h = new EngineHarness();
    h.run('HSET', 'h', 'a', '1');
    expect(h.exec(['HRANDFIELD', 'h', '1', 'WITHVALUES']).reply).toEqual(['a', '1']);
    h.client.protocol = 3;
    expect(h.exec(['HRANDFIELD', 'h', '-2', 'WITHVALUES']).reply).toEqual([['a', '1'], ['a', '1']]);
    expect(encodeReply(h.exec(['HGETALL', 'h']).reply as Reply, 3)).toBe('%1\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(encodeReply(h.exec(['HGETALL', 'missing']).reply as Reply, 3)).toBe('%0\r\n');
  });

  it('HSCAN returns a small hash at once and walks a large one with a cursor', () => {
    const h = new EngineHarness();
    fill(h, 'small', 100);
    const once = h.run('HSCAN', 'small', '0', 'COUNT', '1') as [string, string[]];
    expect(once[0]).toBe('0');
    expect(once[1].length).toBe(200);
    expect(h.run('HSCAN', 'small', '0', 'MATCH', 'f1?', 'NOVALUES')).toEqual(['0', Array.from({ length: 10 }, (_, i) => `f1${i}`)]);

    fill(h, 'big', 1000);
    expect(h.run('OBJECT', 'ENCODING', 'big')).toBe('hashtable');
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = h.run('HSCAN', 'big', cursor, 'COUNT', '100') as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeGreaterThan(5);
    expect(seen.size).toBe(1000);
    expect(seen.get('f999')).toBe('v999');
    expect(h.run('HSCAN', 'big', '0', 'COUNT', '0')).toBe('ERR:ERR syntax error');
    expect(h.run('HSCAN', 'big', 'abc')).toBe('ERR:ERR invalid cursor');
  });

  it('report listpack and hashtable encodings as Redis 7.2', () => {
    const h = new EngineHarness();
    fill(h, 'h', 128);
    expect(h.run('OBJECT', 'ENCODING', 'h')).toBe('listpack');
    h.run('HSET', 'h', 'one-more', 'v');
    expect(h.run('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
    h.run('HSET', 'l', 'f', 'x'.repeat(64));
    expect(h.run('OBJECT', 'ENCODING', 'l')).toBe('listpack');
    h.run('HINCRBYFLOAT', 'l', 'g', '1e70'); // a 71-byte result converts
    expect(h.run('OBJECT', 'ENCODING', 'l')).toBe('hashtable');
  });

  it('keep the insertion order of a small hash across deletes (HGETALL as Redis)', () => {
    const h = new EngineHarness();
    h.run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    h.run('HDEL', 'h', 'b');
    h.run('HSET', 'h', 'b', '5', 'a', '6');
    expect(h.run('HGETALL', 'h')).toEqual(['a', '6', 'c', '3', 'd', '4', 'b', '5']);
    expect(h.run('HKEYS', 'h')).toEqual(['a', 'c', 'd', 'b']);
  });
});

describe('hash writes tell WATCH and blocked clients, reads do not', () => {
  it('touches the key on every change only', () => {
    const h = new EngineHarness();
    h.engine.wakeTracking = true;
    const touchedBy = (argv: string[]): string[] => {
      h.engine.drainTouchedKeys();
      h.exec(argv);
      return h.engine.drainTouchedKeys().map((entry) => entry.key);
    };
    expect(touchedBy(['HSET', 'h', 'a', '1'])).toEqual(['h']);
    expect(touchedBy(['HSETNX', 'h', 'a', '2'])).toEqual([]);
    expect(touchedBy(['HSETNX', 'h', 'b', '2'])).toEqual(['h']);
    expect(touchedBy(['HINCRBY', 'h', 'a', '1'])).toEqual(['h']);
    expect(touchedBy(['HINCRBYFLOAT', 'h', 'a', '1.5'])).toEqual(['h']);
    expect(touchedBy(['HGETALL', 'h'])).toEqual([]);
    expect(touchedBy(['HRANDFIELD', 'h', '-3'])).toEqual([]);
    expect(touchedBy(['HSCAN', 'h', '0'])).toEqual([]);
    expect(touchedBy(['HDEL', 'h', 'nope'])).toEqual([]);
    expect(touchedBy(['HDEL', 'h', 'a', 'b'])).toEqual(['h']);
    expect(h.run('EXISTS', 'h')).toBe(0);
  });
});
