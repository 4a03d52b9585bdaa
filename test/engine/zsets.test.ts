import { describe, expect, it } from 'vitest';
import { EngineHarness, effectsRoundTrip } from '../helpers/engine.js';
import { ZSetValue, fromPlain } from '../../src/engine/types/zset.js';
import { encodeReply } from '../../src/resp/encoder.js';
import { BlockRequest } from '../../src/commands/spec.js';
import { ErrorReply, NullArray } from '../../src/resp/reply.js';

function resp(h: EngineHarness, ...argv: string[]): string {
  const { reply } = h.exec(argv);
  if (reply instanceof BlockRequest) throw new Error('unexpected block');
  return encodeReply(reply, h.client.protocol);
}

function zsetAt(h: EngineHarness, key: string): ZSetValue {
  return h.engine.database(0).peek(key)!.value as ZSetValue;
}

describe('ZINCRBY and ZADD INCR effects', () => {
  it('are logged as ZADD of the resulting score, exact to the last bit', () => {
    const h = new EngineHarness();
    h.run('ZADD', 'z', '0.1', 'm');
    const result = effectsRoundTrip(h, ['ZINCRBY', 'z', '0.2', 'm']);
    expect(result.effects).toEqual([{ db: 0, argv: ['ZADD', 'z', '0.30000000000000004', 'm'] }]);
    expect(result.replayed).toEqual(result.after);
    const incr = effectsRoundTrip(h, ['ZADD', 'z', 'GT', 'INCR', '1e-16', 'm']);
    expect(incr.effects[0]!.argv[0]).toBe('ZADD');
    expect(Number(incr.effects[0]!.argv[2])).toBe(0.1 + 0.2 + 1e-16);
    expect(incr.replayed).toEqual(incr.after);
    // Many increments with awkward values: the replica's score is bit-identical.
    for (const delta of ['1e-17', '3.3333333333333335', '-7e22', '7e22', '0.7']) {
      const step = effectsRoundTrip(h, ['ZINCRBY', 'z', delta, 'm']);
      expect(step.replayed).toEqual(step.after);
    }
  });

  it('NaN results are refused and change nothing', () => {
    const h = new EngineHarness();
    h.run('ZADD', 'z', 'inf', 'm');
    const { reply, effects } = h.exec(['ZINCRBY', 'z', '-inf', 'm']);
    expect(reply).toEqual(new ErrorReply('ERR resulting score is not a number (NaN)'));
    expect(effects).toEqual([]);
    expect(h.run('ZSCORE', 'z', 'm')).toBe(Infinity);
  });

  it('a GT/LT/XX/NX no-op replies nil for INCR and logs nothing', () => {
    const h = new EngineHarness();
    h.run('ZADD', 'z', '5', 'm');
    for (const argv of [['ZADD', 'z', 'GT', 'INCR', '-1', 'm'], ['ZADD', 'z', 'NX', 'INCR', '1', 'm'], ['ZADD', 'z', 'XX', 'INCR', '1', 'nope']]) {
      const { reply, effects } = h.exec(argv);
      expect(reply).toBe(null);
      expect(effects).toEqual([]);
    }
    expect(h.run('EXISTS', 'nope')).toBe(0);
  });
});

describe('sorted-set effects', () => {
  it('pops, range removals and *STORE replay to the same state', () => {
    const h = new EngineHarness();
    h.exec(['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z', '4', 'w', '5', 'v']);
    h.exec(['ZADD', 'b', '10', 'y', '20', 'q']);
    h.exec(['SADD', 's', 'x', 'q']);
    h.run('SET', 'dst', 'old', 'PX', '100000');
    const commands = [
      ['ZPOPMIN', 'a'], ['ZPOPMAX', 'a', '2'], ['ZUNIONSTORE', 'dst', '3', 'a', 'b', 's', 'WEIGHTS', '1', '2', '3'],
      ['ZINTERSTORE', 'dst', '2', 'dst', 'b', 'AGGREGATE', 'MAX'], ['ZDIFFSTORE', 'dst', '2', 'b', 'a'],
      ['ZRANGESTORE', 'dst', 'b', '(10', '+inf', 'BYSCORE'], ['ZRANGESTORE', 'dst', 'b', '5', '9'],
      ['ZREMRANGEBYSCORE', 'b', '-inf', '(20'], ['ZREMRANGEBYLEX', 'b', '-', '+'], ['ZREMRANGEBYRANK', 'a', '0', '-1'],
    ];
    for (const argv of commands) {
      const result = effectsRoundTrip(h, argv, 1_000);
      expect(result.replayed, argv.join(' ')).toEqual(result.after);
    }
    expect(h.dump().map((row) => (row as unknown[])[1])).toEqual(['s']);
  });

  it('ZMPOP is logged for the key it served', () => {
    const h = new EngineHarness();
    h.exec(['ZADD', 'b', '1', 'x', '2', 'y', '3', 'z']);
    const result = effectsRoundTrip(h, ['ZMPOP', '3', 'nosuch', 'b', 'c', 'MAX', 'COUNT', '2']);
    expect(result.effects).toEqual([{ db: 0, argv: ['ZMPOP', '1', 'b', 'MAX', 'COUNT', '2'] }]);
    expect(result.reply).toEqual(['b', [['z', expect.anything()], ['y', expect.anything()]]]);
    expect(result.replayed).toEqual(result.after);
  });
});

describe('blocking pops', () => {
  it('BZPOPMIN blocks on empty keys and, re-run once served, logs ZPOPMIN of the key', () => {
    const h = new EngineHarness();
    const deadline = h.nowMs + 1500;
    const first = h.exec(['BZPOPMIN', 'k1', 'k2', '1.5']);
    expect(first.reply).toBeInstanceOf(BlockRequest);
    const request = first.reply as BlockRequest;
    expect(request.keys).toEqual(['k1', 'k2']);
    expect(request.deadlineMs).toBe(deadline);
    expect(request.timeoutReply).toBeInstanceOf(NullArray);
    expect(first.effects).toEqual([]);
    h.run('ZADD', 'k2', '2', 'b', '1', 'a');
    const served = effectsRoundTrip(h, ['BZPOPMIN', 'k1', 'k2', '1.5']);
    expect(served.effects).toEqual([{ db: 0, argv: ['ZPOPMIN', 'k2'] }]);
    expect(served.replayed).toEqual(served.after);
    const max = h.exec(['BZPOPMAX', 'k2', '0']);
    expect(max.effects).toEqual([{ db: 0, argv: ['ZPOPMAX', 'k2'] }]);
    expect(h.run('EXISTS', 'k2')).toBe(0);
    expect((h.exec(['BZPOPMAX', 'k2', '0']).reply as BlockRequest).deadlineMs).toBe(0);
  });

  it('BZMPOP blocks, then logs ZMPOP of what it served; timeouts and types are checked', () => {
    const h = new EngineHarness();
    expect(h.exec(['BZMPOP', '0', '2', 'a', 'b', 'MIN', 'COUNT', '5']).reply).toBeInstanceOf(BlockRequest);
    h.run('ZADD', 'b', '1', 'x', '2', 'y');
    const served = h.exec(['BZMPOP', '0', '2', 'a', 'b', 'MIN', 'COUNT', '5']);
    expect(served.effects).toEqual([{ db: 0, argv: ['ZMPOP', '1', 'b', 'MIN', 'COUNT', '2'] }]);
    h.client.protocol = 3;
    h.run('ZADD', 'b', '1.5', 'x');
    expect(resp(h, 'BZPOPMIN', 'b', '0')).toBe('*3\r\n$1\r\nb\r\n$1\r\nx\r\n,1.5\r\n');
    expect(h.run('BZPOPMIN', 'b', '-1')).toBe('ERR:ERR timeout is negative');
    expect(h.run('BZPOPMIN', 'b', 'x')).toBe('ERR:ERR timeout is not a float or out of range');
    h.run('SET', 's', 'v');
    expect(h.run('BZPOPMIN', 's', 'b', '0')).toBe('ERR:WRONGTYPE Operation against a key holding the wrong kind of value');
  });

  it('inside MULTI a blocking pop does not block: it answers the timeout reply', () => {
    const h = new EngineHarness();
    h.run('MULTI');
    h.run('BZPOPMIN', 'empty', '0');
    h.run('BZMPOP', '0', '1', 'empty', 'MAX');
    const { reply } = h.exec(['EXEC']);
    expect(reply).toEqual([new NullArray(), new NullArray()]);
  });
});

describe('scores, encodings and replies', () => {
  it('formats scores as Redis 7.2 does, RESP2 and RESP3', () => {
    const h = new EngineHarness();
    h.exec(['ZADD', 'z', '0.1', 'a', '1e20', 'b', 'inf', 'c', '-inf', 'd', '1.5', 'e', '123456789012345678', 'f']);
    expect(h.run('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toEqual(['d', -Infinity, 'a', 0.1, 'e', 1.5, 'f', 123456789012345678, 'b', 1e20, 'c', Infinity]);
    expect(resp(h, 'ZSCORE', 'z', 'a')).toBe('$3\r\n0.1\r\n');
    expect(resp(h, 'ZSCORE', 'z', 'b')).toBe('$5\r\n1e+20\r\n');
    expect(resp(h, 'ZSCORE', 'z', 'f')).toBe('$22\r\n1.2345678901234568e+17\r\n');
    expect(resp(h, 'ZSCORE', 'z', 'd')).toBe('$4\r\n-inf\r\n');
    h.client.protocol = 3;
    expect(resp(h, 'ZSCORE', 'z', 'c')).toBe(',inf\r\n');
    expect(resp(h, 'ZRANK', 'z', 'a', 'WITHSCORE')).toBe('*2\r\n:1\r\n,0.1\r\n');
    expect(resp(h, 'ZRANK', 'z', 'nope', 'WITHSCORE')).toBe('_\r\n');
    expect(resp(h, 'ZREVRANK', 'z', 'a')).toBe(':4\r\n');
    expect(resp(h, 'ZRANGE', 'z', '0', '0', 'WITHSCORES')).toBe('*1\r\n*2\r\n$1\r\nd\r\n,-inf\r\n');
    expect(resp(h, 'ZPOPMIN', 'z')).toBe('*2\r\n$1\r\nd\r\n,-inf\r\n');
    expect(resp(h, 'ZPOPMIN', 'z', '1')).toBe('*1\r\n*2\r\n$1\r\na\r\n,0.1\r\n');
    h.client.protocol = 2;
    expect(resp(h, 'ZRANK', 'z', 'nope', 'WITHSCORE')).toBe('*-1\r\n');
    expect(resp(h, 'ZRANK', 'z', 'e', 'WITHSCORE')).toBe('*2\r\n:0\r\n$3\r\n1.5\r\n');
    expect(h.run('ZRANK', 'z', 'e', 'WITHSCORES')).toBe('ERR:ERR syntax error');
    expect(h.run('ZRANK', 'z', 'e', 'WITHSCORE', 'x')).toBe("ERR:ERR wrong number of arguments for 'zrank' command");
  });

  it('a listpack stores -0 as 0; a skiplist keeps -0 (as Redis)', () => {
    const h = new EngineHarness();
    h.run('ZADD', 'small', '-0', 'a');
    expect(resp(h, 'ZSCORE', 'small', 'a')).toBe('$1\r\n0\r\n');
    h.exec(['ZADD', 'big', ...Array.from({ length: 129 }, (_, i) => [String(i), `m${i}`]).flat()]);
    expect(zsetAt(h, 'big').encoding()).toBe('skiplist');
    h.run('ZADD', 'big', '-0', 'b');
    expect(resp(h, 'ZSCORE', 'big', 'b')).toBe('$2\r\n-0\r\n');
  });

  it('encoding follows Redis thresholds; clone and plain form round-trip', () => {
    const small = ZSetValue.fromPairs(Array.from({ length: 128 }, (_, i) => [`m${i}`, i] as const));
    expect(small.encoding()).toBe('listpack');
    small.set('m128', 1);
    expect(small.encoding()).toBe('skiplist');
    expect(ZSetValue.fromPairs([['x'.repeat(65), 1]]).encoding()).toBe('skiplist');
    const copy = fromPlain(small.toPlain());
    expect(copy.toPlain()).toEqual(small.toPlain());
    expect(small.clone().toPlain()).toEqual(small.toPlain());
    copy.remove('m0');
    expect(small.score('m0')).toBe(0);
    for (const bad of [null, { encoding: 'listpack', pairs: [] }, { encoding: 'listpack', pairs: [['a', NaN]] }, { encoding: 'x', pairs: [['a', 1]] },
      { encoding: 'skiplist', pairs: [['a', 1], ['a', 2]] }, { encoding: 'skiplist', pairs: [['a']] }, { encoding: 'skiplist', pairs: [[1, 1]] }]) {
      expect(() => fromPlain(bad)).toThrow();
    }
  });

  it('DUMP and RESTORE carry a sorted set with infinite scores', () => {
    const h = new EngineHarness();
    h.run('ZADD', 'z', '-inf', 'low', '1.5', 'mid', 'inf', 'high');
    const dumped = h.run('DUMP', 'z') as string;
    expect(h.run('RESTORE', 'copy', '0', dumped)).toBe('OK');
    expect(h.run('ZRANGE', 'copy', '0', '-1', 'WITHSCORES')).toEqual(['low', -Infinity, 'mid', 1.5, 'high', Infinity]);
    expect(h.run('ZRANK', 'copy', 'high')).toBe(2);
  });

  it('ZSCAN: small sets in one call; skiplist sets by cursor without missing members', () => {
    const h = new EngineHarness();
    h.run('ZADD', 'small', '2', 'b', '1', 'a');
    expect(h.run('ZSCAN', 'small', '0')).toEqual(['0', ['a', '1', 'b', '2']]);
    h.exec(['ZADD', 'big', ...Array.from({ length: 500 }, (_, i) => [String(i / 4), `m${i}`]).flat()]);
    const seen = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = h.run('ZSCAN', 'big', cursor, 'COUNT', '40', 'MATCH', 'm*') as [string, string[]];
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
      cursor = next;
    } while (cursor !== '0');
    expect(seen.size).toBe(500);
    expect(seen.get('m1')).toBe('0.25');
  });

  it('ZRANDMEMBER: distinct for positive counts, repeats for negative, whole set highest first', () => {
    const h = new EngineHarness({ seed: 5 });
    h.exec(['ZADD', 'z', ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat()]);
    const distinct = h.run('ZRANDMEMBER', 'z', '200') as string[];
    expect(new Set(distinct).size).toBe(200);
    const repeated = h.run('ZRANDMEMBER', 'z', '-500', 'WITHSCORES') as unknown[];
    expect(repeated).toHaveLength(1000);
    for (let i = 0; i < repeated.length; i += 2) expect(`m${repeated[i + 1]}`).toBe(repeated[i]);
    h.run('ZADD', 'small', '1', 'a', '2', 'b');
    expect(h.run('ZRANDMEMBER', 'small', '5')).toEqual(['b', 'a']);
    expect(h.exec(['ZRANDMEMBER', 'z', '5']).effects).toEqual([]);
    // Recorded from redis-server: counts beyond LONG_MAX / 2 are refused with WITHSCORES.
    expect(h.run('ZRANDMEMBER', 'small', '4611686018427387904', 'WITHSCORES')).toBe('ERR:ERR value is out of range');
    expect(h.run('ZRANDMEMBER', 'small', '-5000000000000000000', 'WITHSCORES')).toBe('ERR:ERR value is out of range');
    expect(h.run('ZRANDMEMBER', 'small', '4611686018427387903', 'WITHSCORES')).toEqual(['b', 2, 'a', 1]);
  });

  it('range queries on a large set cost O(log n + m)', () => {
    const h = new EngineHarness();
    const n = 100_000;
    for (let i = 0; i < n; i += 1000) {
      h.exec(['ZADD', 'big', ...Array.from({ length: 1000 }, (_, j) => [String(i + j), `m${i + j}`]).flat()]);
    }
    // Ranks near the far end: a walk from the head would cost ~90k steps per query
    // (≈ 10^9 steps in all, many seconds); the skiplist needs ~40.
    const started = performance.now();
    for (let i = 0; i < 5000; i++) {
      const at = n - 10_000 + ((i * 7919) % 9_000);
      const got = h.exec(['ZRANGE', 'big', String(at), String(at + 2)]).reply as string[];
      if (got[0] !== `m${at}`) throw new Error(`rank ${at}: ${String(got)}`);
      h.exec(['ZRANGEBYSCORE', 'big', String(at), '+inf', 'LIMIT', '5000', '2']);
      h.exec(['ZCOUNT', 'big', String(at), '+inf']);
    }
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(h.run('ZCOUNT', 'big', '(10', '20')).toBe(10);
    expect(h.run('ZRANGEBYSCORE', 'big', '99990', '+inf', 'LIMIT', '8', '5')).toEqual(['m99998', 'm99999']);
  });
});
