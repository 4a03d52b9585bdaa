import { describe, expect, it } from 'vitest';
import { EngineHarness, effectsRoundTrip, plain } from '../helpers/engine.js';
import { BlockRequest } from '../../src/commands/spec.js';
import { NULL_ARRAY } from '../../src/resp/reply.js';

function blockRequest(harness: EngineHarness, argv: string[]): BlockRequest {
  const { reply, effects } = harness.exec(argv);
  expect(reply).toBeInstanceOf(BlockRequest);
  expect(effects).toEqual([]);
  return reply as BlockRequest;
}

describe('blocking list commands at engine level', () => {
  it('block with the keys, an absolute deadline (fractional seconds) and the timeout reply', () => {
    const h = new EngineHarness();
    const request = blockRequest(h, ['BLPOP', 'a', 'b', '1.5']);
    expect(request.keys).toEqual(['a', 'b']);
    expect(request.deadlineMs).toBe(h.nowMs + 1500);
    expect(request.timeoutReply).toBe(NULL_ARRAY);
    expect(blockRequest(h, ['BRPOP', 'a', '0']).deadlineMs).toBe(0);
    expect(blockRequest(h, ['BRPOP', 'a', '0.001']).deadlineMs).toBe(h.nowMs + 1);
    const move = blockRequest(h, ['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '2']);
    expect(move.keys).toEqual(['src']);
    expect(move.timeoutReply).toBe(null);
    expect(blockRequest(h, ['BRPOPLPUSH', 'src', 'dst', '0']).timeoutReply).toBe(null);
    const mpop = blockRequest(h, ['BLMPOP', '0.5', '2', 'x', 'y', 'LEFT', 'COUNT', '3']);
    expect(mpop.keys).toEqual(['x', 'y']);
    expect(mpop.deadlineMs).toBe(h.nowMs + 500);
  });

  it('check the timeout before anything else', () => {
    const h = new EngineHarness();
    h.run('RPUSH', 'a', 'v');
    expect(h.run('BLPOP', 'a', '-1')).toBe('ERR:ERR timeout is negative');
    expect(h.run('BLPOP', 'a', 'soon')).toBe('ERR:ERR timeout is not a float or out of range');
    expect(h.run('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', 'x')).toBe('ERR:ERR timeout is not a float or out of range');
    expect(h.run('BLMPOP', 'x', '1', 'a', 'LEFT')).toBe('ERR:ERR timeout is not a float or out of range');
    expect(h.run('LLEN', 'a')).toBe(1);
  });

  it('a re-run after a push serves the element and logs the non-blocking pop after the push', () => {
    const h = new EngineHarness();
    const argv = ['BLPOP', 'a', 'b', '0'];
    h.engine.wakeTracking = true; // as the server sets it while clients are blocked
    blockRequest(h, argv);
    const push = h.exec(['RPUSH', 'b', 'v1', 'v2']);
    expect(push.effects).toEqual([{ db: 0, argv: ['RPUSH', 'b', 'v1', 'v2'] }]);
    expect(h.engine.drainTouchedKeys()).toContainEqual({ db: 0, key: 'b' });
    const rerun = h.exec(argv);
    expect(plain(rerun.reply)).toEqual(['b', 'v1']);
    expect(rerun.effects).toEqual([{ db: 0, argv: ['LPOP', 'b'] }]);
    // the replica sees PUSH then POP: same state
    const replica = new EngineHarness();
    replica.engine.applyEffects([...push.effects, ...rerun.effects]);
    expect(replica.dump()).toEqual(h.dump());
  });

  it('rewrite every served blocking or multi-key pop to its non-blocking form', () => {
    const h = new EngineHarness();
    h.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(h.exec(['BRPOP', 'none', 'l', '0']).effects).toEqual([{ db: 0, argv: ['RPOP', 'l'] }]);
    expect(h.exec(['BLMPOP', '0', '2', 'none', 'l', 'LEFT', 'COUNT', '2']).effects).toEqual([{ db: 0, argv: ['LPOP', 'l', '2'] }]);
    expect(h.exec(['LMPOP', '1', 'l', 'RIGHT', 'COUNT', '10']).effects).toEqual([{ db: 0, argv: ['RPOP', 'l', '2'] }]);
    h.run('RPUSH', 'l', 'a', 'b');
    expect(h.exec(['BLMOVE', 'l', 'm', 'left', 'Right', '0']).effects).toEqual([{ db: 0, argv: ['LMOVE', 'l', 'm', 'left', 'Right'] }]);
    expect(h.exec(['BRPOPLPUSH', 'l', 'm', '0']).effects).toEqual([{ db: 0, argv: ['RPOPLPUSH', 'l', 'm'] }]);
    expect(h.run('LRANGE', 'm', '0', '-1')).toEqual(['b', 'a']);
    expect(h.run('EXISTS', 'l')).toBe(0);
  });

  it('never block inside MULTI or while applying effects', () => {
    const h = new EngineHarness();
    h.run('MULTI');
    h.run('BLPOP', 'a', '0');
    h.run('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0');
    h.run('BLMPOP', '0', '1', 'a', 'LEFT');
    h.run('RPUSH', 'a', 'v');
    h.run('BRPOP', 'a', '0');
    expect(h.exec(['EXEC']).reply).toEqual([NULL_ARRAY, null, NULL_ARRAY, 1, ['a', 'v']]);
    expect(h.exec(['BLPOP', 'a', '0'], 'apply').reply).toBe(NULL_ARRAY);
    expect(h.exec(['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0'], 'apply').reply).toBe(null);
  });

  it('are refused on a replica like any write', () => {
    const h = new EngineHarness();
    expect(plain(h.exec(['BLPOP', 'a', '0'], 'replica').reply)).toBe("ERR:READONLY You can't write against a read only replica.");
  });
});

describe('list commands', () => {
  it('log deterministic effects that rebuild the same state later', () => {
    const h = new EngineHarness();
    const script: string[][] = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'b'], ['LPUSH', 'l', 'z'], ['LPUSHX', 'l', 'y'], ['RPUSHX', 'none', 'y'],
      ['LSET', 'l', '1', 'Z'], ['LINSERT', 'l', 'BEFORE', 'b', 'q'], ['LREM', 'l', '-1', 'b'], ['LTRIM', 'l', '1', '-1'],
      ['LPOP', 'l'], ['RPOP', 'l', '2'], ['LMOVE', 'l', 'm', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'm', 'l'], ['LMPOP', '2', 'x', 'l', 'LEFT'],
    ];
    for (const argv of script) {
      const result = effectsRoundTrip(h, argv, 5_000);
      expect(result.replayed).toEqual(result.after);
    }
    expect(h.exec(['RPUSHX', 'none', 'y']).effects).toEqual([]);
    expect(h.exec(['LREM', 'l', '0', 'nothing']).effects).toEqual([]);
    expect(h.exec(['LPOP', 'l', '0']).effects).toEqual([]);
  });

  it('report listpack until 8 KiB and quicklist beyond, as Redis 7.2', () => {
    const h = new EngineHarness();
    h.run('RPUSH', 'l', 'a', 'b');
    expect(h.run('OBJECT', 'ENCODING', 'l')).toBe('listpack');
    h.run('RPUSH', 'l', 'x'.repeat(9000));
    expect(h.run('OBJECT', 'ENCODING', 'l')).toBe('quicklist');
    h.run('RPOP', 'l');
    expect(h.run('OBJECT', 'ENCODING', 'l')).toBe('listpack');
    for (let i = 0; i < 100; i++) h.run('RPUSH', 'n', 'y'.repeat(100));
    expect(h.run('OBJECT', 'ENCODING', 'n')).toBe('quicklist');
    h.run('LTRIM', 'n', '0', '49');
    expect(h.run('OBJECT', 'ENCODING', 'n')).toBe('quicklist'); // 5.1 KiB: above the shrink threshold
    h.run('LTRIM', 'n', '0', '29');
    expect(h.run('OBJECT', 'ENCODING', 'n')).toBe('listpack');
  });

  it('use the Redis 7.2 range check for LPOS RANK', () => {
    const h = new EngineHarness();
    h.run('RPUSH', 'l', 'a');
    expect(h.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808'))
      .toBe('ERR:ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    expect(h.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775807')).toBe(null);
    expect(h.run('LPOS', 'l', 'a', 'RANK', '9223372036854775807', 'COUNT', '0')).toEqual([]);
  });

  it('serve LRANGE/LINDEX on a large list by offset', () => {
    const h = new EngineHarness();
    const batch: string[] = [];
    for (let i = 0; i < 100_000; i++) batch.push(String(i));
    h.run('RPUSH', 'big', ...batch);
    h.run('LPUSH', 'big', 'head');
    expect(h.run('LINDEX', 'big', '50000')).toBe('49999');
    expect(h.run('LINDEX', 'big', '-1')).toBe('99999');
    expect(h.run('LRANGE', 'big', '-3', '-1')).toEqual(['99997', '99998', '99999']);
    expect(h.run('LSET', 'big', '-2', 'x')).toBe('OK');
    expect(h.run('LRANGE', 'big', '99998', '100005')).toEqual(['99997', 'x', '99999']);
    expect(h.run('LLEN', 'big')).toBe(100_001);
  });
});

describe('list writes tell WATCH and blocked clients, reads do not', () => {
  it('touches the key on every change, and both keys on a move', () => {
    const h = new EngineHarness();
    h.engine.wakeTracking = true;
    const touchedBy = (argv: string[]): string[] => {
      h.engine.drainTouchedKeys();
      h.exec(argv);
      return h.engine.drainTouchedKeys().map((entry) => entry.key).sort();
    };
    expect(touchedBy(['RPUSH', 'l', 'a', 'b', 'c'])).toEqual(['l']);
    expect(touchedBy(['LSET', 'l', '0', 'A'])).toEqual(['l']);
    expect(touchedBy(['LINSERT', 'l', 'BEFORE', 'b', 'x'])).toEqual(['l']);
    expect(touchedBy(['LREM', 'l', '1', 'x'])).toEqual(['l']);
    expect(touchedBy(['LMOVE', 'l', 'm', 'LEFT', 'LEFT'])).toEqual(['l', 'm']);
    expect(touchedBy(['LPOP', 'l'])).toEqual(['l']);
    expect(touchedBy(['LRANGE', 'l', '0', '-1'])).toEqual([]);
    expect(touchedBy(['LPOS', 'l', 'c'])).toEqual([]);
    expect(touchedBy(['LINDEX', 'l', '0'])).toEqual([]);
    expect(touchedBy(['LLEN', 'l'])).toEqual([]);
    expect(touchedBy(['LPUSHX', 'none', 'a'])).toEqual([]);
    expect(touchedBy(['LINSERT', 'l', 'BEFORE', 'nope', 'x'])).toEqual([]);
    expect(touchedBy(['RPOP', 'l'])).toEqual(['l']);
    expect(h.run('EXISTS', 'l')).toBe(0);
  });
});
