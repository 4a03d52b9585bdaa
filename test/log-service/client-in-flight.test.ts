// The client keeps several Append batches in flight, bounded by inFlightBatchesMax. Appends
// issued in one event-loop turn are merged into one batch (group commit), so this test issues
// its appends across many turns, without awaiting them, and watches the Append requests the
// client has outstanding on its node connections.

import { afterEach, describe, expect, it } from 'vitest';
import { chainChecksum, emptyChainChecksum } from '../../log-service/checksum.js';
import { LogClient, type AppendOutcome } from '../../log-service/client/log-client.js';
import type { NodeConnection } from '../../log-service/client/node-connection.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

let cluster: InProcessCluster | null = null;
const clients: LogClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.close();
  cluster = null;
});

/** Counts the 'append' requests outstanding on the client's connections (now and at most). */
function watchAppends(client: LogClient): { now: number; max: number; sent: number } {
  const seen = { now: 0, max: 0, sent: 0 };
  for (const address of client.options.nodes) {
    const connection: NodeConnection = client.connection(address);
    const request = connection.request.bind(connection);
    connection.request = (<T>(body: Record<string, unknown>, timeoutMs: number): Promise<T> => {
      if (body.op !== 'append') return request<T>(body, timeoutMs);
      seen.sent += 1;
      seen.now += 1;
      seen.max = Math.max(seen.max, seen.now);
      return request<T>(body, timeoutMs).finally(() => {
        seen.now -= 1;
      });
    }) as NodeConnection['request'];
  }
  return seen;
}

describe('client append pipeline', () => {
  it('keeps more than one batch in flight, never more than inFlightBatchesMax, and commits them in order', async () => {
    cluster = await startInProcessCluster();
    await cluster.leader();
    const inFlightBatchesMax = 2;
    const client = new LogClient({
      nodes: [...cluster.addresses.values()],
      limits: { inFlightBatchesMax },
      timings: { appendTimeoutMs: 8000, requestTimeoutMs: 2000 },
    });
    clients.push(client);
    // Warm-up: the client learns the leader, so the measured batches are not redirected.
    await client.append('pipe', [text('warm-up')], { prevLsn: 0 });
    const sentBefore = client.stats.batchesSent;
    const retriedBefore = client.stats.batchesRetried; // the warm-up may have been redirected
    const seen = watchAppends(client);

    // 20 turns, each with 3 chaining appends of one entry: 20 batches of 3 entries.
    const turns = 20;
    const perTurn = 3;
    const pending: Array<Promise<AppendOutcome>> = [];
    let prevLsn = 1;
    for (let turn = 0; turn < turns; turn++) {
      for (let i = 0; i < perTurn; i++) {
        pending.push(client.append('pipe', [text(`t${turn}-${i}`)], { prevLsn }));
        prevLsn += 1;
      }
      await nextTurn();
    }
    const outcomes = await Promise.all(pending);

    // Every append committed where its prevLsn said, in issue order.
    expect(outcomes).toEqual(pending.map((_, i) => ({ firstLsn: i + 2, lastLsn: i + 2 })));
    const entries = await client.readAll('pipe', 1);
    expect(entries.map((e) => e.lsn)).toEqual(Array.from({ length: turns * perTurn + 1 }, (_, i) => i + 1));
    expect(entries.slice(1).map((e) => Buffer.from(e.payload).toString())).toEqual(
      Array.from({ length: turns * perTurn }, (_, i) => `t${Math.floor(i / perTurn)}-${i % perTurn}`),
    );

    // One batch per turn (group commit within a turn, not across turns), each sent once.
    const batchSeqs = new Set(entries.slice(1).map((e) => e.batchSeq));
    expect(batchSeqs.size).toBe(turns);
    expect(client.stats.batchesSent - sentBefore).toBe(turns);
    expect(client.stats.batchesRetried - retriedBefore).toBe(0);
    expect(seen.sent).toBe(turns);

    // Pipelined, and bounded.
    expect(seen.max).toBeGreaterThan(1);
    expect(seen.max).toBeLessThanOrEqual(inFlightBatchesMax);
    expect(seen.now).toBe(0);
  });

  it('appends that name a prevChecksum are never merged into one batch, so each one is checked', async () => {
    cluster = await startInProcessCluster();
    await cluster.leader();
    const client = new LogClient({ nodes: [...cluster.addresses.values()] });
    clients.push(client);
    const first = await client.append('chk', [text('a')], { prevLsn: 0 });
    const sentBefore = client.stats.batchesSent;
    const afterA = chainChecksum(emptyChainChecksum, 1, text('a'));
    const afterB = chainChecksum(afterA, 2, text('b'));
    // One turn, chaining LSNs, each with its checksum: two batches, both committed.
    const [b, c] = await Promise.all([
      client.append('chk', [text('b')], { prevLsn: 1, prevChecksum: afterA }),
      client.append('chk', [text('c')], { prevLsn: 2, prevChecksum: afterB }),
    ]);
    expect([first.lastLsn, b.lastLsn, c.lastLsn]).toEqual([1, 2, 3]);
    expect(client.stats.batchesSent - sentBefore).toBe(2);
    // A wrong checksum at the right LSN conflicts.
    await expect(client.append('chk', [text('d')], { prevLsn: 3, prevChecksum: afterB })).rejects.toMatchObject({ code: 'LOG_CONFLICT' });
  });
});
