// Differential testing against a real redis-server: the same commands go to both servers and
// the raw reply bytes must match. `describeCompat` skips (with a printed reason) when
// redis-server is not installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/resp-client.js';
import { redisServerPath, startRedis, type RedisProcess } from '../helpers/redis-server.js';
import { startKeel, type KeelProcess } from '../helpers/server.js';

/** A script: commands run in order on a flushed server; every reply is compared. */
export type Script = string[][];

/** Commands whose reply order is hash-table order in Redis: compared as sorted sets. */
const unorderedReplies = new Set(['keys', 'smembers', 'hkeys', 'hvals', 'sunion', 'sdiff', 'sinter']);

/** Sorts the elements of a flat RESP array of bulk strings (for unordered replies). */
export function normalizeUnordered(argv: string[], reply: string): string {
  if (!unorderedReplies.has(argv[0]!.toLowerCase()) || !reply.startsWith('*')) return reply;
  const lines = reply.split('\r\n');
  const header = lines[0];
  const items: string[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) items.push(`${lines[i]}\r\n${lines[i + 1]}`);
  return [header, ...items.sort()].join('\r\n') + '\r\n';
}

export function describeCompat(title: string, scripts: Record<string, Script>): void {
  const available = redisServerPath() !== null;
  if (!available) {
    console.log(`[skip] ${title}: redis-server is not installed (apt-get install redis-server); differential tests skipped`);
  }
  describe.skipIf(!available)(`${title} (byte-for-byte against redis-server)`, () => {
    let redis: RedisProcess;
    let keel: KeelProcess;
    let redisClient: RawClient;
    let keelClient: RawClient;
    beforeAll(async () => {
      [redis, keel] = await Promise.all([startRedis(), startKeel()]);
      [redisClient, keelClient] = await Promise.all([RawClient.connect(redis.port), RawClient.connect(keel.port)]);
    });
    afterAll(async () => {
      redisClient?.close();
      keelClient?.close();
      await Promise.all([redis?.stop(), keel?.stop()]);
    });
    for (const [name, script] of Object.entries(scripts)) {
      it(name, async () => {
        await redisClient.call('FLUSHALL');
        await keelClient.call('FLUSHALL');
        for (const argv of script) {
          const expected = normalizeUnordered(argv, await redisClient.call(...argv));
          const actual = normalizeUnordered(argv, await keelClient.call(...argv));
          expect({ argv, reply: actual }).toEqual({ argv, reply: expected });
        }
      });
    }
  });
}
