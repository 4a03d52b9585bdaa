import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptionKey, isSealedPayload, openPayload, sealPayload } from '../../src/snapshot/encryption.js';
import { decodeRecord, encodeRecord } from '../../src/replication/records.js';
import { SnapshotError } from '../../src/snapshot/errors.js';
import { Progress } from '../../src/snapshot/progress.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof SnapshotError ? error.code : `other: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('encryption at rest', () => {
  it('key files: raw 32 bytes, hex, base64; anything else is refused clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-keys-'));
    const raw = randomBytes(32);
    const files = { raw: raw, hex: `${raw.toString('hex')}\n`, b64: raw.toString('base64') };
    const ids = Object.entries(files).map(([name, content]) => {
      writeFileSync(join(dir, name), content);
      return EncryptionKey.fromFile(join(dir, name)).id;
    });
    expect(new Set(ids).size).toBe(1);
    writeFileSync(join(dir, 'short'), 'abc');
    expect(codeOf(() => EncryptionKey.fromFile(join(dir, 'short')))).toBe('SNAPSHOT_BAD_KEY_FILE');
    expect(codeOf(() => EncryptionKey.fromFile(join(dir, 'missing')))).toBe('SNAPSHOT_BAD_KEY_FILE');
  });

  it('log payloads: sealed ones carry no plaintext and open only with the same key and log', () => {
    const key = new EncryptionKey(randomBytes(32));
    const plain = encodeRecord({ t: 'effects', batch: [{ db: 0, argv: ['SET', 'secret-key', 'secret-value'] }] });
    const sealed = sealPayload(key, 'shard-0', plain);
    expect(isSealedPayload(sealed)).toBe(true);
    expect(isSealedPayload(plain)).toBe(false); // a msgpack record never starts with 0xc1
    expect(Buffer.from(sealed).includes(Buffer.from('secret-value'))).toBe(false);
    expect(decodeRecord(openPayload(key, 'shard-0', sealed, 1))).toEqual(decodeRecord(plain));
    expect(codeOf(() => openPayload(null, 'shard-0', sealed, 1))).toBe('SNAPSHOT_KEY_REQUIRED');
    expect(codeOf(() => openPayload(new EncryptionKey(randomBytes(32)), 'shard-0', sealed, 1))).toBe('SNAPSHOT_KEY_MISMATCH');
    expect(codeOf(() => openPayload(key, 'shard-1', sealed, 1))).toBe('SNAPSHOT_CORRUPT'); // moved to another log
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(codeOf(() => openPayload(key, 'shard-0', tampered, 1))).toBe('SNAPSHOT_CORRUPT');
    // Entries written before encryption was turned on stay readable.
    expect(openPayload(key, 'shard-0', plain, 1)).toBe(plain);
  });
});

describe('progress', () => {
  it('reports keys, bytes, percent, rate and ETA', () => {
    const lines: string[] = [];
    const logger = { info: (fields: Record<string, unknown>, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`) };
    const progress = new Progress('snapshot write', 1000, logger as never, 100, null);
    progress.update({ keys: 250, bytes: 4096 });
    const fields = progress.fields();
    expect(fields).toMatchObject({ keys: 250, bytes: 4096, percent: 25 });
    expect(fields.etaMs).toBeGreaterThanOrEqual(0);
    expect(progress.describe()).toMatch(/^snapshot write:\s+25% 250\/1000 keys, 4\.0 KiB, .*\/s, \d+ keys\/s ETA \d+s$/);
    progress.done();
    expect(lines[0]).toContain('snapshot write progress');
    expect(lines[lines.length - 1]).toContain('snapshot write done');
  });
});
