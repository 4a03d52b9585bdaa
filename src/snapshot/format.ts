// The snapshot file (DESIGN.md §5): a header frame, chunk frames of msgpackr-encoded records,
// and a trailer frame holding the checksum of the whole body. Chunks are optionally sealed
// with AES-256-GCM; the header and trailer stay in clear (they hold no data, and a reader must
// be able to say "wrong key" or "corrupt" without decrypting anything).
//
// A record is [db, key, kind, plain, expireAtMs] (valueToPlain's canonical form): every type
// and every TTL round-trips exactly, including keys whose TTL has passed but whose DEL the
// primary has not written yet (the snapshot is the state at its LSN, not at read time).
import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import type { Engine } from '../engine/engine.js';
import { valueFromPlain, valueToPlain, type PlainValue } from '../engine/types/codec.js';
import type { Value } from '../engine/types/values.js';
import type { EncryptionKey } from './encryption.js';
import { SnapshotError } from './errors.js';
import { encodeFrame, FrameKind, FrameReader } from './frames.js';
import type { SnapshotLimits } from './limits.js';

export const snapshotFormatVersion = 1;
const magic = 'keel-snapshot';

export interface SnapshotHeader {
  formatVersion: number;
  shard: number;
  /** The snapshot holds the state after applying the log up to and including this LSN. */
  lsn: number;
  /** The log's running checksum at lsn (hex); the empty chain for lsn 0. */
  logChecksum: string;
  createdAtMs: number;
  keyCount: number;
  databases: number;
  /** null: chunks in clear. */
  encryption: { algorithm: 'aes-256-gcm'; keyId: string } | null;
  /**
   * The shard's control state at lsn (highest epoch, last named primary): the leader records
   * that carried it may be trimmed away with the log prefix.
   */
  control?: { epoch: number; primary: { nodeId: string; addr: string; epoch: number } | null };
  /** Set by `keel restore`: where this state came from (a restored snapshot restarts at LSN 0 of a new log). */
  restoredFrom?: { location: string; shard: number; lsn: number; logChecksum: string };
}

export interface SnapshotTrailer {
  chunkCount: number;
  keyCount: number;
  /** SHA-256 over every chunk frame as stored, truncated to 16 bytes, hex. */
  bodyChecksum: string;
}

export type SnapshotRecord = [db: number, key: string, kind: PlainValue[0], plain: unknown, expireAtMs: number];

// Records keep latin1 strings exact (msgpack strings round-trip any code point); no
// structured-clone extensions, so the format is plain msgpack any tool can read.
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

export interface EncodeProgress {
  keys: number;
  bytes: number;
}

/**
 * The snapshot of `engine` as a stream of byte blocks. The trailer's checksum comes last; the
 * caller learns it from `result` once the stream is drained.
 */
export function encodeSnapshot(
  engine: Engine,
  meta: Omit<SnapshotHeader, 'formatVersion' | 'keyCount' | 'databases' | 'encryption'>,
  options: { key: EncryptionKey | null; limits: SnapshotLimits; onProgress?: (progress: EncodeProgress) => void },
): { header: SnapshotHeader; stream: AsyncIterable<Uint8Array>; result: () => SnapshotTrailer } {
  const header: SnapshotHeader = {
    formatVersion: snapshotFormatVersion, ...meta, keyCount: engine.keyCount(), databases: engine.databaseCount,
    encryption: options.key ? { algorithm: 'aes-256-gcm', keyId: options.key.id } : null,
  };
  let trailer: SnapshotTrailer | null = null;
  async function* generate(): AsyncGenerator<Uint8Array> {
    const headerFrame = encodeFrame(FrameKind.header, packr.pack({ magic, ...header }));
    const aadPrefix = headerFrame.subarray(headerFrame.length - 16);
    const body = createHash('sha256');
    let bytes = headerFrame.length;
    let keys = 0;
    let chunkCount = 0;
    yield headerFrame;
    let records: SnapshotRecord[] = [];
    let estimate = 0;
    const flush = (): Buffer => {
      const plain = packr.pack(records);
      const payload = options.key ? options.key.seal(plain, chunkAad(aadPrefix, chunkCount)) : plain;
      const frame = encodeFrame(FrameKind.chunk, payload);
      body.update(frame);
      chunkCount += 1;
      records = [];
      estimate = 0;
      bytes += frame.length;
      options.onProgress?.({ keys, bytes });
      return frame;
    };
    for (const db of engine.allDatabases()) {
      for (const [key, entry] of db.entries.entries()) {
        const [kind, plain] = valueToPlain(entry.value);
        records.push([db.index, key, kind, plain, entry.expireAtMs]);
        keys += 1;
        estimate += 24 + key.length + estimateBytes(entry.value);
        if (estimate >= options.limits.chunkBytesTarget) yield flush();
      }
    }
    if (records.length > 0) yield flush();
    if (keys !== header.keyCount) throw new Error(`snapshot: the engine changed while it was written (${keys} keys, header says ${header.keyCount})`);
    trailer = { chunkCount, keyCount: keys, bodyChecksum: body.digest().subarray(0, 16).toString('hex') };
    yield encodeFrame(FrameKind.trailer, packr.pack(trailer));
  }
  return {
    header,
    stream: generate(),
    result: () => {
      if (!trailer) throw new Error('snapshot stream not drained yet');
      return trailer;
    },
  };
}

function estimateBytes(value: Value): number {
  return typeof value === 'string' ? value.length : value.size * 32;
}

function chunkAad(headerChecksum: Uint8Array, index: number): Buffer {
  const aad = Buffer.alloc(headerChecksum.length + 4);
  aad.set(headerChecksum, 0);
  aad.writeUInt32BE(index, headerChecksum.length);
  return aad;
}

export interface DecodeOptions {
  key: EncryptionKey | null;
  limits: SnapshotLimits;
  /** Where the bytes come from, for messages. */
  what: string;
  /** Called with each record, in order. Omit to only verify (then an encrypted snapshot without its key is checked by checksums only). */
  onRecord?: (record: SnapshotRecord) => void;
  onProgress?: (progress: EncodeProgress) => void;
  /** Called once the header is read; may throw to stop early (e.g. a snapshot of another shard). */
  onHeader?: (header: SnapshotHeader) => void;
}

/**
 * Reads and verifies a whole snapshot: every frame checksum, the chunk count, the key count and
 * the body checksum. Throws SnapshotError (SNAPSHOT_CORRUPT / _TRUNCATED / _FORMAT /
 * _KEY_REQUIRED / _KEY_MISMATCH). Records reach onRecord before the trailer is checked: a
 * caller building state must discard it if this throws.
 */
export async function decodeSnapshot(stream: AsyncIterable<Uint8Array>, options: DecodeOptions): Promise<{ header: SnapshotHeader; trailer: SnapshotTrailer; bytes: number }> {
  const reader = new FrameReader(stream, options.limits.frameBytesMax, options.what);
  try {
    const first = await reader.next();
    if (!first) throw new SnapshotError('SNAPSHOT_TRUNCATED', `${options.what}: empty`);
    if (first.kind !== FrameKind.header) throw new SnapshotError('SNAPSHOT_FORMAT', `${options.what}: not a Keel snapshot (no header frame)`);
    const header = parseHeader(first.payload, options.what);
    // Without a key, an encrypted snapshot can still be checked frame by frame (backup).
    const checksumsOnly = header.encryption !== null && options.key === null && options.onRecord === undefined;
    if (!checksumsOnly) checkKey(header, options.key, options.what);
    options.onHeader?.(header);
    const body = createHash('sha256');
    let chunkCount = 0;
    let keys = 0;
    for (;;) {
      const frame = await reader.next();
      if (!frame) throw new SnapshotError('SNAPSHOT_TRUNCATED', `${options.what}: ends after ${chunkCount} chunks without its trailer`);
      if (frame.kind === FrameKind.trailer) {
        const trailer = parseTrailer(frame.payload, options.what);
        const bodyChecksum = body.digest().subarray(0, 16).toString('hex');
        if (trailer.bodyChecksum !== bodyChecksum) throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.what}: body checksum ${bodyChecksum} differs from the trailer's ${trailer.bodyChecksum}`);
        if (trailer.chunkCount !== chunkCount) throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.what}: ${chunkCount} chunks, trailer says ${trailer.chunkCount}`);
        if (trailer.keyCount !== header.keyCount || (!checksumsOnly && trailer.keyCount !== keys)) throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.what}: ${keys} keys, header says ${header.keyCount}, trailer ${trailer.keyCount}`);
        if (await reader.next()) throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.what}: data after the trailer`);
        return { header, trailer, bytes: reader.bytesRead };
      }
      if (frame.kind !== FrameKind.chunk) throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.what}: unexpected frame kind 0x${frame.kind.toString(16)}`);
      body.update(frame.bytes);
      if (checksumsOnly) {
        chunkCount += 1;
        options.onProgress?.({ keys, bytes: reader.bytesRead });
        continue;
      }
      const plain = options.key && header.encryption
        ? options.key.open(frame.payload, chunkAad(first.checksum, chunkCount), `${options.what} chunk ${chunkCount}`)
        : frame.payload;
      chunkCount += 1;
      let records: unknown;
      try {
        records = packr.unpack(plain);
      } catch (error) {
        throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.what}: chunk ${chunkCount - 1} does not decode: ${(error as Error).message}`);
      }
      if (!Array.isArray(records)) throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.what}: chunk ${chunkCount - 1} is not a record list`);
      for (const record of records as unknown[]) {
        if (!isRecord(record, header.databases)) throw new SnapshotError('SNAPSHOT_CORRUPT', `${options.what}: malformed record in chunk ${chunkCount - 1}`);
        keys += 1;
        options.onRecord?.(record);
      }
      options.onProgress?.({ keys, bytes: reader.bytesRead });
    }
  } finally {
    await reader.close();
  }
}

/** Reads only the header (listing, backup naming); verifies that frame's checksum. */
export async function readSnapshotHeader(stream: AsyncIterable<Uint8Array>, limits: SnapshotLimits, what: string): Promise<SnapshotHeader> {
  const reader = new FrameReader(stream, limits.frameBytesMax, what);
  try {
    const first = await reader.next();
    if (!first) throw new SnapshotError('SNAPSHOT_TRUNCATED', `${what}: empty`);
    if (first.kind !== FrameKind.header) throw new SnapshotError('SNAPSHOT_FORMAT', `${what}: not a Keel snapshot (no header frame)`);
    return parseHeader(first.payload, what);
  } finally {
    await reader.close();
  }
}

/** Builds the engine state of a decoded record. */
export function restoreRecord(engine: Engine, [db, key, kind, plain, expireAtMs]: SnapshotRecord, nowMs: number): void {
  let value: Value;
  try {
    value = valueFromPlain([kind, plain]);
  } catch (error) {
    throw new SnapshotError('SNAPSHOT_CORRUPT', `value of key in db ${db} does not decode: ${(error as Error).message}`);
  }
  engine.database(db).restoreEntry(key, { value, expireAtMs, accessedAtMs: nowMs });
}

function parseHeader(payload: Buffer, what: string): SnapshotHeader {
  let raw: Record<string, unknown>;
  try {
    raw = packr.unpack(payload) as Record<string, unknown>;
  } catch {
    throw new SnapshotError('SNAPSHOT_FORMAT', `${what}: header does not decode`);
  }
  if (raw === null || typeof raw !== 'object' || raw.magic !== magic) throw new SnapshotError('SNAPSHOT_FORMAT', `${what}: not a Keel snapshot`);
  if (raw.formatVersion !== snapshotFormatVersion) throw new SnapshotError('SNAPSHOT_FORMAT', `${what}: format version ${String(raw.formatVersion)} (this build reads ${snapshotFormatVersion})`);
  const { magic: _magic, ...header } = raw;
  const valid = isCount(header.shard) && isCount(header.lsn) && typeof header.logChecksum === 'string' && isCount(header.createdAtMs)
    && isCount(header.keyCount) && isCount(header.databases) && (header.databases as number) >= 1;
  if (!valid) throw new SnapshotError('SNAPSHOT_FORMAT', `${what}: header fields missing or malformed`);
  return header as unknown as SnapshotHeader;
}

function parseTrailer(payload: Buffer, what: string): SnapshotTrailer {
  let raw: Record<string, unknown>;
  try {
    raw = packr.unpack(payload) as Record<string, unknown>;
  } catch {
    throw new SnapshotError('SNAPSHOT_CORRUPT', `${what}: trailer does not decode`);
  }
  if (raw === null || typeof raw !== 'object' || !isCount(raw.chunkCount) || !isCount(raw.keyCount) || typeof raw.bodyChecksum !== 'string') {
    throw new SnapshotError('SNAPSHOT_CORRUPT', `${what}: trailer fields missing or malformed`);
  }
  return raw as unknown as SnapshotTrailer;
}

function checkKey(header: SnapshotHeader, key: EncryptionKey | null, what: string): void {
  if (!header.encryption) return;
  if (!key) throw new SnapshotError('SNAPSHOT_KEY_REQUIRED', `${what} is encrypted (key ${header.encryption.keyId}); pass --encryption-key-file`);
  if (header.encryption.keyId !== key.id) throw new SnapshotError('SNAPSHOT_KEY_MISMATCH', `${what} was encrypted with key ${header.encryption.keyId}, not with the given key ${key.id}`);
}

function isRecord(value: unknown, databases: number): value is SnapshotRecord {
  return Array.isArray(value) && value.length === 5 && Number.isInteger(value[0]) && value[0] >= 0 && value[0] < databases
    && typeof value[1] === 'string' && typeof value[2] === 'string' && isCount(value[4]);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
