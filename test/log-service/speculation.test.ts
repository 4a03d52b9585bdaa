// The leader's apply ahead of commit (log-service/node/speculation.ts): whatever it runs ahead,
// skips or loses, a committed entry's result is exactly what applying it then would give.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Speculation } from '../../log-service/node/speculation.js';
import { NamedLogs } from '../../log-service/state/named-logs.js';
import type { LogCommand } from '../../log-service/state/types.js';

const entryAt = (index: number, term = 1) => ({ index, term, data: new Uint8Array(0) });

const command: fc.Arbitrary<LogCommand> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    t: fc.constant('append' as const), log: fc.constantFrom('a', 'b', 'c'), prevLsn: fc.integer({ min: 0, max: 8 }),
    writerId: fc.constant('w'), batchSeq: fc.nat(), payloads: fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength: 3 }),
  }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('mark-snapshot' as const), log: fc.constantFrom('a', 'b'), snapshotLsn: fc.integer({ min: 1, max: 6 }), info: fc.constant(Uint8Array.of(1)) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('trim' as const), log: fc.constantFrom('a', 'b'), beforeLsn: fc.integer({ min: 1, max: 6 }) }) },
);

describe('Speculation', () => {
  it('gives every committed entry the result of applying it at commit, however far it ran ahead or which entries it missed', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.integer({ min: 0, max: 6 }), (commands, speculated, lead) => {
        const reference = new NamedLogs();
        const expected = commands.map((c) => reference.apply(c));
        const applied = new NamedLogs();
        const speculation = new Speculation();
        let next = 0;
        let taken = 0;
        commands.forEach((c, i) => {
          // Proposals run ahead of commit by up to `lead` entries; some are never speculated.
          for (; next < Math.min(commands.length, i + 1 + lead); next++) {
            if (speculated[next]) speculation.run(next + 1, 1, commands[next]!, applied);
          }
          const result = speculation.take(entryAt(i + 1), applied);
          if (result !== null) taken++;
          expect(result ?? applied.apply(c)).toEqual(expected[i]);
        });
        expect(applied.cloneMetas()).toEqual(reference.cloneMetas());
        // Meaningful: with every entry speculated, every result is taken.
        if (speculated.slice(0, commands.length).every(Boolean)) expect(taken).toBe(commands.length);
      }),
      { numRuns: 300 },
    );
  });

  it('declines a result of another term, and one whose log changed without it', () => {
    const applied = new NamedLogs();
    const speculation = new Speculation();
    const append = (prevLsn: number): LogCommand => ({ t: 'append', log: 'a', prevLsn, writerId: 'w', batchSeq: prevLsn, payloads: [Uint8Array.of(prevLsn)] });
    speculation.run(1, 2, append(0), applied);
    expect(speculation.take(entryAt(1, 3), applied)).toBeNull(); // same index, another term's entry
    speculation.run(1, 2, append(0), applied);
    applied.apply(append(0)); // applied without it (e.g. an entry of an earlier term)
    expect(speculation.take(entryAt(1, 2), applied)).toBeNull();
    expect(speculation.size).toBe(0);
  });
});
