// Differential check against a real redis-server (opt-in): random string and bit commands,
// including invalid ones, run on a Keel engine and on Redis, replies compared byte for byte.
// The expected replies in the other strings/bits tests were taken this way. Run with a Redis 7
// on 127.0.0.1:<port> (it is FLUSHALLed):
//   KEEL_COMPARE_REDIS_PORT=<port> npx vitest run test/engine/strings-vs-redis.test.ts
// Known, deliberate differences are kept out of the generator: offsets that would build
// strings V8 cannot hold (> 2^29 - 24 bytes) and relative-time reads (TTL).
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { EngineHarness, seededRandom } from '../helpers/engine.js';
import { ErrorReply, SimpleString, MapReply, NullArray } from '../../src/resp/reply.js';

const port = Number(process.env.KEEL_COMPARE_REDIS_PORT ?? 0);
let rnd = seededRandom(1);
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

function norm(r: unknown): unknown {
  if (r instanceof ErrorReply) return 'ERR:' + r.message;
  if (r instanceof SimpleString) return 'b:' + Buffer.from(r.value, 'latin1').toString('hex');
  if (r instanceof MapReply) return r.entries.map(norm);
  if (r instanceof NullArray) return null;
  if (typeof r === 'string') return 'b:' + Buffer.from(r, 'latin1').toString('hex');
  if (typeof r === 'number' || typeof r === 'bigint') return String(r);
  if (Array.isArray(r)) return r.map(norm);
  return r;
}

function normRedis(r: unknown): unknown {
  if (Buffer.isBuffer(r)) return 'b:' + r.toString('hex');
  if (typeof r === 'number') return String(r);
  if (Array.isArray(r)) return r.map(normRedis);
  return r;
}


const keys = ['a', 'b', 'c', 'l'];
const values = ['', 'x', 'abc', '\xff\x00\x81', '10', '-5', '3.5', '1e3', '0x10', ' 1', 'foobar', 'Hello World', '\x00', '9223372036854775806', '1000'];
const ints = ['0', '1', '-1', '2', '-2', '3', '5', '7', '8', '-8', '15', '16', '100', '-100', 'x', '01', '-4294967296', '4294967296', '9223372036854775807', '-9223372036854775808', '#1', '#-1', '#3'];
const floats = ['0.1', '-0.1', '1', '1.5', 'inf', '-inf', 'nan', 'abc', '1e-20', '5', '0x10', '1e300', '1e400', '1e-4940', '1e-5000', '0x1p-3', '-3.25', '.5', '+2'];
function command(): string[] {
  const k = pick(keys);
  switch (int(0, 27)) {
    case 0: return ['SET', k, pick(values), ...pick([[], ['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EX', pick(['100', '0', 'x'])], ['EX', '100', 'EX', '200'], ['NX', 'XX'], ['PX', '100000', 'KEEPTTL'], ['XX', 'GET'], ['PXAT', String(Date.now() - 1000)], ['EXAT', '1'], ['EXAT', String(Math.floor(Date.now() / 1000) + 1000)], ['GET', 'PXAT', '1']])];
    case 1: return ['SETNX', k, pick(values)];
    case 2: return [pick(['SETEX', 'PSETEX']), k, pick(['100', '0', '-1', 'x', '100000']), pick(values)];
    case 3: return ['GETSET', k, pick(values)];
    case 4: return ['GETDEL', k];
    case 5: return ['GETEX', k, ...pick([[], ['PERSIST'], ['EX', pick(['100', '0', 'x'])], ['PX', '100000'], ['EX', '1', 'PX', '2'], ['KEEPTTL'], ['PERSIST', 'PERSIST'], ['FOO'], ['PXAT', String(Date.now() - 1000)], ['EXAT', String(Math.floor(Date.now() / 1000) + 1000)]])];
    case 6: return ['MGET', ...Array.from({ length: int(1, 4) }, () => pick(keys))];
    case 7: return [pick(['MSET', 'MSETNX']), ...Array.from({ length: int(1, 5) }, (_, i) => i % 2 === 0 ? pick(keys) : pick(values))];
    case 8: return ['APPEND', k, pick(values)];
    case 9: return ['STRLEN', k];
    case 10: return ['INCRBYFLOAT', k, pick(floats)];
    case 11: return [pick(['GETRANGE', 'SUBSTR']), k, pick(ints), pick(ints)];
    case 12: return ['SETRANGE', k, pick(['0', '1', '3', '10', '-1', 'x', '536870912']), pick(values)];
    case 13: return ['LCS', k, pick(keys), ...pick([[], ['LEN'], ['IDX'], ['IDX', 'WITHMATCHLEN'], ['IDX', 'MINMATCHLEN', pick(['0', '2', '-1', 'x'])], ['LEN', 'IDX'], ['FOO']])];
    case 14: return ['SETBIT', k, pick(ints), pick(['0', '1', '2', 'x'])];
    case 15: return ['GETBIT', k, pick(ints)];
    case 16: return ['BITCOUNT', k, ...pick([[], [pick(ints)], [pick(ints), pick(ints)], [pick(ints), pick(ints), pick(['BIT', 'BYTE', 'bit', 'foo'])], ['0', '1', 'BIT', 'x']])];
    case 17: return ['BITPOS', k, pick(['0', '1', '2', 'x']), ...pick([[], [pick(ints)], [pick(ints), pick(ints)], [pick(ints), pick(ints), pick(['BIT', 'BYTE', 'foo'])], ['0', '1', 'BIT', 'x']])];
    case 18: return ['BITOP', pick(['AND', 'OR', 'XOR', 'NOT', 'and', 'FOO']), pick(keys), ...Array.from({ length: int(1, 3) }, () => pick(keys))];
    case 19: case 20: {
      const ops: string[] = [];
      for (let i = int(1, 4); i > 0; i--) {
        const t = pick(['u8', 'i8', 'u1', 'i1', 'u63', 'i64', 'u16', 'i5', 'u64', 'I8', 'u0', 'x']);
        const off = pick(['0', '1', '7', '13', '#0', '#1', '#2', '100', '-1', 'x', '4294967296']);
        switch (int(0, 4)) {
          case 0: ops.push('GET', t, off); break;
          case 1: ops.push('SET', t, off, pick(ints)); break;
          case 2: ops.push('INCRBY', t, off, pick(ints)); break;
          case 3: ops.push('OVERFLOW', pick(['WRAP', 'SAT', 'FAIL', 'sat', 'foo'])); break;
          default: ops.push(pick(['GET', 'SET', 'FOO']));
        }
      }
      return [pick(['BITFIELD', 'BITFIELD', 'BITFIELD_RO']), k, ...ops];
    }
    case 21: return ['GET', k];
    case 22: return ['INCRBY', k, pick(ints)];
    case 23: return ['DEL', k];
    case 24: return ['RPUSH', 'l', 'v'];
    default: return ['GET', k];
  }
}

if (port === 0) console.warn('strings-vs-redis skipped: set KEEL_COMPARE_REDIS_PORT to a scratch redis-server port (it is FLUSHALLed) to compare against it');

describe.skipIf(port === 0)('string and bit commands against a real redis-server', () => {
  it('give the same replies over random sequences', async () => {
    const redis = new Redis({ port, host: '127.0.0.1', stringNumbers: true });
    try {
      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
        rnd = seededRandom(seed);
        const h = new EngineHarness({ nowMs: Date.now() });
        await redis.flushall();
        for (let step = 0; step < 3000; step++) {
          const argv = command();
          if (argv[1] === 'l' && !['GET', 'STRLEN', 'DEL', 'RPUSH'].includes(argv[0]!) && rnd() < 0.5) continue;
          h.nowMs = Date.now();
          const mine = norm(h.exec(argv).reply);
          let theirs: unknown;
          try {
            theirs = normRedis(await redis.callBuffer(argv[0]!, ...argv.slice(1).map((arg) => Buffer.from(arg, 'latin1'))));
          } catch (error) {
            theirs = `ERR:${(error as Error).message}`;
          }
          expect(mine, `seed ${seed} step ${step}: ${JSON.stringify(argv)}`).toEqual(theirs);
        }
      }
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
