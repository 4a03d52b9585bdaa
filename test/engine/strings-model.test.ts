// Model-based test: random sequences of string commands (with TTLs and a moving clock)
// against a plain Map of key → { value, expiry } written independently of the engine.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineHarness, plain } from '../helpers/engine.js';

interface Entry { value: string; expireAtMs: number }

class StringModel {
  readonly entries = new Map<string, Entry>();
  nowMs = 1_700_000_000_000;

  live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expireAtMs !== 0 && entry.expireAtMs <= this.nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  put(key: string, value: string, keepTtl = false): void {
    const expireAtMs = keepTtl ? (this.live(key)?.expireAtMs ?? 0) : 0;
    this.entries.set(key, { value, expireAtMs });
  }

  apply(argv: string[]): unknown {
    const [name, key = '', a = '', b = ''] = argv;
    switch (name) {
      case 'ADVANCE': this.nowMs += Number(key); return null;
      case 'GET': return this.live(key)?.value ?? null;
      case 'SET': return this.set(argv);
      case 'SETNX': if (this.live(key)) return 0; this.put(key, a); return 1;
      case 'SETEX': case 'PSETEX': {
        this.put(key, b);
        this.entries.get(key)!.expireAtMs = this.nowMs + Number(a) * (name === 'SETEX' ? 1000 : 1);
        return 'OK';
      }
      case 'GETSET': { const old = this.live(key)?.value ?? null; this.put(key, a); return old; }
      case 'GETDEL': { const old = this.live(key)?.value ?? null; this.entries.delete(key); return old; }
      case 'GETEX': {
        const entry = this.live(key);
        if (!entry) return null;
        if (a === 'PERSIST') entry.expireAtMs = 0;
        else if (a === 'EX') entry.expireAtMs = this.nowMs + Number(b) * 1000;
        else if (a === 'PX') entry.expireAtMs = this.nowMs + Number(b);
        return entry.value;
      }
      case 'MGET': return argv.slice(1).map((k) => this.live(k)?.value ?? null);
      case 'MSET': for (let i = 1; i < argv.length; i += 2) this.put(argv[i]!, argv[i + 1]!); return 'OK';
      case 'MSETNX': {
        for (let i = 1; i < argv.length; i += 2) if (this.live(argv[i]!)) return 0;
        for (let i = 1; i < argv.length; i += 2) this.put(argv[i]!, argv[i + 1]!);
        return 1;
      }
      case 'APPEND': { const next = (this.live(key)?.value ?? '') + a; this.put(key, next, true); return next.length; }
      case 'STRLEN': return this.live(key)?.value.length ?? 0;
      case 'GETRANGE': return substring(this.live(key)?.value ?? '', Number(a), Number(b));
      case 'SETRANGE': {
        const current = this.live(key)?.value;
        if (a.length === 0 && b.length === 0) return current?.length ?? 0;
        if (b.length === 0) return current?.length ?? 0;
        const chars = [...(current ?? '')];
        while (chars.length < Number(a)) chars.push('\0');
        [...b].forEach((char, i) => { chars[Number(a) + i] = char; });
        this.put(key, chars.join(''), true);
        return chars.length;
      }
      case 'INCRBY': case 'DECRBY': case 'INCR': case 'DECR': {
        const current = this.live(key)?.value ?? '0';
        if (!/^-?(0|[1-9][0-9]{0,18})$/.test(current) || current === '-0') return 'ERR:ERR value is not an integer or out of range';
        const delta = name === 'INCR' ? 1n : name === 'DECR' ? -1n : name === 'INCRBY' ? BigInt(a) : -BigInt(a);
        const result = BigInt(current) + delta;
        if (BigInt(current) > 2n ** 63n - 1n || BigInt(current) < -(2n ** 63n)) return 'ERR:ERR value is not an integer or out of range';
        if (result > 2n ** 63n - 1n || result < -(2n ** 63n)) return 'ERR:ERR increment or decrement would overflow';
        this.put(key, String(result), true);
        return Number.isSafeInteger(Number(result)) ? Number(result) : result;
      }
      case 'SETBIT': {
        const bits = toBits(this.live(key)?.value ?? '');
        const offset = Number(a);
        while (bits.length <= offset || bits.length % 8 !== 0) bits.push(0);
        const old = bits[offset]!;
        bits[offset] = Number(b);
        this.put(key, fromBits(bits), true);
        return old;
      }
      case 'GETBIT': return toBits(this.live(key)?.value ?? '')[Number(a)] ?? 0;
      case 'BITCOUNT': return toBits(this.live(key)?.value ?? '').filter((bit) => bit === 1).length;
      case 'PTTL': {
        const entry = this.live(key);
        if (!entry) return -2;
        return entry.expireAtMs === 0 ? -1 : entry.expireAtMs - this.nowMs;
      }
      default: throw new Error(`model lacks ${name}`);
    }
  }

  private set(argv: string[]): unknown {
    const [, key, value] = argv as [string, string, string];
    const flags = argv.slice(3);
    const old = this.live(key)?.value ?? null;
    if ((flags.includes('NX') && old !== null) || (flags.includes('XX') && old === null)) {
      return flags.includes('GET') ? old : null;
    }
    this.put(key, value, flags.includes('KEEPTTL'));
    const ex = flags.indexOf('EX');
    const px = flags.indexOf('PX');
    if (ex >= 0) this.entries.get(key)!.expireAtMs = this.nowMs + Number(flags[ex + 1]) * 1000;
    if (px >= 0) this.entries.get(key)!.expireAtMs = this.nowMs + Number(flags[px + 1]);
    return flags.includes('GET') ? old : 'OK';
  }
}

/** GETRANGE by brute force: the characters whose index is in the normalised [start, end]. */
function substring(value: string, start: number, end: number): string {
  const n = value.length;
  if (start < 0 && end < 0 && start > end) return '';
  const from = Math.max(0, start < 0 ? n + start : start);
  const to = Math.min(n - 1, Math.max(0, end < 0 ? n + end : end));
  let out = '';
  for (let i = 0; i < n; i++) if (i >= from && i <= to) out += value[i];
  return out;
}

function toBits(value: string): number[] {
  const bits: number[] = [];
  for (const char of value) for (let k = 7; k >= 0; k--) bits.push((char.charCodeAt(0) >> k) & 1);
  return bits;
}

function fromBits(bits: number[]): string {
  let out = '';
  for (let i = 0; i < bits.length; i += 8) {
    let byte = 0;
    for (let k = 0; k < 8; k++) byte = (byte << 1) | bits[i + k]!;
    out += String.fromCharCode(byte);
  }
  return out;
}

const key = fc.constantFrom('a', 'b', 'c');
const value = fc.constantFrom('', 'x', 'hello', '10', '-7', '\xff\x00', '9223372036854775806');
const ttl = fc.integer({ min: 1, max: 50 });
const setFlags = fc.oneof(
  fc.constant<string[]>([]),
  fc.subarray(['NX', 'GET']),
  fc.subarray(['XX', 'GET']),
  ttl.map((n) => ['EX', String(n)]),
  ttl.map((n) => ['PX', String(n * 100)]),
  fc.constant(['KEEPTTL']),
  fc.tuple(fc.constantFrom('NX', 'XX'), ttl).map(([condition, n]) => [condition, 'GET', 'PX', String(n * 70)]),
);

const command: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, value, setFlags).map(([k, v, flags]) => ['SET', k, v, ...flags]),
  key.map((k) => ['GET', k]),
  fc.tuple(key, value).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(fc.constantFrom('SETEX', 'PSETEX'), key, ttl, value).map(([name, k, n, v]) => [name, k, String(name === 'SETEX' ? n : n * 100), v]),
  fc.tuple(key, value).map(([k, v]) => ['GETSET', k, v]),
  key.map((k) => ['GETDEL', k]),
  fc.tuple(key, fc.oneof(fc.constant<string[]>([]), fc.constant(['PERSIST']), ttl.map((n) => ['EX', String(n)]), ttl.map((n) => ['PX', String(n * 100)])))
    .map(([k, options]) => ['GETEX', k, ...options]),
  fc.array(key, { minLength: 1, maxLength: 4 }).map((keys) => ['MGET', ...keys]),
  fc.tuple(fc.constantFrom('MSET', 'MSETNX'), fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }))
    .map(([name, pairs]) => [name, ...pairs.flat()]),
  fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]),
  key.map((k) => ['STRLEN', k]),
  fc.tuple(key, fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 })).map(([k, s, e]) => ['GETRANGE', k, String(s), String(e)]),
  fc.tuple(key, fc.integer({ min: 0, max: 12 }), value).map(([k, offset, v]) => ['SETRANGE', k, String(offset), v]),
  fc.tuple(fc.constantFrom('INCR', 'DECR'), key).map(([name, k]) => [name, k]),
  fc.tuple(fc.constantFrom('INCRBY', 'DECRBY'), key, fc.constantFrom('1', '-3', '100', '9223372036854775807')).map(([name, k, n]) => [name, k, n]),
  fc.tuple(key, fc.integer({ min: 0, max: 40 }), fc.constantFrom('0', '1')).map(([k, offset, bit]) => ['SETBIT', k, String(offset), bit]),
  fc.tuple(key, fc.integer({ min: 0, max: 40 })).map(([k, offset]) => ['GETBIT', k, String(offset)]),
  key.map((k) => ['BITCOUNT', k]),
  key.map((k) => ['PTTL', k]),
  fc.integer({ min: 1, max: 3000 }).map((ms) => ['ADVANCE', String(ms)]),
);

describe('string commands against a Map model', () => {
  it('agree on every reply and on the final data set', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 60 }), (commands) => {
        const h = new EngineHarness();
        const model = new StringModel();
        model.nowMs = h.nowMs;
        for (const argv of commands) {
          if (argv[0] === 'ADVANCE') {
            h.advance(Number(argv[1]));
            model.apply(argv);
            continue;
          }
          const expected = model.apply(argv);
          expect(plain(h.exec(argv).reply), JSON.stringify(argv)).toEqual(expected);
        }
        // Compare live contents (the engine may still hold keys that expired unobserved).
        const live = (h.dump() as [number, string, string, string, number][])
          .filter(([, , , , expireAtMs]) => expireAtMs === 0 || expireAtMs > h.nowMs)
          .map(([, k, , v, expireAtMs]) => [k, v, expireAtMs]);
        const modelLive = [...model.entries.keys()].sort()
          .filter((k) => model.live(k) !== undefined)
          .map((k) => [k, model.entries.get(k)!.value, model.entries.get(k)!.expireAtMs]);
        expect(live).toEqual(modelLive);
      }),
      { numRuns: 300 },
    );
  });
});
