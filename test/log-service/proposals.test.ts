// How a log node's proposals end (raft-driver.ts, proposeThen): a proposal that cannot commit
// fails after commitTimeoutMs (checked every tick, not by a timer of its own), and a proposer's
// callback that throws is logged, never taken for a failed store. In-process cluster.

import { afterEach, describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { LogError } from '../../log-service/errors.js';
import type { LogNode } from '../../log-service/node/log-node.js';
import type { RaftDriver } from '../../log-service/node/raft-driver.js';
import type { LogCommand } from '../../log-service/state/types.js';
import type { LogStore } from '../../log-service/store/log-store.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { gateSyncs } from './helpers/sync-gate.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));
const commitTimeoutMs = 1200;
const tickMs = 50;

let cluster: InProcessCluster | undefined;
let client: LogClient | undefined;

afterEach(async () => {
  client?.close();
  await cluster?.close();
  cluster = undefined;
});

/** The node's driver: the tests below call it as the log server does. */
function driverOf(node: LogNode): RaftDriver {
  const driver = (node as unknown as { driver: RaftDriver | null }).driver;
  if (!driver) throw new Error('no driver yet');
  return driver;
}

function appendCommand(log: string, prevLsn: number, value: string): LogCommand {
  return { t: 'append', log, prevLsn, writerId: 'test-writer', batchSeq: prevLsn + 1, payloads: [text(value)] };
}

describe('proposals on a log node', () => {
  it('fail with QUORUM_UNAVAILABLE after commitTimeoutMs when no majority answers', async () => {
    // The followers' disks stall once the leader is known: they still answer heartbeats (the
    // leader stays in office), but no synced write, so nothing commits.
    let stalled = false;
    let release = () => undefined as void;
    const stall = new Promise<void>((resolve) => { release = resolve; });
    const stallFollowers = (id: string, store: LogStore): LogStore => gateSyncs(store, () => (stalled && cluster?.nodes.get(id)?.status().role !== 'leader' ? stall : Promise.resolve()));
    cluster = await startInProcessCluster({ wrapStore: stallFollowers, timings: { commitTimeoutMs, appendTimeoutMs: 3000, tickMs } });
    const leader = await cluster.leader();
    stalled = true;
    const started = performance.now();
    const outcome = await driverOf(leader).propose(appendCommand('alone', 0, 'never committed')).then(
      () => null,
      (error: unknown) => error,
    );
    const ms = performance.now() - started;
    release();
    expect(leader.status().role).toBe('leader');
    expect(outcome).toBeInstanceOf(LogError);
    expect((outcome as LogError).code).toBe('QUORUM_UNAVAILABLE');
    expect((outcome as LogError).message).toContain(`not committed within ${commitTimeoutMs} ms`);
    expect(ms).toBeGreaterThanOrEqual(commitTimeoutMs - 5);
    expect(ms).toBeLessThan(commitTimeoutMs + 10 * tickMs);
  }, 20_000);

  it('survive a callback that throws: it is logged, the node goes on committing', async () => {
    cluster = await startInProcessCluster({ timings: { commitTimeoutMs, appendTimeoutMs: 3000, tickMs } });
    const leader = await cluster.leader();
    const results: string[] = [];
    driverOf(leader).proposeThen(appendCommand('callbacks', 0, 'first'), (result) => {
      results.push(result.ok ? 'committed' : result.error.code);
      throw new Error('a proposer that fails');
    });
    client = new LogClient({ nodes: [...cluster.addresses.values()] });
    // The append after it commits on the same leader: the Ready loop did not stop.
    expect(await client.append('callbacks', [text('second')], { prevLsn: 1 })).toMatchObject({ firstLsn: 2, lastLsn: 2 });
    expect(results).toEqual(['committed']);
    expect(leader.status().role).toBe('leader');
  }, 20_000);
});
