import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromPlain, ListValue, listpackEntryBytes, newList } from '../../../src/engine/types/list.js';

type Op =
  | { op: 'pushHead' | 'pushTail'; value: string }
  | { op: 'popHead' | 'popTail' }
  | { op: 'insertAt'; at: number; value: string }
  | { op: 'set'; at: number; value: string }
  | { op: 'removeMatching'; value: string; limit: number; fromTail: boolean }
  | { op: 'removeHead' | 'removeTail'; n: number }
  | { op: 'pushManyHead' | 'pushManyTail'; n: number; value: string };

const element = fc.constantFrom('a', 'b', 'c', '1', '-7', 'xyz', '', 'L'.repeat(1500));
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('pushHead' as const), value: element }),
  fc.record({ op: fc.constant('pushTail' as const), value: element }),
  fc.record({ op: fc.constant('pushTail' as const), value: element }),
  fc.record({ op: fc.constant('popHead' as const) }),
  fc.record({ op: fc.constant('popTail' as const) }),
  fc.record({ op: fc.constant('insertAt' as const), at: fc.nat(1000), value: element }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(1000), value: element }),
  fc.record({ op: fc.constant('removeMatching' as const), value: element, limit: fc.nat(3), fromTail: fc.boolean() }),
  fc.record({ op: fc.constant('removeHead' as const), n: fc.nat(150) }),
  fc.record({ op: fc.constant('removeTail' as const), n: fc.nat(150) }),
  // long runs so lists span several segments (128 elements / 8 KiB each)
  fc.record({ op: fc.constant('pushManyHead' as const), n: fc.nat(300), value: fc.constantFrom('m', '42', 'mm') }),
  fc.record({ op: fc.constant('pushManyTail' as const), n: fc.nat(300), value: fc.constantFrom('m', '42', 'mm') }),
);

/** Applies one op to the list and to a plain array model; returns what the op returned on each. */
function apply(list: ListValue, model: string[], step: Op): [unknown, unknown] {
  switch (step.op) {
    case 'pushHead': list.pushHead(step.value); model.unshift(step.value); return [0, 0];
    case 'pushTail': list.pushTail(step.value); model.push(step.value); return [0, 0];
    case 'popHead': return [list.popHead(), model.shift()];
    case 'popTail': return [list.popTail(), model.pop()];
    case 'insertAt': {
      const at = Math.min(step.at, model.length);
      list.insertAt(at, step.value);
      model.splice(at, 0, step.value);
      return [0, 0];
    }
    case 'set': {
      if (model.length === 0) return [0, 0];
      const at = step.at % model.length;
      list.set(at, step.value);
      model[at] = step.value;
      return [0, 0];
    }
    case 'removeMatching': {
      const removed = list.removeMatching(step.value, step.limit, step.fromTail);
      let expected = 0;
      const order = step.fromTail ? [...model.keys()].reverse() : [...model.keys()];
      const drop = new Set<number>();
      for (const i of order) {
        if (model[i] === step.value && (step.limit === 0 || expected < step.limit)) { drop.add(i); expected++; }
      }
      const kept = model.filter((_, i) => !drop.has(i));
      model.length = 0;
      model.push(...kept);
      return [removed, expected];
    }
    case 'pushManyHead':
      for (let i = 0; i < step.n; i++) { list.pushHead(`${step.value}${i}`); model.unshift(`${step.value}${i}`); }
      return [0, 0];
    case 'pushManyTail':
      for (let i = 0; i < step.n; i++) { list.pushTail(`${step.value}${i}`); model.push(`${step.value}${i}`); }
      return [0, 0];
    case 'removeHead': {
      const n = Math.min(step.n, model.length);
      list.removeHead(n);
      model.splice(0, n);
      return [0, 0];
    }
    case 'removeTail': {
      const n = Math.min(step.n, model.length);
      list.removeTail(n);
      model.splice(model.length - n, n);
      return [0, 0];
    }
  }
}

describe('ListValue (packed segments)', () => {
  it('behaves as an array under random operations, and keeps its byte count exact', () => {
    fc.assert(fc.property(fc.array(opArbitrary, { minLength: 10, maxLength: 120, size: 'max' }), (ops) => {
      const list = newList();
      const model: string[] = [];
      for (const step of ops) {
        const [got, expected] = apply(list, model, step);
        expect(got).toEqual(expected);
        expect(list.size).toBe(model.length);
      }
      list.assertValid();
      expect(list.toArray()).toEqual(model);
      const byIndex: string[] = [];
      for (let i = 0; i < model.length; i += Math.max(1, Math.floor(model.length / 50))) byIndex.push(list.at(i));
      expect(byIndex).toEqual(model.filter((_, i) => i % Math.max(1, Math.floor(model.length / 50)) === 0));
      const bytes = 7 + model.reduce((sum, value) => sum + listpackEntryBytes(value), 0);
      expect(list.listpackBytes()).toBe(bytes);
      expect(list.clone().toArray()).toEqual(model);
      list.assertValid();
    }), { numRuns: 120 });
  });

  it('packs elements into full segments, and gives segments back as it drains', () => {
    const list = newList();
    for (let i = 0; i < 100_000; i++) list.pushTail(String(i));
    expect(list.segmentCount).toBe(Math.ceil(100_000 / 128));
    expect(list.at(99_999)).toBe('99999');
    let mismatches = 0;
    for (let i = 0; i < 99_990; i++) if (list.popHead() !== String(i)) mismatches++;
    expect(mismatches).toBe(0);
    expect(list.segmentCount).toBeLessThanOrEqual(2);
    list.assertValid();
    expect(list.toArray()).toEqual(['99990', '99991', '99992', '99993', '99994', '99995', '99996', '99997', '99998', '99999']);
  });

  it('pushes and pops at both ends in O(1): 200k operations on a 200k list stay fast', () => {
    const list = newList();
    for (let i = 0; i < 200_000; i++) list.pushHead('x');
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) {
      list.pushHead('y');
      list.popTail();
    }
    // Array.shift on a 200k array would take seconds here.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(list.size).toBe(200_000);
  });

  it('keeps a large element in a segment of its own, at its exact size', () => {
    const list = newList();
    for (let i = 0; i < 40; i++) list.pushTail(`s${i}`); // packed (beyond the small-list size)
    const big = 'B'.repeat(5 * 1024 * 1024);
    list.pushTail(big);
    list.pushTail('after');
    list.pushHead(big);
    list.set(20, 'mid');
    list.insertAt(41, 'x');
    list.assertValid();
    expect(list.size).toBe(44);
    expect(list.at(0)).toBe(big);
    expect(list.at(42)).toBe(big);
    expect(list.range(40, 43)).toEqual(['s39', 'x', big, 'after']);
    expect(list.popTail()).toBe('after');
    expect(list.popTail()).toBe(big);
    expect(list.popHead()).toBe(big);
    list.assertValid();
  });

  it('computes listpack entry sizes as Redis does', () => {
    expect(listpackEntryBytes('0')).toBe(2); // 7-bit uint + backlen
    expect(listpackEntryBytes('127')).toBe(2);
    expect(listpackEntryBytes('128')).toBe(3); // 13-bit int
    expect(listpackEntryBytes('-4096')).toBe(3);
    expect(listpackEntryBytes('4096')).toBe(4); // 16-bit
    expect(listpackEntryBytes('100000')).toBe(5); // 24-bit
    expect(listpackEntryBytes('10000000')).toBe(6); // 32-bit
    expect(listpackEntryBytes('10000000000')).toBe(10); // 64-bit
    expect(listpackEntryBytes('01')).toBe(4); // leading zero: a string
    expect(listpackEntryBytes('')).toBe(2);
    expect(listpackEntryBytes('a'.repeat(63))).toBe(65);
    expect(listpackEntryBytes('a'.repeat(64))).toBe(67);
    expect(listpackEntryBytes('a'.repeat(126))).toBe(130); // entry of 128 bytes: 2-byte backlen
    expect(listpackEntryBytes('a'.repeat(4096))).toBe(4096 + 5 + 2);
  });

  it('reports listpack until 8 KiB, quicklist beyond, and listpack again only below 4 KiB', () => {
    const list = newList();
    const element = 'e'.repeat(100); // 103 bytes per entry
    while (list.listpackBytes() + 100 <= 8192) {
      list.noteGrowth(100);
      list.pushTail(element);
    }
    expect(list.encoding()).toBe('listpack');
    list.noteGrowth(100);
    list.pushTail(element);
    expect(list.encoding()).toBe('quicklist');
    while (list.listpackBytes() > 4096) {
      list.popHead();
      list.noteShrink();
      if (list.listpackBytes() > 4096) expect(list.encoding()).toBe('quicklist');
    }
    expect(list.encoding()).toBe('listpack');
    expect(list.clone().encoding()).toBe('listpack');
  });

  it('round-trips through its plain form, choosing the encoding by size', () => {
    const small = fromPlain(['a', 'b', '3']);
    expect(small.toPlain()).toEqual(['a', 'b', '3']);
    expect(small.encoding()).toBe('listpack');
    const big = fromPlain(Array.from({ length: 1000 }, (_, i) => `element-${i}`));
    expect(big.encoding()).toBe('quicklist');
    expect(big.at(999)).toBe('element-999');
    expect(() => fromPlain([])).toThrow();
    expect(() => fromPlain([1])).toThrow();
  });
});
