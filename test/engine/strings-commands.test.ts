// String commands at engine level. Expected replies were taken from a real redis-server 7.0
// where the behaviour is not obvious (noted "redis:" below).
import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../helpers/engine.js';

const wrongType = 'ERR:WRONGTYPE Operation against a key holding the wrong kind of value';
const notInteger = 'ERR:ERR value is not an integer or out of range';
const syntax = 'ERR:ERR syntax error';

function withList(): EngineHarness {
  const h = new EngineHarness();
  expect(h.run('RPUSH', 'list', 'x')).toBe(1);
  return h;
}

describe('SET option grammar (shared with GETEX)', () => {
  it('accepts repeated compatible options and rejects conflicting ones, like Redis', () => {
    const h = new EngineHarness();
    // redis: SET k v EX 10 EX 20 → OK; KEEPTTL KEEPTTL → OK; NX NX → OK; GET GET → OK
    expect(h.run('SET', 'k', 'v', 'EX', '10', 'EX', '20')).toBe('OK');
    expect(h.exec(['SET', 'k', 'v', 'EX', '10', 'EX', '20']).effects[0]!.argv).toEqual(['SET', 'k', 'v', 'PXAT', String(h.nowMs + 20_000)]);
    expect(h.run('SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL')).toBe('OK');
    expect(h.run('SET', 'k', 'v', 'NX', 'NX')).toBe(null);
    expect(h.run('SET', 'k', 'v', 'GET', 'GET')).toBe('v');
    expect(h.run('SET', 'k', 'v', 'EX', '10', 'PX', '20')).toBe(syntax);
    expect(h.run('SET', 'k', 'v', 'KEEPTTL', 'EX', '10')).toBe(syntax);
    expect(h.run('SET', 'k', 'v', 'PERSIST')).toBe(syntax);
    expect(h.run('SET', 'k', 'v', 'EX')).toBe(syntax);
  });

  it('checks the whole grammar before any value (redis: SET k v EX abc NX XX → syntax error)', () => {
    const h = withList();
    expect(h.run('SET', 'k', 'v', 'EX', 'abc', 'NX', 'XX')).toBe(syntax);
    expect(h.run('SET', 'k', 'v', 'XX', 'EX', 'abc')).toBe(notInteger);
    // The expiry is read before the old value: redis: SET list v GET EX abc → not an integer.
    expect(h.run('SET', 'list', 'v', 'GET', 'EX', 'abc')).toBe(notInteger);
    expect(h.run('SET', 'list', 'v', 'GET', 'NX')).toBe(wrongType);
    expect(h.run('SET', 'list', 'v')).toBe('OK');
  });
});

describe('SETNX / SETEX / PSETEX / GETSET / GETDEL', () => {
  it('SETNX sets only a missing key, whatever the type of an existing one', () => {
    const h = withList();
    expect(h.run('SETNX', 'k', 'a')).toBe(1);
    expect(h.run('SETNX', 'k', 'b')).toBe(0);
    expect(h.run('SETNX', 'list', 'b')).toBe(0);
    expect(h.run('GET', 'k')).toBe('a');
    expect(h.exec(['SETNX', 'k', 'c']).effects).toEqual([]);
    expect(h.exec(['SETNX', 'n', 'c']).effects).toEqual([{ db: 0, argv: ['SETNX', 'n', 'c'] }]);
  });

  it('SETEX and PSETEX set a TTL and log an absolute one', () => {
    const h = new EngineHarness();
    const setex = h.exec(['SETEX', 'k', '10', 'v']);
    expect(setex.effects).toEqual([{ db: 0, argv: ['SET', 'k', 'v', 'PXAT', String(h.nowMs + 10_000)] }]);
    const psetex = h.exec(['PSETEX', 'p', '1500', 'w']);
    expect(psetex.effects).toEqual([{ db: 0, argv: ['SET', 'p', 'w', 'PXAT', String(h.nowMs + 1_500)] }]);
    h.advance(1_500);
    expect(h.run('GET', 'p')).toBe(null);
    expect(h.run('GET', 'k')).toBe('v');
    expect(h.run('SETEX', 'k', '0', 'v')).toBe("ERR:ERR invalid expire time in 'setex' command");
    expect(h.run('SETEX', 'k', '-1', 'v')).toBe("ERR:ERR invalid expire time in 'setex' command");
    expect(h.run('PSETEX', 'k', '0', 'v')).toBe("ERR:ERR invalid expire time in 'psetex' command");
    expect(h.run('SETEX', 'k', 'x', 'v')).toBe(notInteger);
    expect(h.run('SETEX', 'k', '10')).toBe("ERR:ERR wrong number of arguments for 'setex' command");
  });

  it('GETSET returns the old value, clears the TTL, and logs SET', () => {
    const h = withList();
    h.run('SET', 'k', 'old', 'EX', '100');
    const { reply, effects } = h.exec(['GETSET', 'k', 'new']);
    expect(reply).toBe('old');
    expect(effects).toEqual([{ db: 0, argv: ['SET', 'k', 'new'] }]);
    expect(h.run('PTTL', 'k')).toBe(-1);
    expect(h.run('GETSET', 'missing', 'v')).toBe(null);
    expect(h.run('GETSET', 'list', 'v')).toBe(wrongType);
    expect(h.run('LLEN', 'list')).toBe(1);
  });

  it('GETDEL returns and deletes, logged as DEL', () => {
    const h = withList();
    h.run('SET', 'k', 'v');
    const { reply, effects } = h.exec(['GETDEL', 'k']);
    expect(reply).toBe('v');
    expect(effects).toEqual([{ db: 0, argv: ['DEL', 'k'] }]);
    expect(h.run('EXISTS', 'k')).toBe(0);
    expect(h.exec(['GETDEL', 'k'])).toEqual({ reply: null, effects: [] });
    expect(h.run('GETDEL', 'list')).toBe(wrongType);
  });
});

describe('GETEX', () => {
  it('sets, changes or removes the TTL, logged as PEXPIREAT / PERSIST', () => {
    const h = new EngineHarness();
    h.run('SET', 'k', 'v');
    expect(h.exec(['GETEX', 'k'])).toEqual({ reply: 'v', effects: [] });
    const ex = h.exec(['GETEX', 'k', 'EX', '10']);
    expect(ex).toEqual({ reply: 'v', effects: [{ db: 0, argv: ['PEXPIREAT', 'k', String(h.nowMs + 10_000)] }] });
    expect(h.run('PTTL', 'k')).toBe(10_000);
    const px = h.exec(['GETEX', 'k', 'px', '500']);
    expect(px.effects).toEqual([{ db: 0, argv: ['PEXPIREAT', 'k', String(h.nowMs + 500)] }]);
    const at = h.nowMs + 7_000;
    expect(h.exec(['GETEX', 'k', 'PXAT', String(at)]).effects).toEqual([{ db: 0, argv: ['PEXPIREAT', 'k', String(at)] }]);
    const persist = h.exec(['GETEX', 'k', 'PERSIST']);
    expect(persist).toEqual({ reply: 'v', effects: [{ db: 0, argv: ['PERSIST', 'k'] }] });
    expect(h.run('PTTL', 'k')).toBe(-1);
    // PERSIST on a key without TTL changes nothing and logs nothing.
    expect(h.exec(['GETEX', 'k', 'PERSIST'])).toEqual({ reply: 'v', effects: [] });
  });

  it('deletes the key when EXAT/PXAT is already past (logged as DEL)', () => {
    const h = new EngineHarness();
    h.run('SET', 'k', 'v');
    const past = h.exec(['GETEX', 'k', 'EXAT', String(Math.floor(h.nowMs / 1000) - 1)]);
    expect(past).toEqual({ reply: 'v', effects: [{ db: 0, argv: ['DEL', 'k'] }] });
    expect(h.run('EXISTS', 'k')).toBe(0);
  });

  it('reads the key before the expiry value, as Redis 7 does', () => {
    const h = withList();
    h.run('SET', 'k', 'v');
    expect(h.run('GETEX', 'missing', 'EX', 'abc')).toBe(null); // redis: (nil)
    expect(h.run('GETEX', 'list', 'EX', 'abc')).toBe(wrongType);
    expect(h.run('GETEX', 'k', 'EX', 'abc')).toBe(notInteger);
    expect(h.run('GETEX', 'k', 'EX', '0')).toBe("ERR:ERR invalid expire time in 'getex' command");
    expect(h.run('GETEX', 'missing', 'FOO')).toBe(syntax);
    expect(h.run('GETEX', 'missing', 'EX')).toBe(syntax);
    expect(h.run('GETEX', 'missing', 'EX', '10', 'PERSIST')).toBe(syntax);
    expect(h.run('GETEX', 'missing', 'KEEPTTL')).toBe(syntax);
    expect(h.run('GETEX', 'missing', 'PERSIST', 'PERSIST')).toBe(null);
    expect(h.run('GETEX', 'missing', 'EX', '10', 'EX', '20')).toBe(null);
  });
});

describe('MGET / MSET / MSETNX', () => {
  it('MGET reads nil for missing keys and other types', () => {
    const h = withList();
    h.run('MSET', 'a', '1', 'b', '2');
    expect(h.run('MGET', 'a', 'list', 'missing', 'b', 'a')).toEqual(['1', null, null, '2', '1']);
  });

  it('MSET overwrites any type, clears TTLs, last duplicate wins', () => {
    const h = withList();
    h.run('SET', 'a', 'x', 'EX', '100');
    expect(h.run('MSET', 'a', '1', 'list', '2', 'a', '3')).toBe('OK');
    expect(h.run('MGET', 'a', 'list')).toEqual(['3', '2']);
    expect(h.run('PTTL', 'a')).toBe(-1);
    expect(h.run('MSET', 'a', '1', 'b')).toBe("ERR:ERR wrong number of arguments for 'mset' command");
    expect(h.run('MSET', 'a')).toBe("ERR:ERR wrong number of arguments for 'mset' command");
  });

  it('MSETNX sets all keys or none', () => {
    const h = withList();
    expect(h.run('MSETNX', 'a', '1', 'b', '2')).toBe(1);
    expect(h.run('MSETNX', 'c', '3', 'a', '9')).toBe(0);
    expect(h.run('EXISTS', 'c')).toBe(0);
    expect(h.run('MSETNX', 'c', '3', 'list', '9')).toBe(0);
    expect(h.exec(['MSETNX', 'c', '3', 'a', '9']).effects).toEqual([]);
    expect(h.run('MSETNX', 'a', '1', 'b')).toBe("ERR:ERR wrong number of arguments for 'msetnx' command");
  });
});

describe('APPEND / STRLEN', () => {
  it('appends, keeps the TTL, creates empty keys', () => {
    const h = withList();
    expect(h.run('APPEND', 'k', '')).toBe(0);
    expect(h.run('EXISTS', 'k')).toBe(1); // redis creates "" here
    expect(h.run('APPEND', 'k', 'Hello')).toBe(5);
    h.run('PEXPIRE', 'k', '5000');
    expect(h.run('APPEND', 'k', ' World')).toBe(11);
    expect(h.run('GET', 'k')).toBe('Hello World');
    expect(h.run('PTTL', 'k')).toBe(5000);
    expect(h.run('STRLEN', 'k')).toBe(11);
    expect(h.run('STRLEN', 'missing')).toBe(0);
    expect(h.run('APPEND', 'list', 'x')).toBe(wrongType);
    expect(h.run('STRLEN', 'list')).toBe(wrongType);
    h.run('SET', 'bin', '\xff\x00');
    expect(h.run('APPEND', 'bin', '\x80')).toBe(3);
    expect(h.run('STRLEN', 'bin')).toBe(3);
  });
});

describe('INCRBYFLOAT', () => {
  it('adds and formats as Redis (%.17Lf, trailing zeros removed)', () => {
    const h = new EngineHarness();
    expect(h.run('INCRBYFLOAT', 'f', '0.1')).toBe('0.1');
    expect(h.run('INCRBYFLOAT', 'f', '0.2')).toBe('0.3');
    h.run('SET', 'f', '10.50');
    expect(h.run('INCRBYFLOAT', 'f', '0.1')).toBe('10.6');
    h.run('SET', 'f', '5.0e3');
    expect(h.run('INCRBYFLOAT', 'f', '2.0e2')).toBe('5200');
    // redis: values below 1e-17 print as 0; hex floats and '-0' accepted.
    const cases: [string, string][] = [['1e-20', '0'], ['1.5e-7', '0.00000015'], ['0x10', '16'], ['-0', '0'], ['.5', '0.5'],
      ['1.23456789e-10', '0.00000000012345679'], ['-3.25', '-3.25']];
    for (const [increment, expected] of cases) {
      h.run('DEL', 'g');
      expect(h.run('INCRBYFLOAT', 'g', increment), increment).toBe(expected);
    }
  });

  it('computes in 80-bit long double like Redis on x86-64, artifacts included (redis 7.0 replies)', () => {
    const h = new EngineHarness();
    const cases: [string, string, string][] = [
      ['1000', '0.1', '1000.09999999999999998'],
      ['1000', '-0.1', '999.90000000000000002'],
      ['-4294967296', '-0.1', '-4294967296.10000000009313226'],
      ['0', '3.0000000000000001', '3.0000000000000001'],
      ['0', '123456789012345678901', '123456789012345678904'],
      ['0', '1e-4940', '0'],
      ['0', '1e300', '1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144'],
    ];
    for (const [start, increment, expected] of cases) {
      h.run('SET', 'f', start);
      expect(h.run('INCRBYFLOAT', 'f', increment), `${start} + ${increment}`).toBe(expected);
      expect(h.run('GET', 'f')).toBe(expected);
    }
    h.run('DEL', 'f');
    for (let i = 0; i < 10; i++) h.run('INCRBYFLOAT', 'f', '0.1');
    expect(h.run('GET', 'f')).toBe('1');
    const more: [string, string, string][] = [
      ['100000000000000000', '1', '100000000000000001'], ['1.1', '2.2', '3.3'], ['-0.0', '0', '0'],
      ['0x1p-3', '0', '0.125'], ['0x0p99999', '0', '0'], ['-0x0p1', '0', '0'], ['0X1.8P1', '0', '3'], ['0x.8p1', '0', '1'], ['1e17', '0.5', '100000000000000000.5'],
      ['12345678901234567890', '0.5', '12345678901234567890'], ['0.000000000000000005', '0', '0'],
      ['0.000000000000000015', '0', '0.00000000000000002'], ['-1e-18', '0', '0'],
      ['3.14159265358979323846264338327950288', '0', '3.14159265358979324'], ['+.5e1', '0', '5'], ['1E2', '0', '100'],
    ];
    for (const [start, increment, expected] of more) {
      h.run('SET', 'f', start);
      expect(h.run('INCRBYFLOAT', 'f', increment), `${start} + ${increment}`).toBe(expected);
    }
    h.run('SET', 'f', '1.7976931348623157e308');
    expect((h.run('INCRBYFLOAT', 'f', '0') as string).slice(0, 80)).toBe('17976931348623156999592104677410443404838644694432917848531442076517662852312439');
    for (const infinite of ['infinity', '-Infinity']) {
      h.run('SET', 'f', infinite);
      expect(h.run('INCRBYFLOAT', 'f', '0')).toBe('ERR:ERR increment would produce NaN or Infinity');
    }
    h.run('SET', 'f', '1e308');
    const doubled = h.run('INCRBYFLOAT', 'f', '1e308') as string; // finite in long double
    expect(doubled.startsWith('19999999999999999999337175931169129132112019969483113441559409598984346973767612374420025384377707864089349445010802644630426949918792116719484162886039283753591820003920638155732621920901421333587830679157787782912108712612253672980323726043417317850688976324758260171151463628484951020905456510092687857156096'.slice(0, 60))).toBe(true);
    expect(doubled.length).toBe(309);
  });

  it('refuses invalid numbers and NaN/Infinity results', () => {
    const h = withList();
    for (const bad of ['abc', ' 1', '1 ', 'nan', '', '0x', '1e', '1e-5000', '1e5000', '0x1p99999', '0x1p-99999', '1'.repeat(5120)]) {
      expect(h.run('INCRBYFLOAT', 'f', bad), bad).toBe('ERR:ERR value is not a valid float');
    }
    expect(h.run('INCRBYFLOAT', 'f', 'inf')).toBe('ERR:ERR increment would produce NaN or Infinity');
    h.run('SET', 'f', '1e4932');
    expect(h.run('INCRBYFLOAT', 'f', '1e4932')).toBe('ERR:ERR increment would produce NaN or Infinity');
    h.run('SET', 'f', 'inf');
    expect(h.run('INCRBYFLOAT', 'f', '-inf')).toBe('ERR:ERR increment would produce NaN or Infinity');
    h.run('SET', 's', ' 1');
    expect(h.run('INCRBYFLOAT', 's', '1')).toBe('ERR:ERR value is not a valid float');
    expect(h.run('INCRBYFLOAT', 'list', '1')).toBe(wrongType);
    expect(h.run('INCRBYFLOAT', 'list', 'abc')).toBe(wrongType); // type before value
  });

  it('is logged as SET key result KEEPTTL', () => {
    const h = new EngineHarness();
    h.run('SET', 'f', '1', 'EX', '100');
    const { effects } = h.exec(['INCRBYFLOAT', 'f', '0.25']);
    expect(effects).toEqual([{ db: 0, argv: ['SET', 'f', '1.25', 'KEEPTTL'] }]);
    expect(h.run('PTTL', 'f')).toBe(100_000);
  });
});
