import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertScheduleSafe, logNodesAffected, parseFaultKinds, planSchedule } from './schedule.js';

describe('planSchedule', () => {
  it('is a pure function of the seed', () => {
    const a = planSchedule(42, ['kill', 'pause', 'partition'], { runMs: 120_000, intervalMs: 10_000, combine: true });
    const b = planSchedule(42, ['kill', 'pause', 'partition'], { runMs: 120_000, intervalMs: 10_000, combine: true });
    const c = planSchedule(43, ['kill', 'pause', 'partition'], { runMs: 120_000, intervalMs: 10_000, combine: true });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBeGreaterThan(3);
  });

  it('starts quiet, ends healed, and never affects two log nodes at once', () => {
    fc.assert(fc.property(fc.nat(), fc.boolean(), fc.subarray(['kill', 'pause', 'partition', 'delay', 'reset'] as const, { minLength: 1 }), (seed, combine, kinds) => {
      const runMs = 60_000;
      const faults = planSchedule(seed, kinds, { runMs, intervalMs: 5_000, combine });
      for (const f of faults) {
        expect(f.startMs).toBeGreaterThanOrEqual(2_500);
        expect(f.endMs).toBeLessThanOrEqual(runMs - 2_500);
        expect(kinds).toContain(f.plan.kind);
      }
      expect(() => assertScheduleSafe(faults, false)).not.toThrow();
    }), { numRuns: 200 });
  });

  it('two-log-down is its own scenario and the safety check catches overlap', () => {
    const faults = planSchedule(1, ['two-log-down'], { runMs: 60_000, intervalMs: 10_000, combine: false });
    expect(faults.every((f) => logNodesAffected(f.plan) === 2)).toBe(true);
    expect(() => planSchedule(1, ['two-log-down', 'kill'], { runMs: 60_000, intervalMs: 10_000, combine: false })).toThrow();
    const overlapping = [
      { startMs: 0, endMs: 10, plan: { kind: 'kill' as const, target: 'log-one' as const } },
      { startMs: 5, endMs: 8, plan: { kind: 'partition' as const, target: 'log-link' as const } },
    ];
    expect(() => assertScheduleSafe(overlapping, false)).toThrow(/2 log nodes/);
  });

  it('parses fault lists', () => {
    expect(parseFaultKinds('kill,pause,partition')).toEqual(['kill', 'pause', 'partition']);
    expect(parseFaultKinds('none')).toEqual([]);
    expect(() => parseFaultKinds('kill,explode')).toThrow(/explode/);
  });
});
