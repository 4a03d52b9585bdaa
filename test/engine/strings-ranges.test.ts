// GETRANGE / SUBSTR / SETRANGE / LCS at engine level; tricky cases checked against redis 7.0.
import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../helpers/engine.js';
import { stringBytesMax } from '../../src/commands/strings.js';

const wrongType = 'ERR:WRONGTYPE Operation against a key holding the wrong kind of value';
const notInteger = 'ERR:ERR value is not an integer or out of range';
const tooLong = 'ERR:ERR string exceeds maximum allowed size (proto-max-bulk-len)';

describe('GETRANGE / SUBSTR', () => {
  it('follows Redis 7 index rules', () => {
    const h = new EngineHarness();
    h.run('SET', 's', 'Hello World');
    const cases: [string, string, string][] = [
      ['0', '4', 'Hello'], ['-5', '-1', 'World'], ['0', '-1', 'Hello World'], ['0', '100', 'Hello World'],
      ['0', '-100', 'H'], // redis 7: a negative end below the start clamps to 0 (Redis 8 returns "")
      ['-100', '-200', ''], ['-1', '-5', ''], ['5', '3', ''], ['11', '20', ''], ['-100', '2', 'Hel'],
      ['9223372036854775807', '9223372036854775807', ''], ['-9223372036854775808', '0', 'H'],
    ];
    for (const [start, end, expected] of cases) {
      expect(h.run('GETRANGE', 's', start, end), `${start} ${end}`).toBe(expected);
      expect(h.run('SUBSTR', 's', start, end), `${start} ${end}`).toBe(expected);
    }
    expect(h.run('GETRANGE', 'missing', '0', '-1')).toBe('');
    h.run('SET', 'e', '');
    expect(h.run('GETRANGE', 'e', '0', '-1')).toBe('');
  });

  it('parses the indexes before looking at the key', () => {
    const h = new EngineHarness();
    h.run('RPUSH', 'list', 'x');
    expect(h.run('GETRANGE', 'list', 'a', 'b')).toBe(notInteger);
    expect(h.run('GETRANGE', 'missing', '0', 'abc')).toBe(notInteger);
    expect(h.run('GETRANGE', 'list', '0', '1')).toBe(wrongType);
    expect(h.run('GETRANGE', 's', '0')).toBe("ERR:ERR wrong number of arguments for 'getrange' command");
  });
});

describe('SETRANGE', () => {
  it('overwrites, pads with zero bytes, keeps the TTL', () => {
    const h = new EngineHarness();
    h.run('SET', 's', 'Hello World', 'PX', '9000');
    expect(h.run('SETRANGE', 's', '6', 'Redis')).toBe(11);
    expect(h.run('GET', 's')).toBe('Hello Redis');
    expect(h.run('SETRANGE', 's', '13', '!')).toBe(14);
    expect(h.run('GET', 's')).toBe('Hello Redis\0\0!');
    expect(h.run('PTTL', 's')).toBe(9000);
    expect(h.run('SETRANGE', 'n', '3', 'ab')).toBe(5);
    expect(h.run('GET', 'n')).toBe('\0\0\0ab');
    expect(h.run('SETRANGE', 's', '0', '\xff')).toBe(14);
    expect(h.run('GETRANGE', 's', '0', '0')).toBe('\xff');
  });

  it('an empty value changes nothing: 0 and no key when missing, the length when present', () => {
    const h = new EngineHarness();
    expect(h.exec(['SETRANGE', 'nk', '5', ''])).toEqual({ reply: 0, effects: [] });
    expect(h.run('EXISTS', 'nk')).toBe(0);
    h.run('SET', 's', 'abc');
    expect(h.exec(['SETRANGE', 's', '100', ''])).toEqual({ reply: 3, effects: [] });
    // redis: even an offset past the limit is fine when nothing is written
    expect(h.run('SETRANGE', 's', String(stringBytesMax), '')).toBe(3);
  });

  it('refuses bad offsets (before the type check) and strings over 512 MiB', () => {
    const h = new EngineHarness();
    h.run('RPUSH', 'list', 'x');
    expect(h.run('SETRANGE', 's', '-1', 'x')).toBe('ERR:ERR offset is out of range');
    expect(h.run('SETRANGE', 'list', '-1', 'x')).toBe('ERR:ERR offset is out of range');
    expect(h.run('SETRANGE', 'list', 'abc', 'x')).toBe(notInteger);
    expect(h.run('SETRANGE', 'list', '1', 'x')).toBe(wrongType);
    expect(stringBytesMax).toBe(512 * 1024 * 1024);
    expect(h.run('SETRANGE', 's', String(stringBytesMax), 'x')).toBe(tooLong);
    expect(h.run('SETRANGE', 's', String(stringBytesMax - 1), 'xy')).toBe(tooLong);
    expect(h.run('SETRANGE', 's', '9223372036854775807', 'x')).toBe(tooLong);
    expect(h.run('EXISTS', 's')).toBe(0);
  });

  it('refuses, without crashing, the few sizes V8 cannot hold (known deviation)', () => {
    const h = new EngineHarness();
    // redis: 536870912 (exactly 512 MiB) — V8's longest string is 2^29 - 24 chars.
    expect(h.run('SETRANGE', 's', String(stringBytesMax - 1), 'x')).toBe(tooLong);
  });
});

describe('LCS', () => {
  it('returns the subsequence, its length, or the matching ranges (redis 7.0 replies)', () => {
    const h = new EngineHarness();
    h.run('MSET', 'a', 'ohmytext', 'b', 'mynewtext');
    expect(h.run('LCS', 'a', 'b')).toBe('mytext');
    expect(h.run('LCS', 'a', 'b', 'LEN')).toBe(6);
    expect(h.run('LCS', 'a', 'b', 'IDX')).toEqual(['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6]);
    expect(h.run('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN')).toEqual(['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
    expect(h.run('LCS', 'a', 'b', 'MINMATCHLEN', '-5', 'IDX', 'WITHMATCHLEN')).toEqual(
      ['matches', [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], 'len', 6]);
    expect(h.run('LCS', 'a', 'missing')).toBe('');
    expect(h.run('LCS', 'missing', 'missing', 'IDX')).toEqual(['matches', [], 'len', 0]);
  });

  it('refuses bad options and non-string keys', () => {
    const h = new EngineHarness();
    h.run('MSET', 'a', 'ohmytext', 'b', 'mynewtext');
    h.run('RPUSH', 'list', 'x');
    expect(h.run('LCS', 'a', 'b', 'LEN', 'IDX')).toBe('ERR:ERR If you want both the length and indexes, please just use IDX.');
    expect(h.run('LCS', 'a', 'b', 'MINMATCHLEN')).toBe('ERR:ERR syntax error');
    expect(h.run('LCS', 'a', 'b', 'MINMATCHLEN', 'x')).toBe(notInteger);
    expect(h.run('LCS', 'a', 'b', 'FOO')).toBe('ERR:ERR syntax error');
    expect(h.run('LCS', 'a', 'list')).toBe('ERR:ERR The specified keys must contain string values');
    expect(h.run('LCS', 'list', 'a', 'FOO')).toBe('ERR:ERR The specified keys must contain string values');
  });

  it('bounds its table by proto-max-bulk-len', () => {
    const h = new EngineHarness();
    h.run('SETRANGE', 'x', '12000', 'x');
    h.run('SETRANGE', 'y', '12000', 'y');
    expect(h.run('LCS', 'x', 'y', 'LEN')).toBe('ERR:ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  });

  it('agrees with a brute-force LCS length on random strings', () => {
    const h = new EngineHarness();
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 50; round++) {
      const make = (): string => Array.from({ length: Math.floor(next() * 9) }, () => 'abc'[Math.floor(next() * 3)]).join('');
      const a = make();
      const b = make();
      h.run('MSET', 'a', a, 'b', b);
      const text = h.run('LCS', 'a', 'b') as string;
      expect(text.length).toBe(naiveLcsLength(a, b));
      expect(h.run('LCS', 'a', 'b', 'LEN')).toBe(text.length);
      expect(isSubsequence(text, a) && isSubsequence(text, b)).toBe(true);
    }
  });
});

function naiveLcsLength(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  if (a[0] === b[0]) return 1 + naiveLcsLength(a.slice(1), b.slice(1));
  return Math.max(naiveLcsLength(a.slice(1), b), naiveLcsLength(a, b.slice(1)));
}

function isSubsequence(needle: string, haystack: string): boolean {
  let i = 0;
  for (const char of haystack) if (char === needle[i]) i++;
  return i === needle.length;
}
