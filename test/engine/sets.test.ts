import { describe, expect, it } from 'vitest';
import { EngineHarness, effectsRoundTrip } from '../helpers/engine.js';
import { SetValue, fromPlain } from '../../src/engine/types/set.js';
import { encodeReply } from '../../src/resp/encoder.js';
import { BlockRequest } from '../../src/commands/spec.js';

function resp(h: EngineHarness, ...argv: string[]): string {
  const { reply } = h.exec(argv);
  if (reply instanceof BlockRequest) throw new Error('unexpected block');
  return encodeReply(reply, h.client.protocol);
}

describe('set encodings and reply order', () => {
  it('replies sorted while Redis would keep an intset, then keeps that order and appends', () => {
    const h = new EngineHarness();
    h.run('SADD', 's', '10', '-3', '2', '9223372036854775807', '-9223372036854775808');
    expect(h.run('SMEMBERS', 's')).toEqual(['-9223372036854775808', '-3', '2', '10', '9223372036854775807']);
    const value = h.engine.database(0).peek('s')!.value as SetValue;
    expect(value.encoding()).toBe('intset');
    h.run('SADD', 's', 'x');
    expect(value.encoding()).toBe('listpack');
    h.run('SADD', 's', '1');
    expect(h.run('SMEMBERS', 's')).toEqual(['-9223372036854775808', '-3', '2', '10', '9223372036854775807', 'x', '1']);
  });

  it('a listpack set replies in insertion order and closes gaps on removal (Redis 7.2 listpack)', () => {
    const h = new EngineHarness();
    h.run('SADD', 's', 'd', 'a', 'c', 'b');
    h.run('SREM', 's', 'a');
    h.run('SADD', 's', 'e', 'a');
    expect(h.run('SMEMBERS', 's')).toEqual(['d', 'c', 'b', 'e', 'a']);
    expect(h.run('SSCAN', 's', '0')).toEqual(['0', ['d', 'c', 'b', 'e', 'a']]);
    h.run('SADD', 'n', '30', '10', '20');
    h.run('SADD', 'n', 'x');
    h.run('SREM', 'n', '20');
    expect(h.run('SMEMBERS', 'n')).toEqual(['10', '30', 'x']);
    expect(h.run('SUNION', 'n', 's')).toEqual(['10', '30', 'x', 'd', 'c', 'b', 'e', 'a']);
    expect(h.run('SDIFF', 's', 'n')).toEqual(['d', 'c', 'b', 'e', 'a']);
    // Replicas and restarts rebuild the same order from the effects.
    const replayed = effectsRoundTrip(h, ['SREM', 's', 'c']);
    expect(replayed.replayed).toEqual(replayed.after);
  });

  it('non-canonical integers are strings (no intset), as in Redis', () => {
    for (const member of ['01', '+1', '-0', ' 1', '9223372036854775808']) {
      expect(SetValue.fromMembers(['1', member]).encoding()).toBe('listpack');
    }
  });

  it('crosses to hashtable at 512 integers, 128 members or 64-byte members', () => {
    const ints = SetValue.fromMembers(Array.from({ length: 512 }, (_, i) => String(i)));
    expect(ints.encoding()).toBe('intset');
    ints.add('512');
    expect(ints.encoding()).toBe('hashtable');
    const strings = SetValue.fromMembers(Array.from({ length: 128 }, (_, i) => `m${i}`));
    expect(strings.encoding()).toBe('listpack');
    strings.add('m128');
    expect(strings.encoding()).toBe('hashtable');
    expect(SetValue.fromMembers(['a'.repeat(64)]).encoding()).toBe('listpack');
    expect(SetValue.fromMembers(['a'.repeat(65)]).encoding()).toBe('hashtable');
    // SADD with many arguments sizes the new set up front (setTypeCreate's size hint).
    const h = new EngineHarness();
    h.exec(['SADD', 'big', ...Array.from({ length: 129 }, (_, i) => `m${i}`)]);
    expect((h.engine.database(0).peek('big')!.value as SetValue).encoding()).toBe('hashtable');
    // …and so does a SADD of many arguments to an existing small set (when it adds anything:
    // an encoding change must come with an effect, or a replica would differ).
    h.run('SADD', 'small', 'a');
    expect(h.exec(['SADD', 'small', ...Array.from({ length: 129 }, () => 'a')]).effects).toEqual([]);
    expect(h.run('OBJECT', 'ENCODING', 'small')).toBe('listpack');
    const grow = effectsRoundTrip(h, ['SADD', 'small', 'b', ...Array.from({ length: 128 }, () => 'a')]);
    expect(grow.replayed).toEqual(grow.after);
    expect(h.run('OBJECT', 'ENCODING', 'small')).toBe('hashtable');
  });

  it('clone and plain form round-trip, encoding included', () => {
    const set = SetValue.fromMembers(['3', '1', 'x']);
    const copy = fromPlain(set.toPlain());
    expect(copy.toPlain()).toEqual(set.toPlain());
    expect(set.clone().toPlain()).toEqual(set.toPlain());
    copy.add('y');
    expect(set.has('y')).toBe(false);
  });

  it('a malformed plain form is refused, never half-built', () => {
    for (const bad of [null, {}, { encoding: 'intset', members: [] }, { encoding: 'intset', members: ['x'] }, { encoding: 'weird', members: ['1'] },
      { encoding: 'listpack', members: ['a', 'a'] }, { encoding: 'listpack', members: [1] }]) {
      expect(() => fromPlain(bad)).toThrow();
    }
  });

  it('DUMP and RESTORE carry a set, its order and encoding', () => {
    const h = new EngineHarness();
    h.run('SADD', 's', '3', '1', 'x');
    const dumped = h.run('DUMP', 's') as string;
    expect(h.run('RESTORE', 'copy', '0', dumped)).toBe('OK');
    expect(h.run('SMEMBERS', 'copy')).toEqual(h.run('SMEMBERS', 's'));
    expect(h.run('OBJECT', 'ENCODING', 'copy')).toBe('listpack');
  });
});

describe('set effects', () => {
  it('SPOP is logged as SREM of the chosen members, or DEL when it takes them all', () => {
    const h = new EngineHarness({ seed: 7 });
    h.run('SADD', 's', 'a', 'b', 'c', 'd', 'e');
    const one = effectsRoundTrip(h, ['SPOP', 's']);
    expect(one.effects).toEqual([{ db: 0, argv: ['SREM', 's', one.reply as string] }]);
    expect(one.replayed).toEqual(one.after);
    const two = effectsRoundTrip(h, ['SPOP', 's', '2']);
    expect(two.effects[0]!.argv.slice(0, 2)).toEqual(['SREM', 's']);
    expect(two.effects[0]!.argv).toHaveLength(4);
    expect(two.replayed).toEqual(two.after);
    const all = effectsRoundTrip(h, ['SPOP', 's', '10']);
    expect(all.effects).toEqual([{ db: 0, argv: ['DEL', 's'] }]);
    expect(all.replayed).toEqual(all.after);
    expect(h.run('EXISTS', 's')).toBe(0);
  });

  it('SRANDMEMBER logs nothing; reads and no-op writes log nothing', () => {
    const h = new EngineHarness();
    h.run('SADD', 's', 'a', 'b');
    for (const argv of [['SRANDMEMBER', 's', '-5'], ['SREM', 's', 'zz'], ['SADD', 's', 'a'], ['SMOVE', 's', 's', 'a'], ['SINTERSTORE', 'd', 'nosuch']]) {
      expect(h.exec(argv).effects).toEqual([]);
    }
  });

  it('*STORE commands replay to the same state, and an empty result deletes the destination', () => {
    const h = new EngineHarness();
    h.run('SADD', 'a', '1', '2', '3', 'x');
    h.run('SADD', 'b', '2', '3', 'y');
    h.run('SET', 'd', 'old', 'EX', '100');
    for (const argv of [['SINTERSTORE', 'd', 'a', 'b'], ['SUNIONSTORE', 'd', 'a', 'b', 'd'], ['SDIFFSTORE', 'a', 'a', 'b'], ['SINTERSTORE', 'd', 'a', 'nosuch'], ['SMOVE', 'a', 'b', 'x']]) {
      const result = effectsRoundTrip(h, argv, 500);
      expect(result.replayed).toEqual(result.after);
      expect(result.effects).toEqual([{ db: 0, argv }]);
    }
    expect(h.run('EXISTS', 'd')).toBe(0);
  });

  it('WRONGTYPE leaves everything untouched', () => {
    const h = new EngineHarness();
    h.run('SET', 'str', 'v');
    h.run('SADD', 's', 'a');
    const before = h.dump();
    const wrong = 'ERR:WRONGTYPE Operation against a key holding the wrong kind of value';
    for (const argv of [['SADD', 'str', 'a'], ['SMOVE', 's', 'str', 'a'], ['SINTERSTORE', 'd', 's', 'str'], ['SPOP', 'str', '1'], ['SUNION', 's', 'str']]) {
      expect(h.run(...argv)).toBe(wrong);
    }
    expect(h.run('SMOVE', 'nosuch', 'str', 'a')).toBe(0); // Redis looks at the source first
    expect(h.dump()).toEqual(before);
  });
});

describe('set replies', () => {
  it('RESP3 uses set replies for SMEMBERS, SINTER, SPOP count; arrays for SRANDMEMBER', () => {
    const h = new EngineHarness();
    h.client.protocol = 3;
    h.run('SADD', 's', '3', '1', '2');
    expect(resp(h, 'SMEMBERS', 's')).toBe('~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    expect(resp(h, 'SINTER', 's', 's')).toBe('~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    expect(resp(h, 'SRANDMEMBER', 's', '5')).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    expect(resp(h, 'SPOP', 'nosuch', '2')).toBe('~0\r\n');
    expect(resp(h, 'SMEMBERS', 'nosuch')).toBe('~0\r\n');
  });

  it('SRANDMEMBER: distinct members for a positive count, repeats for a negative one', () => {
    const h = new EngineHarness({ seed: 3 });
    h.exec(['SADD', 's', ...Array.from({ length: 200 }, (_, i) => `m${i}`)]);
    const distinct = h.run('SRANDMEMBER', 's', '150') as string[];
    expect(new Set(distinct).size).toBe(150);
    const repeated = h.run('SRANDMEMBER', 's', '-1000') as string[];
    expect(repeated).toHaveLength(1000);
    expect(new Set(repeated).size).toBeLessThan(200 + 1);
    expect(new Set(repeated).size).toBeGreaterThan(150);
    expect(h.run('SRANDMEMBER', 's', '-9223372036854775808')).toBe('ERR:ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  });

  it('SPOP with a count removes exactly the members it returns', () => {
    const h = new EngineHarness({ seed: 11 });
    h.exec(['SADD', 's', ...Array.from({ length: 300 }, (_, i) => `m${i}`)]);
    const popped = (h.run('SPOP', 's', '120') as string[]);
    expect(new Set(popped).size).toBe(120);
    expect(h.run('SCARD', 's')).toBe(180);
    for (const member of popped) expect(h.run('SISMEMBER', 's', member)).toBe(0);
  });

  it('SSCAN: small sets in one call with cursor 0; a hashtable set over several calls, nothing missed', () => {
    const h = new EngineHarness();
    h.run('SADD', 'small', 'a', 'b', 'ab');
    expect(h.run('SSCAN', 'small', '0', 'MATCH', 'a*')).toEqual(['0', ['a', 'ab']]);
    expect(h.run('SSCAN', 'small', '12345')).toEqual(['0', ['a', 'b', 'ab']]);
    h.exec(['SADD', 'big', ...Array.from({ length: 1000 }, (_, i) => `m${i}`)]);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, members] = h.run('SSCAN', 'big', cursor, 'COUNT', '50') as [string, string[]];
      members.forEach((m) => seen.add(m));
      // Removing members already returned must not make the scan miss any other.
      if (calls % 3 === 0) for (const m of members.slice(0, 5)) h.run('SREM', 'big', m);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(seen.size).toBe(1000);
    expect(calls).toBeGreaterThan(10);
    expect(h.run('SSCAN', 'big', 'x')).toBe('ERR:ERR invalid cursor');
    expect(h.run('SSCAN', 'big', '0', 'COUNT', '0')).toBe('ERR:ERR syntax error');
  });

  it('SINTERCARD stops at LIMIT and validates numkeys', () => {
    const h = new EngineHarness();
    h.run('SADD', 'a', '1', '2', '3', '4');
    h.run('SADD', 'b', '2', '3', '4', '5');
    expect(h.run('SINTERCARD', '2', 'a', 'b')).toBe(3);
    expect(h.run('SINTERCARD', '2', 'a', 'b', 'LIMIT', '2')).toBe(2);
    expect(h.run('SINTERCARD', 'x', 'a')).toBe('ERR:ERR numkeys should be greater than 0');
    expect(h.run('SINTERCARD', '3', 'a', 'b')).toBe("ERR:ERR Number of keys can't be greater than number of args");
    expect(h.run('SINTERCARD', '2', 'a', 'b', 'LIMIT', '-1')).toBe("ERR:ERR LIMIT can't be negative");
  });
});
