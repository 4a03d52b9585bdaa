import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromPlain, HashValue } from '../../../src/engine/types/hash.js';
import { seededRandom } from '../../helpers/engine.js';

describe('HashValue', () => {
  it('keeps insertion order across deletions while listpack-encoded, as a listpack does', () => {
    const hash = new HashValue();
    for (const field of ['a', 'b', 'c', 'd']) hash.set(field, field.toUpperCase());
    hash.delete('b');
    hash.set('a', 'A2');
    hash.set('b', 'B2');
    expect([...hash.entries()]).toEqual([['a', 'A2'], ['c', 'C'], ['d', 'D'], ['b', 'B2']]);
    expect(hash.encoding()).toBe('listpack');
  });

  it('converts to hashtable beyond 128 fields or 64-byte strings, and never back', () => {
    const hash = new HashValue();
    for (let i = 0; i < 128; i++) hash.set(`f${i}`, 'v');
    expect(hash.encoding()).toBe('listpack');
    hash.set('f128', 'v');
    expect(hash.encoding()).toBe('hashtable');
    for (let i = 0; i < 120; i++) hash.delete(`f${i}`);
    expect(hash.encoding()).toBe('hashtable');
    const long = new HashValue();
    long.set('x', 'v'.repeat(64));
    expect(long.encoding()).toBe('listpack');
    long.set('y', 'v'.repeat(65));
    expect(long.encoding()).toBe('hashtable');
    const longField = new HashValue();
    longField.set('k'.repeat(65), '1');
    expect(longField.encoding()).toBe('hashtable');
    expect(longField.clone().encoding()).toBe('hashtable');
  });

  it('scans a listpack in one step and a hashtable without missing stable fields', () => {
    const small = new HashValue();
    small.set('a', '1');
    small.set('b', '2');
    const seen: string[] = [];
    expect(small.scan(0, 1, (field) => seen.push(field))).toBe(0);
    expect(seen).toEqual(['a', 'b']);

    fc.assert(fc.property(fc.integer({ min: 129, max: 400 }), fc.integer({ min: 1, max: 50 }), fc.integer(), (size, count, seed) => {
      const hash = new HashValue();
      for (let i = 0; i < size; i++) hash.set(`f${i}`, String(i));
      const random = seededRandom(seed);
      const stable = new Set<string>();
      for (let i = 0; i < size; i += 2) stable.add(`f${i}`); // never touched during the scan
      const found = new Set<string>();
      let cursor = 0;
      let steps = 0;
      let extra = size;
      do {
        cursor = hash.scan(cursor, count, (field) => found.add(field));
        // churn: delete and add odd fields between steps
        const victim = `f${1 + 2 * Math.floor(random() * (size / 2))}`;
        hash.delete(victim);
        hash.set(`g${extra++}`, 'new');
        steps++;
      } while (cursor !== 0 && steps < 10_000);
      for (const field of stable) expect(found.has(field)).toBe(true);
    }), { numRuns: 50 });
  });

  it('picks random fields uniformly enough with a seeded random', () => {
    const hash = new HashValue();
    for (let i = 0; i < 200; i++) hash.set(`f${i}`, String(i));
    const random = seededRandom(7);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const [field, value] = hash.randomEntry(random);
      if (hash.get(field) !== value) throw new Error(`random entry ${field} has the wrong value`);
      counts.set(field, (counts.get(field) ?? 0) + 1);
    }
    expect(counts.size).toBe(200);
    for (const count of counts.values()) expect(count).toBeGreaterThan(40);
  });

  it('has a history-independent plain form and round-trips through it', () => {
    const a = new HashValue();
    a.set('b', '2');
    a.set('a', '1');
    const b = new HashValue();
    b.set('a', '1');
    b.set('b', '2');
    expect(a.toPlain()).toEqual(['a', '1', 'b', '2']);
    expect(b.toPlain()).toEqual(a.toPlain());
    expect(fromPlain(a.toPlain()).toPlain()).toEqual(['a', '1', 'b', '2']);
    expect(fromPlain(a.toPlain()).encoding()).toBe('listpack');
    expect(() => fromPlain(['a'])).toThrow();
  });
});
