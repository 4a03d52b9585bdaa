import { describe, expect, it } from 'vitest';
import { EngineHarness, effectsRoundTrip } from '../helpers/engine.js';
import {
  HLL_CORRUPT, HLL_NOT_HLL, hllAdd, hllDecode, hllEmpty, hllEncode, hllEstimate, hllIsDense, hllRegisterCount,
  hllSparseRegistersMax, murmurHash64,
} from '../../src/commands/hll-core.js';

const notHll = 'ERR:WRONGTYPE Key is not a valid HyperLogLog string value.';

function addRange(h: EngineHarness, key: string, prefix: string, count: number): void {
  for (let start = 0; start < count; start += 1000) {
    const elements = Array.from({ length: Math.min(1000, count - start) }, (_, i) => `${prefix}${start + i}`);
    h.exec(['PFADD', key, ...elements]);
  }
}

describe('HyperLogLog estimates', () => {
  it('match redis-server exactly (same hash, same estimator), recorded from Redis 7.0.15', () => {
    const recorded: [number, number][] = [[1, 1], [2, 2], [3, 3], [10, 10], [100, 100], [500, 502], [1000, 998], [3000, 3002], [20000, 19962]];
    const h = new EngineHarness();
    for (const [n, redisCount] of recorded) {
      addRange(h, `h${n}`, 'e_', n);
      expect([n, h.run('PFCOUNT', `h${n}`)]).toEqual([n, redisCount]);
    }
    expect(h.run('PFCOUNT', 'h10', 'h100', 'h3000')).toBe(3002);
    h.run('PFADD', 'bin', '\xe9\xff\x00x', 'a\x01b');
    expect(h.run('PFCOUNT', 'bin')).toBe(2);
  });

  it('stay within Redis error bounds on 10^5 distinct elements', () => {
    const h = new EngineHarness();
    const n = 100_000;
    addRange(h, 'big', 'item:', n);
    const estimate = h.run('PFCOUNT', 'big') as number;
    // Standard error 0.81%; 3 standard errors is 2.43%.
    expect(Math.abs(estimate - n) / n).toBeLessThan(0.0243);
    // Adding the same elements again changes nothing.
    expect(h.run('PFADD', 'big', 'item:1', 'item:99999')).toBe(0);
  });

  it('a merge counts the union', () => {
    const a = hllEmpty();
    const b = hllEmpty();
    for (let i = 0; i < 30_000; i++) hllAdd(a, `x${i}`);
    for (let i = 15_000; i < 45_000; i++) hllAdd(b, `x${i}`);
    const h = new EngineHarness();
    h.run('SET', 'a', hllEncode(a));
    h.run('SET', 'b', hllEncode(b));
    expect(h.run('PFMERGE', 'u', 'a', 'b', 'missing')).toBe('OK');
    const union = h.run('PFCOUNT', 'u') as number;
    expect(Math.abs(union - 45_000) / 45_000).toBeLessThan(0.0243);
    expect(h.run('PFCOUNT', 'a', 'b')).toBe(union);
    expect(hllEstimate(hllEmpty())).toBe(0);
  });

  it('MurmurHash64A is stable (values fixed by the Redis-equal counts above)', () => {
    expect(murmurHash64('')).toBe(murmurHash64(''));
    expect(murmurHash64('a')).not.toBe(murmurHash64('b'));
    expect(murmurHash64('12345678')).not.toBe(murmurHash64('123456789'));
    expect(murmurHash64('abc') < 2n ** 64n).toBe(true);
  });
});

describe('HyperLogLog encoding', () => {
  it('is a string: sparse while small, dense past the threshold, and round-trips', () => {
    const registers = hllEmpty();
    for (let i = 0; i < 2000; i++) hllAdd(registers, `k${i}`);
    expect(registers.filter((r) => r !== 0).length).toBeGreaterThan(hllSparseRegistersMax);
    const dense = hllEncode(registers);
    expect(hllIsDense(dense)).toBe(true);
    expect(dense.length).toBe(6 + (hllRegisterCount * 6) / 8); // 6-bit registers, as Redis's dense form
    expect(hllDecode(dense)).toEqual(registers);
    const small = hllEmpty();
    hllAdd(small, 'one');
    const sparse = hllEncode(small);
    expect(hllIsDense(sparse)).toBe(false);
    expect(sparse.length).toBe(6 + 3);
    expect(hllDecode(sparse)).toEqual(small);
    const h = new EngineHarness();
    h.run('PFADD', 'k', 'a', 'b');
    expect((h.run('GET', 'k') as string).startsWith('HYLL')).toBe(true);
    expect(h.run('TYPE', 'k')).toBe('string');
  });

  it('refuses strings that are not HLLs, and damaged ones', () => {
    expect(hllDecode('hello')).toBe(HLL_NOT_HLL);
    expect(hllDecode('HYLL\x01d' + '\x00'.repeat(10))).toBe(HLL_NOT_HLL);
    expect(hllDecode('HYLL\x01s\x00\x05')).toBe(HLL_CORRUPT);
    expect(hllDecode('HYLL\x01s\x00\x05\x01\x00\x04\x01')).toBe(HLL_CORRUPT); // indexes must ascend
    expect(hllDecode('HYLL\x01d' + '\xff'.repeat((hllRegisterCount * 6) / 8))).toBe(HLL_CORRUPT); // registers of 63 > 51
    const h = new EngineHarness();
    h.run('SET', 's', 'hello');
    h.run('SET', 'bad', 'HYLL\x01s\xff\xff\x01');
    h.run('LPUSH', 'l', 'x');
    const before = h.dump();
    expect(h.run('PFADD', 's', 'a')).toBe(notHll);
    expect(h.run('PFCOUNT', 's')).toBe(notHll);
    expect(h.run('PFCOUNT', 'missing', 's')).toBe(notHll);
    expect(h.run('PFMERGE', 'dest', 's')).toBe(notHll);
    expect(h.run('PFMERGE', 's', 'missing')).toBe(notHll);
    expect(h.run('PFADD', 'bad', 'a')).toBe('ERR:INVALIDOBJ Corrupted HLL object detected');
    expect(h.run('PFADD', 'l', 'a')).toBe('ERR:WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.dump()).toEqual(before);
  });
});

describe('HyperLogLog commands', () => {
  it('PFADD replies 1 when a register changed or the key was created', () => {
    const h = new EngineHarness();
    expect(h.run('PFADD', 'k')).toBe(1);
    expect(h.run('PFADD', 'k')).toBe(0);
    expect(h.run('PFCOUNT', 'k')).toBe(0);
    expect(h.run('PFADD', 'k', 'a', 'b', 'c')).toBe(1);
    expect(h.run('PFADD', 'k', 'a', 'b')).toBe(0);
    expect(h.run('PFCOUNT', 'k')).toBe(3);
    expect(h.run('PFCOUNT', 'missing')).toBe(0);
    expect(h.exec(['PFADD', 'k', 'a']).effects).toEqual([]);
  });

  it('PFADD and PFMERGE keep an existing key\'s TTL, as Redis changes the string in place', () => {
    const h = new EngineHarness();
    h.run('PFADD', 'k', 'a');
    h.run('PEXPIRE', 'k', '5000');
    h.run('PFADD', 'k', 'b', 'c', 'd');
    expect(h.run('PTTL', 'k')).toBe(5000);
    h.run('PFMERGE', 'k', 'k');
    expect(h.run('PTTL', 'k')).toBe(5000);
  });

  it('effects (logged as is) replay to the same bytes', () => {
    const h = new EngineHarness();
    for (const argv of [['PFADD', 'a', 'x', 'y'], ['PFADD', 'b', ...Array.from({ length: 3000 }, (_, i) => `e${i}`)], ['PFMERGE', 'c', 'a', 'b'], ['PFMERGE', 'a', 'b'], ['PFADD', 'a', 'z']]) {
      const result = effectsRoundTrip(h, argv);
      expect(result.effects).toEqual([{ db: 0, argv }]);
      expect(result.replayed).toEqual(result.after);
    }
    expect(h.exec(['PFCOUNT', 'a', 'b']).effects).toEqual([]);
  });

  it('the decode cache never lets one key\'s registers leak into another', () => {
    const h = new EngineHarness();
    h.run('PFADD', 'a', 'only-a');
    h.run('PFADD', 'b', 'only-b');
    h.run('PFADD', 'a', 'again-a');
    expect(h.run('PFCOUNT', 'b')).toBe(1);
    expect(h.run('PFCOUNT', 'a')).toBe(2);
    // Same bytes under two keys, then one changes: the other must not.
    h.run('SET', 'c', h.run('GET', 'a') as string);
    h.run('PFADD', 'c', 'more');
    expect(h.run('PFCOUNT', 'a')).toBe(2);
    expect(h.run('PFCOUNT', 'c')).toBe(3);
  });
});
