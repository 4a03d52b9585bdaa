// Bitmap commands at engine level; tricky cases checked against redis 7.0 (noted "redis:").
import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../helpers/engine.js';

const wrongType = 'ERR:WRONGTYPE Operation against a key holding the wrong kind of value';
const notInteger = 'ERR:ERR value is not an integer or out of range';
const syntax = 'ERR:ERR syntax error';
const badOffset = 'ERR:ERR bit offset is not an integer or out of range';
const badBit = 'ERR:ERR bit is not an integer or out of range';
const badType = 'ERR:ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

function harness(): EngineHarness {
  const h = new EngineHarness();
  h.run('RPUSH', 'list', 'x');
  return h;
}

describe('SETBIT / GETBIT', () => {
  it('sets bits most significant first, grows with zero bytes, keeps the TTL', () => {
    const h = harness();
    expect(h.run('SETBIT', 'b', '7', '1')).toBe(0);
    expect(h.run('GET', 'b')).toBe('\x01');
    expect(h.run('SETBIT', 'b', '7', '1')).toBe(1);
    expect(h.run('SETBIT', 'b', '0', '1')).toBe(0);
    expect(h.run('GET', 'b')).toBe('\x81');
    h.run('PEXPIRE', 'b', '5000');
    expect(h.run('SETBIT', 'b', '17', '1')).toBe(0);
    expect(h.run('GET', 'b')).toBe('\x81\x00\x40');
    expect(h.run('PTTL', 'b')).toBe(5000);
    expect(h.run('SETBIT', 'b', '0', '0')).toBe(1);
    expect(h.run('GETBIT', 'b', '0')).toBe(0);
    expect(h.run('GETBIT', 'b', '17')).toBe(1);
    expect(h.run('GETBIT', 'b', '100000')).toBe(0);
    expect(h.run('GETBIT', 'missing', '3')).toBe(0);
  });

  it('logs only real changes (a same-value SETBIT inside the string logs nothing)', () => {
    const h = harness();
    expect(h.exec(['SETBIT', 'b', '3', '0']).effects).toEqual([{ db: 0, argv: ['SETBIT', 'b', '3', '0'] }]);
    expect(h.run('GET', 'b')).toBe('\0');
    expect(h.exec(['SETBIT', 'b', '3', '0']).effects).toEqual([]);
    expect(h.exec(['SETBIT', 'b', '9', '0']).effects).toHaveLength(1); // grows
  });

  it('checks offset, then bit value, then type (redis order)', () => {
    const h = harness();
    expect(h.run('SETBIT', 'b', '0', '2')).toBe(badBit);
    expect(h.run('SETBIT', 'b', '7', '01')).toBe(badBit);
    expect(h.run('SETBIT', 'b', 'abc', '1')).toBe(badOffset);
    expect(h.run('SETBIT', 'b', '-1', '1')).toBe(badOffset);
    expect(h.run('SETBIT', 'b', '4294967296', '1')).toBe(badOffset); // 2^32: past 512 MiB
    expect(h.run('SETBIT', 'list', '0', 'x')).toBe(badBit);
    expect(h.run('SETBIT', 'list', '0', '1')).toBe(wrongType);
    expect(h.run('GETBIT', 'list', 'x')).toBe(badOffset);
    expect(h.run('GETBIT', 'list', '0')).toBe(wrongType);
    expect(h.run('GETBIT', 'missing', '4294967296')).toBe(badOffset);
    expect(h.run('GETBIT', 'missing', '4294967295')).toBe(0);
  });
});

describe('bit offsets V8 cannot hold (known deviation)', () => {
  it('refuse, without crashing, the last 24 bytes of the 512 MiB range', () => {
    const h = harness();
    // redis: SETBIT k 4294967295 1 builds a 512 MiB string; V8's longest is 2^29 - 24 chars.
    const tooLong = 'ERR:ERR string exceeds maximum allowed size (proto-max-bulk-len)';
    expect(h.run('SETBIT', 'k', '4294967295', '1')).toBe(tooLong);
    expect(h.run('BITFIELD', 'k', 'SET', 'u8', '4294967280', '1')).toBe(tooLong);
    expect(h.run('EXISTS', 'k')).toBe(0);
    expect(h.run('BITFIELD', 'k', 'GET', 'u8', '4294967280')).toEqual([0]); // reads are fine
  });
});

describe('BITCOUNT', () => {
  it('counts bytes or bits in a range', () => {
    const h = harness();
    h.run('SET', 'a', 'abc');
    expect(h.run('BITCOUNT', 'a')).toBe(10);
    expect(h.run('BITCOUNT', 'a', '0', '-1', 'bit')).toBe(10);
    expect(h.run('BITCOUNT', 'a', '0', '-1', 'BYTE')).toBe(10);
    expect(h.run('BITCOUNT', 'a', '1', '1')).toBe(3);
    expect(h.run('BITCOUNT', 'a', '-1', '-2')).toBe(0);
    expect(h.run('BITCOUNT', 'a', '3', '20', 'BIT')).toBe(6);
    h.run('SET', 'ff', '\\xff\\xff'); // the 8 literal characters, as redis-cli stored them
    expect(h.run('BITCOUNT', 'ff', '3', '5', 'BIT')).toBe(3);
    expect(h.run('BITCOUNT', 'ff', '20', '30', 'BIT')).toBe(6);
    expect(h.run('BITCOUNT', 'ff', '-5', '-1', 'BIT')).toBe(2);
    h.run('SET', 'e', '');
    expect(h.run('BITCOUNT', 'e')).toBe(0);
    expect(h.run('BITCOUNT', 'e', '0', '-1')).toBe(0);
  });

  it('answers a missing key before parsing its range (Redis 7)', () => {
    const h = harness();
    h.run('SET', 'a', 'abc');
    expect(h.run('BITCOUNT', 'missing', '0')).toBe(0);
    expect(h.run('BITCOUNT', 'missing', 'x', 'y', 'z')).toBe(0);
    expect(h.run('BITCOUNT', 'a', '0')).toBe(syntax);
    expect(h.run('BITCOUNT', 'a', '1', '2', '3')).toBe(syntax);
    expect(h.run('BITCOUNT', 'a', '0', '-1', 'foo')).toBe(syntax);
    expect(h.run('BITCOUNT', 'a', '-1', '-2', 'foo')).toBe(0); // redis: the empty-range check comes first
    expect(h.run('BITCOUNT', 'a', 'x', '1')).toBe(notInteger);
    expect(h.run('BITCOUNT', 'list')).toBe(wrongType);
    expect(h.run('BITCOUNT', 'list', '0', 'a')).toBe(wrongType);
  });
});

describe('BITPOS', () => {
  it('finds the first set or clear bit', () => {
    const h = harness();
    h.run('SET', 'a', 'abc');
    expect(h.run('BITPOS', 'a', '1')).toBe(1);
    expect(h.run('BITPOS', 'a', '0')).toBe(0);
    expect(h.run('BITPOS', 'a', '1', '0', '-1', 'bit')).toBe(1);
    expect(h.run('BITPOS', 'a', '0', '2')).toBe(16);
    expect(h.run('BITPOS', 'a', '0', '2', '-1', 'BIT')).toBe(3);
    expect(h.run('BITPOS', 'a', '1', '2', '1')).toBe(-1);
    expect(h.run('BITPOS', 'a', '0', '2', '1')).toBe(-1);
    h.run('SET', 'ones', '\xff\xff');
    expect(h.run('BITPOS', 'ones', '0')).toBe(16); // no end given: zero-padded on the right
    expect(h.run('BITPOS', 'ones', '0', '1')).toBe(16);
    expect(h.run('BITPOS', 'ones', '0', '0', '-1')).toBe(-1); // end given: no clear bit in range
    expect(h.run('BITPOS', 'ones', '1', '9', '12', 'BIT')).toBe(9);
    h.run('SET', 'ff', '\\xff\\xff');
    expect(h.run('BITPOS', 'ff', '0', '3', '5', 'BIT')).toBe(-1);
    expect(h.run('BITPOS', 'ff', '1', '20', '30', 'BIT')).toBe(21);
    expect(h.run('BITPOS', 'ff', '1', '-3', '-1', 'BIT')).toBe(61);
    h.run('SET', 'zeros', '\0\0\0');
    expect(h.run('BITPOS', 'zeros', '1')).toBe(-1);
    expect(h.run('BITPOS', 'zeros', '0', '1')).toBe(8);
    h.run('SET', 'e', '');
    expect(h.run('BITPOS', 'e', '0')).toBe(-1); // redis: an empty string holds no bit
    expect(h.run('BITPOS', 'e', '1')).toBe(-1);
  });

  it('answers a missing key before parsing its range; checks the bit first', () => {
    const h = harness();
    h.run('SET', 'a', 'abc');
    expect(h.run('BITPOS', 'missing', '0')).toBe(0);
    expect(h.run('BITPOS', 'missing', '1')).toBe(-1);
    expect(h.run('BITPOS', 'missing', '0', '0', '1', 'hello')).toBe(0);
    expect(h.run('BITPOS', 'a', '2')).toBe('ERR:ERR The bit argument must be 1 or 0.');
    expect(h.run('BITPOS', 'missing', 'x')).toBe(notInteger);
    expect(h.run('BITPOS', 'a', '1', 'x')).toBe(notInteger);
    expect(h.run('BITPOS', 'a', '1', '0', 'x')).toBe(notInteger);
    expect(h.run('BITPOS', 'a', '1', '0', '0', 'foo')).toBe(syntax);
    expect(h.run('BITPOS', 'a', '1', '-1', '-2', 'foo')).toBe(syntax);
    expect(h.run('BITPOS', 'a', '1', '0', '1', '2', '3')).toBe(syntax);
    expect(h.run('BITPOS', 'list', '1', 'a', 'b')).toBe(wrongType);
  });
});

describe('BITOP', () => {
  it('combines strings of different lengths as zero-padded', () => {
    const h = harness();
    h.run('MSET', 'a', 'abc', 'b', 'x');
    expect(h.run('BITOP', 'AND', 'd', 'a', 'b')).toBe(3);
    expect(h.run('GET', 'd')).toBe('`\0\0');
    expect(h.run('BITOP', 'or', 'd', 'a', 'b')).toBe(3);
    expect(h.run('GET', 'd')).toBe(String.fromCharCode(0x61 | 0x78) + 'bc');
    expect(h.run('BITOP', 'XOR', 'd', 'a', 'b')).toBe(3);
    expect(h.run('GET', 'd')).toBe(String.fromCharCode(0x61 ^ 0x78) + 'bc');
    expect(h.run('BITOP', 'NOT', 'd', 'a')).toBe(3);
    expect(h.run('GET', 'd')).toBe('\x9e\x9d\x9c');
    expect(h.run('BITOP', 'AND', 'd', 'a', 'missing')).toBe(3);
    expect(h.run('GET', 'd')).toBe('\0\0\0');
  });

  it('deletes the destination when every source is empty, overwrites any type, clears the TTL', () => {
    const h = harness();
    h.run('SET', 'd', 'x');
    expect(h.exec(['BITOP', 'AND', 'd', 'm1', 'm2'])).toEqual({ reply: 0, effects: [{ db: 0, argv: ['BITOP', 'AND', 'd', 'm1', 'm2'] }] });
    expect(h.run('EXISTS', 'd')).toBe(0);
    expect(h.exec(['BITOP', 'NOT', 'd', 'm1'])).toEqual({ reply: 0, effects: [] });
    h.run('SET', 'a', 'abc');
    h.run('SET', 'd', 'old', 'EX', '100');
    h.run('BITOP', 'OR', 'list2', 'a');
    h.run('BITOP', 'OR', 'd', 'a');
    expect(h.run('PTTL', 'd')).toBe(-1);
    h.run('RPUSH', 'l2', 'x');
    expect(h.run('BITOP', 'OR', 'l2', 'a')).toBe(3);
    expect(h.run('GET', 'l2')).toBe('abc');
  });

  it('refuses unknown operations, NOT with several keys, and non-string sources', () => {
    const h = harness();
    expect(h.run('BITOP', 'FOO', 'd', 'a')).toBe(syntax);
    expect(h.run('BITOP', 'DIFF', 'd', 'a', 'b')).toBe(syntax); // Redis 8 only
    expect(h.run('BITOP', 'NOT', 'd', 'a', 'b')).toBe('ERR:ERR BITOP NOT must be called with a single source key.');
    expect(h.run('BITOP', 'OR', 'd', 'list')).toBe(wrongType);
    expect(h.run('BITOP', 'AND')).toBe("ERR:ERR wrong number of arguments for 'bitop' command");
  });
});

describe('BITFIELD', () => {
  it('gets, sets and increments signed and unsigned fields', () => {
    const h = harness();
    expect(h.run('BITFIELD', 'f', 'SET', 'u8', '0', '200', 'GET', 'u8', '0', 'GET', 'i8', '0')).toEqual([0, 200, -56]);
    expect(h.run('BITFIELD', 'f', 'INCRBY', 'u8', '0', '100')).toEqual([44]); // WRAP by default
    expect(h.run('BITFIELD', 'f', 'SET', 'u4', '#1', '15', 'GET', 'u8', '0')).toEqual([12, 47]);
    expect(h.run('BITFIELD', 'f', 'SET', 'i5', '3', '-1', 'GET', 'u8', '0')).toEqual([15, 63]);
    expect(h.run('BITFIELD', 'f', 'GET', 'u8', '#2')).toEqual([0]);
    expect(h.run('BITFIELD', 'f')).toEqual([]);
    expect(h.run('BITFIELD', 'missing', 'GET', 'i64', '0')).toEqual([0]);
    expect(h.run('BITFIELD', 'x', 'SET', 'u8', '100', '1')).toEqual([0]);
    expect(h.run('STRLEN', 'x')).toBe(14);
  });

  it('handles overflow with WRAP, SAT and FAIL exactly at 64 bits (redis replies)', () => {
    const h = harness();
    expect(h.run('BITFIELD', 'b4', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1'))
      .toEqual([9223372036854775807n, -9223372036854775808n]);
    expect(h.run('BITFIELD', 'b4', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '1', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '1'))
      .toEqual([-9223372036854775807n, -9223372036854775806n]);
    expect(h.run('BITFIELD', 'b5', 'INCRBY', 'u63', '0', '-1', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '100', '-1', 'INCRBY', 'u2', '100', '7'))
      .toEqual([9223372036854775807n, 0, 3]);
    expect(h.run('BITFIELD', 'b6', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1')).toEqual([0]);
    expect(h.run('GET', 'b6')).toBe('\xff'); // redis: a negative value is a huge uint64 → saturates high
    expect(h.run('BITFIELD', 'b6', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '300', 'SET', 'i8', '8', '-300')).toEqual([-1, 0]);
    expect(h.run('BITFIELD', 'b6', 'GET', 'i8', '0', 'GET', 'i8', '8')).toEqual([127, -128]);
    expect(h.run('BITFIELD', 'b6', 'SET', 'i8', '0', '300', 'GET', 'u8', '0')).toEqual([127, 300 % 256]);
    expect(h.run('BITFIELD', 'b6', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300', 'INCRBY', 'u8', '0', '1')).toEqual([null, 45]);
  });

  it('grows the string even when every write fails, and logs that growth', () => {
    const h = harness();
    const result = h.exec(['BITFIELD', 'g', 'OVERFLOW', 'FAIL', 'SET', 'u8', '100', '300']);
    expect(result.reply).toEqual([null]);
    expect(h.run('STRLEN', 'g')).toBe(14); // redis: 14 (and key exists)
    expect(result.effects).toEqual([{ db: 0, argv: ['BITFIELD', 'g', 'OVERFLOW', 'FAIL', 'SET', 'u8', '100', '300'] }]);
    // Nothing changed and nothing grew: nothing logged.
    expect(h.exec(['BITFIELD', 'g', 'OVERFLOW', 'FAIL', 'SET', 'u8', '100', '300']).effects).toEqual([]);
    expect(h.exec(['BITFIELD', 'g', 'SET', 'u8', '0', '0']).effects).toEqual([]);
    expect(h.exec(['BITFIELD', 'g', 'GET', 'u8', '0']).effects).toEqual([]);
  });

  it('refuses bad subcommands, types, offsets and values before touching the key', () => {
    const h = harness();
    for (const type of ['I8', 'u64', 'i65', 'u0', 'u08', 'x8', 'i', '']) {
      expect(h.run('BITFIELD', 'bf', 'GET', type, '0'), type).toBe(badType);
    }
    expect(h.run('BITFIELD', 'bf', 'GET', 'u8', '#-1')).toBe(badOffset);
    expect(h.run('BITFIELD', 'bf', 'GET', 'u8', '#')).toBe(badOffset);
    expect(h.run('BITFIELD', 'bf', 'GET', 'u8', '4294967296')).toBe(badOffset);
    expect(h.run('BITFIELD', 'bf', 'GET', 'u8', '4294967295')).toEqual([0]);
    expect(h.run('BITFIELD', 'bf', 'GET', 'u8', '#536870912')).toBe(badOffset);
    expect(h.run('BITFIELD', 'bf', 'OVERFLOW', 'foo', 'GET', 'u8', '0')).toBe('ERR:ERR Invalid OVERFLOW type specified');
    expect(h.run('BITFIELD', 'bf', 'FOO')).toBe(syntax);
    expect(h.run('BITFIELD', 'bf', 'GET', 'u8')).toBe(syntax);
    expect(h.run('BITFIELD', 'bf', 'OVERFLOW')).toBe(syntax);
    expect(h.run('BITFIELD', 'bf', 'SET', 'u8', '0', 'abc')).toBe(notInteger);
    expect(h.run('BITFIELD', 'bf', 'SET', 'u8', '0', '1', 'GET', 'x8', '0')).toBe(badType);
    expect(h.run('EXISTS', 'bf')).toBe(0);
    expect(h.run('BITFIELD', 'list', 'GET', 'u8', '0')).toBe(wrongType);
    expect(h.run('BITFIELD', 'list', 'SET', 'u8', '0', '1')).toBe(wrongType);
    expect(h.run('BITFIELD', 'list', 'GET', 'x8', '0')).toBe(badType);
  });

  it('BITFIELD_RO allows GET (and OVERFLOW) only', () => {
    const h = harness();
    h.run('SET', 'k', '\x80');
    expect(h.run('BITFIELD_RO', 'k', 'GET', 'u1', '0', 'GET', 'i2', '0')).toEqual([1, -2]);
    expect(h.run('BITFIELD_RO', 'k', 'GET', 'u8', '0', 'OVERFLOW', 'SAT')).toEqual([128]);
    expect(h.run('BITFIELD_RO', 'k', 'SET', 'u8', '0', '1')).toBe('ERR:ERR BITFIELD_RO only supports the GET subcommand');
    expect(h.run('BITFIELD_RO', 'list', 'SET', 'u8', '0', '1')).toBe('ERR:ERR BITFIELD_RO only supports the GET subcommand');
    expect(h.run('BITFIELD_RO', 'list', 'GET', 'u8', '0')).toBe(wrongType);
    expect(h.run('GET', 'k')).toBe('\x80');
  });
});
