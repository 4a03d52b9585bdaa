// A primary whose lease lapses while the log cannot commit — two of the three log nodes
// paused for longer than the lease (700 ms), shorter than the commit timeout — must stop
// serving (a replica may take over after its backoff: reading or writing on the old lease
// could break linearizability), and, when the log answers again and nobody else took over,
// resume in the same epoch through a lease renewal: no step-down, no rebuild, nothing lost.
//
// (A lapsed primary may also campaign again on its own tail (election.ts), but its renewals
// always come first — the tick sends one before it checks for a campaign — so with a working
// committer the lease comes back through a renewal, as this test shows.)
import { describe, expect, it } from 'vitest';
import { client, info, logClusterForFile, waitFor } from '../helpers/db-nodes.js';
import { RawClient } from '../helpers/resp-client.js';

const fixture = logClusterForFile();
const pauseMs = 2000;
const leaseExpired = "TRYAGAIN this primary's lease has expired; a failover may be in progress";

describe('a primary whose lease lapsed during a log stall', () => {
  it('stops serving, then resumes in the same epoch once a renewal commits', async () => {
    const primary = await fixture.nodes.startPrimary('lapse-1', ['--shard', '5', '--commit-timeout-ms', '6000']);
    const redis = client(primary);
    await redis.connect();
    try {
      expect(await redis.set('before', '1')).toBe('OK');
      const epochBefore = await info(primary, 'keel_epoch');
      const logBefore = primary.stderr().length;

      fixture.cluster.signal('b', 'SIGSTOP');
      fixture.cluster.signal('c', 'SIGSTOP');
      const stalledWrite = redis.set('during', '1').then((reply) => reply, (error: Error) => error.message);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1200));
        // Past the lease: no read is served on it, not even of a committed key. (Another
        // connection: this one's replies leave in order, behind the held SET.)
        // (A raw client: ioredis's ready check sends INFO, whose keyspace waits for the SET.)
        const reader = await RawClient.connect(primary.port);
        try {
          expect(await reader.call('GET', 'before')).toBe(`-${leaseExpired}\r\n`);
        } finally {
          reader.close();
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs - 1200));
      } finally {
        fixture.cluster.signal('b', 'SIGCONT');
        fixture.cluster.signal('c', 'SIGCONT');
      }

      // The write held during the stall commits (it was within the commit timeout).
      expect(await stalledWrite).toBe('OK');
      await waitFor(() => redis.get('before').catch(() => null), (value) => value === '1', 20_000);
      expect(await redis.set('after', '1')).toBe('OK');
      expect(await redis.get('during')).toBe('1');
      expect(await info(primary, 'role')).toBe('master');
      expect(await info(primary, 'keel_epoch')).toBe(epochBefore);

      const since = primary.stderr().slice(logBefore);
      expect(since).toMatch(/"msg":"lease expired: not serving until it is renewed or another node takes over"/);
      expect(since).not.toMatch(/stepping down|commit failed|rebuild/);
    } finally {
      redis.disconnect();
    }
  }, 90_000);
});
