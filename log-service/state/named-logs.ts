// The replicated state machine: many named logs. apply() is deterministic — the same
// command sequence gives the same logs, checksums and outcomes on every node — and returns
// the store operations that the driver writes, in the same sync batch as the applied index.

import { assert } from '../assert.js';
import { chainChecksums, checksumBytes, emptyChainChecksum, sameChecksum } from '../checksum.js';
import { decode, encode } from '../codec.js';
import type { StoreOp } from '../store/log-store.js';
import { logEntryKey, logEntryRange, logMetaKey } from '../store/keys.js';
import { encodeEntryRecord } from './entry-records.js';
import { encodeLogCommand } from './log-commands.js';
import {
  isLsn,
  type AppendCommand,
  type AppendOutcome,
  type CommandOutcome,
  type LogCommand,
  type LogMeta,
  type MarkSnapshotCommand,
  type TrimCommand,
} from './types.js';

export function emptyLogMeta(): LogMeta {
  return { firstLsn: 1, tailLsn: 0, checksum: emptyChainChecksum, snapshotLsn: 0 };
}

export interface Applied {
  outcome: CommandOutcome;
  ops: StoreOp[];
  /** The log whose committed tail or trim point moved (for subscribers), if any. */
  changedLog?: string;
  /**
   * Stored keys this command made unreachable (a trim's entries). They are not in `ops`: the
   * driver deletes them in the background once `ops` are written (node/sweeper.ts).
   */
  unreachable?: { gte: Uint8Array; lt: Uint8Array };
  /** An applied append's checksum chain (a leader sends it to its followers: node/chain-hints.ts). */
  chain?: ChecksumChain;
  /** Whether this apply hashed the payloads itself (false: it took the given chain). */
  hashed?: boolean;
}

/**
 * The running checksums of an append's entries (`checksums`, checksumBytes each, in LSN order)
 * and the log's checksum they chain from (`basis`, the one at prevLsn).
 */
export interface ChecksumChain {
  basis: Uint8Array;
  checksums: Uint8Array;
}

export function encodeLogMeta(meta: LogMeta): Uint8Array {
  return encode(meta);
}

export function decodeLogMeta(bytes: Uint8Array): LogMeta {
  const meta = decode(bytes) as LogMeta;
  assert(isLsn(meta.firstLsn) && isLsn(meta.tailLsn) && meta.firstLsn <= meta.tailLsn + 1, 'corrupt log meta');
  return {
    firstLsn: meta.firstLsn,
    tailLsn: meta.tailLsn,
    checksum: Uint8Array.from(meta.checksum),
    snapshotLsn: meta.snapshotLsn,
    ...(meta.snapshotInfo ? { snapshotInfo: Uint8Array.from(meta.snapshotInfo) } : {}),
  };
}

export class NamedLogs {
  private readonly metas = new Map<string, LogMeta>();

  /** Loads the state from the store's metadata records (entries stay in the store). */
  static fromMetas(metas: Iterable<[string, LogMeta]>): NamedLogs {
    const logs = new NamedLogs();
    for (const [name, meta] of metas) logs.metas.set(name, meta);
    return logs;
  }

  meta(log: string): LogMeta {
    return this.metas.get(log) ?? emptyLogMeta();
  }

  /** The log's meta object itself (undefined if the log does not exist yet). */
  peek(log: string): LogMeta | undefined {
    return this.metas.get(log);
  }

  /** Installs a meta computed by apply() on a copy of this state (node/speculation.ts). */
  adopt(log: string, meta: LogMeta): void {
    this.metas.set(log, meta);
  }

  /** A copy sharing the (immutable) meta objects. */
  clone(): NamedLogs {
    return NamedLogs.fromMetas(this.metas);
  }

  has(log: string): boolean {
    return this.metas.has(log);
  }

  /** A copy of every log's metadata (for snapshots and status). */
  cloneMetas(): Map<string, LogMeta> {
    return new Map(this.metas);
  }

  names(): string[] {
    return [...this.metas.keys()].sort();
  }

  get size(): number {
    return this.metas.size;
  }

  /**
   * Applies a command. `given.encoded` is the command's bytes as the Raft log carries them
   * (stored in the entry record as they are; encoded here when not given). `given.chain` is an
   * append's checksum chain as its leader computed it: taken instead of hashing when it chains
   * from this log's checksum and covers every entry.
   */
  apply(command: LogCommand, given: { encoded?: Uint8Array; chain?: ChecksumChain } = {}): Applied {
    if (command.t === 'append') return this.applyAppend(command, given.encoded, given.chain);
    if (command.t === 'trim') return this.applyTrim(command);
    return this.applyMarkSnapshot(command);
  }

  private applyAppend(command: AppendCommand, encoded: Uint8Array | undefined, given: ChecksumChain | undefined): Applied {
    const meta = this.meta(command.log);
    if (command.prevLsn !== meta.tailLsn || (command.prevChecksum !== undefined && !sameChecksum(command.prevChecksum, meta.checksum))) {
      return { outcome: { ok: false, code: 'LOG_CONFLICT', tailLsn: meta.tailLsn }, ops: [] };
    }
    if (command.payloads.length === 0) {
      return { outcome: { ok: false, code: 'BAD_REQUEST', message: 'append of no entries' }, ops: [] };
    }
    if (command.snapshotLsn !== undefined && command.snapshotLsn > command.prevLsn) {
      return { outcome: { ok: false, code: 'BAD_REQUEST', message: 'snapshotLsn above prevLsn' }, ops: [] };
    }
    const firstLsn = meta.tailLsn + 1;
    const lsn = meta.tailLsn + command.payloads.length;
    // A chain from this very checksum is what hashing would give: the chain is a function of
    // the checksum it starts from, the LSNs and the payloads. Taking it changes only the cost.
    const usable = given !== undefined && given.checksums.length === command.payloads.length * checksumBytes && sameChecksum(given.basis, meta.checksum);
    const checksums = usable ? given.checksums : chainChecksums(meta.checksum, firstLsn, command.payloads);
    // A copy (not Buffer's slice, a view): the meta keeps its 16 bytes, not the whole chain.
    const checksum = Uint8Array.from(checksums.subarray(checksums.length - checksumBytes));
    const record = encodeEntryRecord({ firstLsn, command: encoded ?? encodeLogCommand(command), entryCount: command.payloads.length, checksums });
    const ops: StoreOp[] = [{ type: 'put', key: logEntryKey(command.log, lsn), value: record }];
    const next: LogMeta = {
      ...meta,
      tailLsn: lsn,
      checksum,
      snapshotLsn: Math.max(meta.snapshotLsn, command.snapshotLsn ?? 0),
    };
    this.metas.set(command.log, next);
    ops.push({ type: 'put', key: logMetaKey(command.log), value: encodeLogMeta(next) });
    const outcome: AppendOutcome = { ok: true, firstLsn, lastLsn: lsn, checksum };
    return { outcome, ops, changedLog: command.log, chain: { basis: meta.checksum, checksums }, hashed: !usable };
  }

  private applyMarkSnapshot(command: MarkSnapshotCommand): Applied {
    const meta = this.meta(command.log);
    if (command.snapshotLsn > meta.tailLsn) {
      return { outcome: { ok: false, code: 'BAD_REQUEST', message: `snapshotLsn ${command.snapshotLsn} above the tail ${meta.tailLsn}` }, ops: [] };
    }
    if (command.snapshotLsn <= meta.snapshotLsn) return { outcome: { ok: true, snapshotLsn: meta.snapshotLsn }, ops: [] };
    const next: LogMeta = { ...meta, snapshotLsn: command.snapshotLsn, snapshotInfo: command.info };
    this.metas.set(command.log, next);
    return {
      outcome: { ok: true, snapshotLsn: command.snapshotLsn },
      ops: [{ type: 'put', key: logMetaKey(command.log), value: encodeLogMeta(next) }],
      changedLog: command.log,
    };
  }

  /**
   * Trim keeps each retained entry's own checksum, so the chain stays checkable from firstLsn.
   * It only moves firstLsn: reads below it are refused from then on, and the entries below are
   * deleted in the background (`unreachable`).
   */
  private applyTrim(command: TrimCommand): Applied {
    const meta = this.meta(command.log);
    if (command.beforeLsn > meta.snapshotLsn + 1) {
      return {
        outcome: { ok: false, code: 'LOG_TRIM_REFUSED', snapshotLsn: meta.snapshotLsn, tailLsn: meta.tailLsn },
        ops: [],
      };
    }
    if (command.beforeLsn <= meta.firstLsn) return { outcome: { ok: true, firstLsn: meta.firstLsn }, ops: [] };
    const next: LogMeta = { ...meta, firstLsn: command.beforeLsn };
    this.metas.set(command.log, next);
    return {
      outcome: { ok: true, firstLsn: command.beforeLsn },
      ops: [{ type: 'put', key: logMetaKey(command.log), value: encodeLogMeta(next) }],
      changedLog: command.log,
      unreachable: logEntryRange(command.log, meta.firstLsn, command.beforeLsn),
    };
  }
}
