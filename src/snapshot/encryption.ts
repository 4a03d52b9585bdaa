// Encryption at rest: AES-256-GCM with a 32-byte key from a key file. Used for snapshot chunks
// (this directory) and for log entry payloads, sealed by the writer before they are appended
// and opened by the reader, so the log nodes store and replicate only ciphertext and never
// hold the key. Each sealed message carries its own random 96-bit IV and 128-bit tag; the
// associated data binds a chunk to its snapshot and position, so chunks cannot be swapped.
// The key id (a keyed hash of a fixed label) is stored in clear beside the ciphertext: a
// wrong key is reported as such at start-up, never as garbage or a puzzling tag failure.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SnapshotError } from './errors.js';

export const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
const keyIdBytes = 8;
/** First byte of a sealed log payload. 0xc1 is the one byte msgpack never uses, so a plain record cannot start with it. */
export const sealedPayloadMarker = 0xc1;

export class EncryptionKey {
  /** Stable, non-secret identifier of the key (HMAC of a label), 16 hex chars. */
  readonly id: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== keyBytes) throw new SnapshotError('SNAPSHOT_BAD_KEY_FILE', `an encryption key must be ${keyBytes} bytes, got ${key.length}`);
    this.id = createHmac('sha256', key).update('keel-key-id-v1').digest().subarray(0, keyIdBytes).toString('hex');
  }

  /** Reads a key file: 32 raw bytes, 64 hex characters, or base64 of 32 bytes (whitespace ignored). */
  static fromFile(path: string): EncryptionKey {
    let raw: Buffer;
    try {
      raw = readFileSync(path);
    } catch (error) {
      throw new SnapshotError('SNAPSHOT_BAD_KEY_FILE', `cannot read encryption key file ${path}: ${(error as Error).message}`);
    }
    return new EncryptionKey(parseKey(raw, path));
  }

  /** iv ‖ tag ‖ ciphertext. */
  seal(plain: Uint8Array, associated: Uint8Array): Buffer {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(associated);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** Throws SNAPSHOT_CORRUPT when the tag does not verify (tampering, or a wrong key whose id collided). */
  open(sealed: Uint8Array, associated: Uint8Array, what: string): Buffer {
    if (sealed.length < ivBytes + tagBytes) throw new SnapshotError('SNAPSHOT_CORRUPT', `${what}: sealed data too short`);
    const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, ivBytes));
    decipher.setAAD(associated);
    decipher.setAuthTag(data.subarray(ivBytes, ivBytes + tagBytes));
    try {
      return Buffer.concat([decipher.update(data.subarray(ivBytes + tagBytes)), decipher.final()]);
    } catch {
      throw new SnapshotError('SNAPSHOT_CORRUPT', `${what}: authentication failed (data altered or encrypted with another key)`);
    }
  }
}

function parseKey(raw: Buffer, path: string): Buffer {
  if (raw.length === keyBytes) return raw;
  const text = raw.toString('latin1').replace(/\s+/g, '');
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const decoded = Buffer.from(text, 'base64');
    if (decoded.length === keyBytes) return decoded;
  }
  throw new SnapshotError('SNAPSHOT_BAD_KEY_FILE', `${path}: expected ${keyBytes} raw bytes, 64 hex characters or base64 of ${keyBytes} bytes (make one with: openssl rand -hex 32 > ${path})`);
}

// --- log entry payloads --------------------------------------------------------------------

/** marker ‖ key id ‖ iv ‖ tag ‖ ciphertext. The associated data is the log name, so an entry cannot be moved to another shard's log. */
export function sealPayload(key: EncryptionKey, logName: string, plain: Uint8Array): Uint8Array {
  const sealed = key.seal(plain, Buffer.from(logName));
  return Buffer.concat([Buffer.from([sealedPayloadMarker]), Buffer.from(key.id, 'hex'), sealed]);
}

export function isSealedPayload(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] === sealedPayloadMarker;
}

/**
 * The plain record bytes of a log payload. A sealed payload needs the key that sealed it
 * (SNAPSHOT_KEY_REQUIRED / SNAPSHOT_KEY_MISMATCH otherwise); a plain payload passes through
 * (entries written before encryption was turned on stay readable).
 */
export function openPayload(key: EncryptionKey | null, logName: string, payload: Uint8Array, lsn: number): Uint8Array {
  if (!isSealedPayload(payload)) return payload;
  const what = `log ${logName} entry ${lsn}`;
  if (!key) throw new SnapshotError('SNAPSHOT_KEY_REQUIRED', `${what} is encrypted; start with --encryption-key-file`);
  const keyId = Buffer.from(payload.subarray(1, 1 + keyIdBytes)).toString('hex');
  if (keyId !== key.id) throw new SnapshotError('SNAPSHOT_KEY_MISMATCH', `${what} was encrypted with key ${keyId}, not with the given key ${key.id}`);
  return key.open(payload.subarray(1 + keyIdBytes), Buffer.from(logName), what);
}

/** A short digest for messages and manifests. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
