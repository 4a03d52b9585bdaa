// The named-log state machine: conditional appends checked at apply time, chained
// checksums, trim guarded by the snapshot marker, and determinism across replicas.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chainChecksum, emptyChainChecksum } from '../../log-service/checksum.js';
import { decodeLogCommand, encodeLogCommand } from '../../log-service/state/log-commands.js';
import { NamedLogs } from '../../log-service/state/named-logs.js';
import type { LogCommand } from '../../log-service/state/types.js';
import { logEntryRange } from '../../log-service/store/keys.js';

const payload = (text: string) => Uint8Array.from(Buffer.from(text));

function append(log: string, prevLsn: number, texts: string[], snapshotLsn?: number): LogCommand {
  return { t: 'append', log, prevLsn, writerId: 'w1', batchSeq: 1, payloads: texts.map(payload), ...(snapshotLsn === undefined ? {} : { snapshotLsn }) };
}

/** The checksum as specified, written independently: SHA-256(prev ‖ lsn BE64 ‖ payload)[0..16). */
function referenceChecksum(previous: Uint8Array, lsn: number, data: Uint8Array): Buffer {
  const lsnBytes = Buffer.alloc(8);
  lsnBytes.writeBigUInt64BE(BigInt(lsn));
  return createHash('sha256').update(previous).update(lsnBytes).update(data).digest().subarray(0, 16);
}

describe('chained checksum', () => {
  it('matches the specified construction, including LSNs above 2^32', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ maxLength: 300 }), (previous, lsn, data) => {
        expect(Buffer.from(chainChecksum(previous, lsn, data))).toEqual(referenceChecksum(previous, lsn, data));
      }),
    );
    expect(Buffer.from(emptyChainChecksum)).toEqual(Buffer.alloc(16));
  });
});

describe('NamedLogs', () => {
  it('appends only when the tail equals prevLsn, and chains the checksum', () => {
    const logs = new NamedLogs();
    const first = logs.apply(append('s1', 0, ['a', 'b']));
    expect(first.outcome).toMatchObject({ ok: true, firstLsn: 1, lastLsn: 2 });
    const expected = referenceChecksum(referenceChecksum(new Uint8Array(16), 1, payload('a')), 2, payload('b'));
    expect(Buffer.from(logs.meta('s1').checksum)).toEqual(Buffer.from(expected));
    expect(logs.apply(append('s1', 1, ['c'])).outcome).toEqual({ ok: false, code: 'LOG_CONFLICT', tailLsn: 2 });
    expect(logs.apply(append('s1', 2, ['c'])).outcome).toMatchObject({ ok: true, firstLsn: 3, lastLsn: 3 });
    // Logs are independent.
    expect(logs.apply(append('s2', 0, ['z'])).outcome).toMatchObject({ ok: true, firstLsn: 1 });
    expect(logs.meta('s1').tailLsn).toBe(3);
  });

  it('a rejected batch makes the pipelined batch after it fail too, by prevChecksum', () => {
    const logs = new NamedLogs();
    logs.apply(append('s', 0, ['other']));
    const k = logs.apply(append('s', 0, ['mine-1']));
    // prevLsn alone: k+1 expected k's entry at LSN 1, finds the other writer's there, and would
    // commit on top of it.
    expect(k.outcome.ok).toBe(false);
    expect(logs.apply(append('s', 1, ['mine-2'])).outcome.ok).toBe(true);
    // With the checksum the writer computed for its own entry at LSN 1, it conflicts.
    const strict = new NamedLogs();
    strict.apply(append('s', 0, ['other']));
    expect(strict.apply(append('s', 0, ['mine-1'])).outcome.ok).toBe(false);
    const mine1 = chainChecksum(emptyChainChecksum, 1, payload('mine-1'));
    expect(strict.apply({ ...append('s', 1, ['mine-2']), prevChecksum: mine1 } as LogCommand).outcome).toEqual({ ok: false, code: 'LOG_CONFLICT', tailLsn: 1 });
    // The right checksum (the other writer's entry) is accepted: the check is exact, not a refusal.
    const other = chainChecksum(emptyChainChecksum, 1, payload('other'));
    expect(strict.apply({ ...append('s', 1, ['next']), prevChecksum: other } as LogCommand).outcome).toMatchObject({ ok: true, firstLsn: 2 });
    // The field survives the Raft command encoding; a malformed one is not a command.
    const encoded = decodeLogCommand(encodeLogCommand({ ...append('s', 2, ['z']), prevChecksum: mine1 } as LogCommand));
    expect(encoded).toMatchObject({ prevLsn: 2 });
    expect(Buffer.from((encoded as { prevChecksum: Uint8Array }).prevChecksum)).toEqual(Buffer.from(mine1));
    expect(decodeLogCommand(encodeLogCommand({ ...append('s', 2, ['z']), prevChecksum: new Uint8Array(3) } as LogCommand))).toBeNull();
  });

  it('refuses trims above the snapshot marker and trims below it', () => {
    const logs = new NamedLogs();
    logs.apply(append('s', 0, ['1', '2', '3', '4', '5']));
    expect(logs.apply({ t: 'trim', log: 's', beforeLsn: 2 }).outcome).toMatchObject({ ok: false, code: 'LOG_TRIM_REFUSED', snapshotLsn: 0 });
    // A batch recording a snapshot covering LSN 3.
    expect(logs.apply(append('s', 5, ['snapshot-marker'], 3)).outcome.ok).toBe(true);
    expect(logs.meta('s').snapshotLsn).toBe(3);
    expect(logs.apply({ t: 'trim', log: 's', beforeLsn: 5 }).outcome).toMatchObject({ ok: false, code: 'LOG_TRIM_REFUSED', snapshotLsn: 3 });
    const trimmed = logs.apply({ t: 'trim', log: 's', beforeLsn: 4 });
    expect(trimmed.outcome).toEqual({ ok: true, firstLsn: 4 });
    // The entries below are not deleted in the apply batch: they are handed to the sweeper.
    expect(trimmed.ops.some((op) => op.type !== 'put')).toBe(false);
    expect(trimmed.unreachable).toEqual(logEntryRange('s', 1, 4));
    expect(logs.meta('s')).toMatchObject({ firstLsn: 4, tailLsn: 6 });
    // Trimming again below the trim point is a no-op success.
    expect(logs.apply({ t: 'trim', log: 's', beforeLsn: 2 }).outcome).toEqual({ ok: true, firstLsn: 4 });
    // A snapshot marker above prevLsn is malformed and changes nothing.
    expect(logs.apply(append('s', 6, ['bad'], 9)).outcome).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(logs.meta('s').tailLsn).toBe(6);
  });

  it('round-trips commands through the Raft payload encoding and rejects garbage', () => {
    const command = append('log/a', 7, ['x', 'y'], 3);
    expect(decodeLogCommand(encodeLogCommand(command))).toMatchObject({ t: 'append', log: 'log/a', prevLsn: 7, snapshotLsn: 3 });
    expect(decodeLogCommand(Uint8Array.of(0xc1))).toBeNull();
    expect(decodeLogCommand(encodeLogCommand({ t: 'nope' } as unknown as LogCommand))).toBeNull();
  });

  it("takes a leader's checksum chain only when it chains from the log's own checksum at prevLsn", () => {
    const leader = new NamedLogs();
    leader.apply(append('s', 0, ['a']));
    const next = append('s', 1, ['b', 'c']);
    const chain = leader.apply(next).chain!;
    const c1 = referenceChecksum(new Uint8Array(16), 1, payload('a'));
    const c2 = referenceChecksum(c1, 2, payload('b'));
    expect(Buffer.from(chain.basis)).toEqual(c1);
    expect(Buffer.from(chain.checksums)).toEqual(Buffer.concat([c2, referenceChecksum(c2, 3, payload('c'))]));
    const follower = () => {
      const logs = new NamedLogs();
      logs.apply(append('s', 0, ['a']));
      return logs;
    };
    const plain = follower().apply(next);
    expect(plain.hashed).toBe(true);
    // From the right checksum: the same outcome and the same stored bytes as hashing, unhashed.
    expect(follower().apply(next, { chain })).toEqual({ ...plain, hashed: false });
    // From the right checksum, other checksums: taken as given (the path that skips hashing).
    const marked = Uint8Array.from(chain.checksums).fill(7, 16);
    expect(follower().apply(next, { chain: { basis: chain.basis, checksums: marked } }).outcome).toMatchObject({ ok: true, checksum: new Uint8Array(16).fill(7) });
    // From another checksum, or not one per entry: ignored, the node hashes.
    expect(follower().apply(next, { chain: { basis: new Uint8Array(16).fill(1), checksums: marked } })).toEqual(plain);
    expect(follower().apply(next, { chain: { basis: chain.basis, checksums: marked.subarray(16) } })).toEqual(plain);
  });

  it('is deterministic: replicas applying the same commands agree on every outcome and checksum', () => {
    const command = fc.oneof(
      fc.record({ t: fc.constant('append' as const), log: fc.constantFrom('a', 'b'), prevLsn: fc.integer({ min: 0, max: 8 }), writerId: fc.constant('w'), batchSeq: fc.nat(), payloads: fc.array(fc.uint8Array({ maxLength: 4 }), { minLength: 1, maxLength: 3 }), snapshotLsn: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }) }),
      fc.record({ t: fc.constant('trim' as const), log: fc.constantFrom('a', 'b'), beforeLsn: fc.integer({ min: 0, max: 10 }) }),
      fc.record({ t: fc.constant('mark-snapshot' as const), log: fc.constantFrom('a', 'b'), snapshotLsn: fc.integer({ min: 0, max: 8 }), info: fc.uint8Array({ maxLength: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        // Every replica starts from one entry per log; a leader gone astray from another one of
        // the same length, so the chains it computes never start from the replicas' checksums
        // (the same tails, other histories) and must be ignored.
        const seeded = (text: string) => {
          const logs = new NamedLogs();
          for (const log of ['a', 'b']) logs.apply(append(log, 0, [text]));
          return logs;
        };
        const one = seeded('x');
        const two = seeded('x');
        const leader = seeded('x');
        const astray = seeded('y');
        const bytesOf = (applied: { ops: Array<{ type: string; value?: Uint8Array }> }) => applied.ops.map((op) => (op.value ? Buffer.from(op.value).toString('hex') : op.type));
        commands.forEach((c, i) => {
          const clean = JSON.parse(JSON.stringify(c, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));
          if (clean.payloads) clean.payloads = clean.payloads.map((p: number[]) => Uint8Array.from(p));
          if (clean.info) clean.info = Uint8Array.from(clean.info);
          const encoded = encodeLogCommand(clean);
          const a = one.apply(c as LogCommand, { encoded });
          // The second replica takes the checksum chains a leader applying ahead computed, or
          // (every other command) those of the leader gone astray.
          const ours = leader.apply(c as LogCommand).chain;
          const theirs = astray.apply(c as LogCommand).chain;
          const chain = i % 2 === 0 ? ours : theirs;
          const b = two.apply(decodeLogCommand(encoded)!, { encoded, chain });
          expect(b.outcome).toEqual(a.outcome);
          expect(bytesOf(b)).toEqual(bytesOf(a)); // the same stored bytes, chain taken or not
        });
        for (const log of ['a', 'b']) {
          const meta = one.meta(log);
          const comparable = (m: typeof meta) => ({ ...m, checksum: Buffer.from(m.checksum).toString('hex'), snapshotInfo: m.snapshotInfo ? Buffer.from(m.snapshotInfo).toString('hex') : null });
          expect(comparable(two.meta(log))).toEqual(comparable(meta));
          expect(meta.firstLsn).toBeLessThanOrEqual(meta.tailLsn + 1);
          expect(meta.snapshotLsn).toBeLessThanOrEqual(meta.tailLsn);
        }
      }),
      { numRuns: 200 },
    );
  });
});
