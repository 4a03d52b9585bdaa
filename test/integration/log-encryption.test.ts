// Encryption at rest of log payloads: with --encryption-key-file every record is sealed
// (AES-256-GCM) by the db node before it reaches the log, so the log's files never hold the
// plaintext; the same key brings the data back; no key refuses to start, loudly.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnKeel, startKeel, tempDir } from '../helpers/server.js';
import { client } from '../helpers/db-nodes.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('log payload encryption', () => {
  it('seals every record; the key brings the data back; no key refuses to start', async () => {
    const dir = tempDir();
    const keyFile = join(tempDir(), 'key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    const port = await freePort();
    const secret = `plaintext-${randomBytes(8).toString('hex')}`;
    let server = await startKeel(['--dir', dir, '--port', String(port), '--encryption-key-file', keyFile]);
    let redis = client(server);
    await redis.connect();
    for (let i = 0; i < 20; i++) await redis.set(`key:${i}`, `${secret}:${i}`);
    redis.disconnect();
    await server.stop();

    const leaked = filesUnder(join(dir, 'log')).filter((file) => readFileSync(file).includes(Buffer.from(secret)));
    expect(leaked).toEqual([]);

    server = await startKeel(['--dir', dir, '--port', String(port), '--encryption-key-file', keyFile]);
    redis = client(server);
    await redis.connect();
    expect(await redis.get('key:19')).toBe(`${secret}:19`);
    redis.disconnect();
    await server.stop();

    const withoutKey = spawnKeel(['server', '--dir', dir, '--port', String(port)], /listening on/, 20_000);
    await expect(withoutKey).rejects.toThrow(/encrypted; start with --encryption-key-file/);
  }, 60_000);
});
