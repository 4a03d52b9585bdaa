// What a database node writes into its shard's log, one record per log entry. Effects carry
// the data; the others carry the shard's control plane (who is primary, until when), so that
// every decision about roles is ordered with the data in the same log.
import { pack, unpack } from 'msgpackr';
import type { Effect, EffectBatch } from '../engine/effects.js';
import { assert } from '../util/assert.js';

export const recordFormatVersion = 1;

export type ShardRecord =
  /** A batch of effects (one command, one transaction, one expiry sweep): applied atomically. */
  | { t: 'effects'; batch: EffectBatch; /** the primary's clock when written (lag reporting only) */ ms?: number }
  /** A primary announces itself (its RESP address) and its epoch. */
  | { t: 'leader'; nodeId: string; addr: string; epoch: number }
  /** A primary renews its lease: no other node may campaign before leaseMs after seeing this. */
  | { t: 'lease'; nodeId: string; epoch: number; leaseMs: number }
  /** A primary hands over to `to` (planned failover): `to` may campaign at once. */
  | { t: 'handoff'; nodeId: string; epoch: number; to: string }
  /** Start of a primary's epoch (as Raft's no-op): everything before it is settled. */
  | { t: 'noop'; nodeId: string; epoch: number }
  /** A verified snapshot covers the log up to lsn. */
  | { t: 'snapshot'; lsn: number; location: string; checksum: string };

/** Effects travel as [db, ...argv] arrays: compact, and msgpack keeps latin1 strings exact. */
type WireRecord = { v: number } & (
  | { t: 'effects'; b: [number, ...string[]][]; ms?: number }
  | Exclude<ShardRecord, { t: 'effects' }>
);

export function encodeRecord(record: ShardRecord): Uint8Array {
  if (record.t === 'effects') {
    const rows: (number | string)[][] = new Array(record.batch.length);
    for (let i = 0; i < record.batch.length; i++) {
      const { db, argv } = record.batch[i]!;
      const row: (number | string)[] = new Array(argv.length + 1);
      row[0] = db;
      for (let j = 0; j < argv.length; j++) row[j + 1] = argv[j]!;
      rows[i] = row;
    }
    return pack({ v: recordFormatVersion, t: 'effects', b: rows, ms: record.ms });
  }
  return pack({ v: recordFormatVersion, ...record });
}

export function decodeRecord(payload: Uint8Array): ShardRecord {
  const wire = unpack(payload) as WireRecord;
  assert(wire !== null && typeof wire === 'object' && typeof wire.t === 'string', 'log record is not an object with a type');
  assert(wire.v === recordFormatVersion, `log record format ${String(wire.v)} is not supported (expected ${recordFormatVersion})`);
  if (wire.t === 'effects') {
    const batch: Effect[] = wire.b.map(([db, ...argv]) => ({ db, argv }));
    return { t: 'effects', batch, ms: wire.ms };
  }
  const { v: _version, ...record } = wire;
  return record as ShardRecord;
}
