// A primary fenced by a second writer, with real processes: another writer appends to the
// shard's log behind the primary's back, the primary's next append conflicts, and every reply
// it holds must fail, its uncommitted writes must vanish, and it rebuilds from the log as a
// replica (then campaigns again, alone on the shard).
import { describe, expect, it } from 'vitest';
import type { LogClient } from '../../log-service/client/log-client.js';
import { LogError } from '../../log-service/errors.js';
import { encodeRecord } from '../../src/replication/records.js';
import { client, info, waitFor, logClusterForFile } from '../helpers/db-nodes.js';

const fixture = logClusterForFile();
const nodes = fixture.nodes;


const fencedError = 'TRYAGAIN this node is no longer the primary (fenced); the write may not have happened';

/** Appends an effects record at the log's tail as "another writer" would; returns its LSN. */
async function appendBehindTheBack(logClient: LogClient, logName: string, key: string): Promise<number> {
  for (;;) {
    const { tailLsn } = await logClient.tail(logName);
    try {
      const payload = encodeRecord({ t: 'effects', batch: [{ db: 0, argv: ['SET', key, 'from-the-other-writer'] }] });
      return (await logClient.append(logName, [payload], { prevLsn: tailLsn })).lastLsn;
    } catch (error) {
      // The primary renewed its lease in between: try again at the new tail.
      if (!(error instanceof LogError && error.code === 'LOG_CONFLICT')) throw error;
    }
  }
}

describe('a fenced primary', () => {
  it('fails the replies it holds, discards its uncommitted writes and rebuilds from the log', async () => {
    const primary = await nodes.startPrimary('fenced-1', ['--shard', '3']);
    const logClient = fixture.logClient;
    const redis = client(primary);
    await redis.connect();
    try {
      await redis.set('before', 'committed');
      // The conflict is found by whichever append of the primary comes next: our SETs' entry
      // (their replies are held, and must fail), or, rarely, a lease renewal that runs first
      // (then the SETs are refused outright). Try until the held-reply path happened.
      let heldRepliesFailed = false;
      for (let attempt = 1; attempt <= 5 && !heldRepliesFailed; attempt++) {
        await waitFor(() => info(primary, 'role'), (role) => role === 'master', 20_000);
        const foreignKey = `foreign:${attempt}`;
        await appendBehindTheBack(logClient, 'shard-3', foreignKey);
        const replies = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => redis.set(`fenced:${attempt}:${i}`, 'uncommitted')));
        // No write the primary could not commit is acknowledged.
        expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 'rejected'));
        const messages = replies.map((reply) => (reply as PromiseRejectedResult).reason.message as string);
        heldRepliesFailed = messages.some((message) => message === fencedError);

        // Rebuilt from the log: the other writer's key is there, none of the fenced ones, and
        // what was committed before is intact.
        const reader = client(primary);
        await reader.connect();
        try {
          await waitFor(() => reader.get(foreignKey).catch(() => null), (value) => value === 'from-the-other-writer', 20_000);
          expect(await reader.get('before')).toBe('committed');
          expect(await reader.keys(`fenced:${attempt}:*`)).toEqual([]);
        } finally {
          reader.disconnect();
        }
      }
      expect(heldRepliesFailed).toBe(true);
      // Alone on its shard, it campaigns and serves writes again.
      await waitFor(() => redis.set('after', 'ok').catch(() => null), (reply) => reply === 'OK', 20_000);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
