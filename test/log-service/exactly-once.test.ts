// A retried append whose first attempt committed but whose answer was lost must count as
// success exactly once: the client finds its (writerId, batchSeq) in the log. A proxy in
// front of the leader forwards one Append and then cuts the connection before the answer.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { assertLogLimits, defaultLogLimits } from '../../log-service/limits.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

let cluster: InProcessCluster | null = null;
let proxy: Server | null = null;
const clients: LogClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  if (proxy) await new Promise((resolve) => proxy!.close(resolve));
  proxy = null;
  await cluster?.close();
  cluster = null;
});

/** Forwards to target; the first time an Append passes, the answer is swallowed and both sides are cut. */
async function cuttingProxy(target: string): Promise<{ address: string; cuts: () => number }> {
  const [host, port] = target.split(':');
  let cuts = 0;
  let armed = true;
  proxy = createServer((downstream: Socket) => {
    const upstream = connect({ host: host!, port: Number(port) });
    let swallowing = false;
    downstream.on('data', (chunk) => {
      upstream.write(chunk);
      if (armed && chunk.includes(Buffer.from('append'))) {
        armed = false;
        swallowing = true;
        cuts += 1;
        setTimeout(() => {
          downstream.destroy();
          upstream.destroy();
        }, 300); // long enough for the append to commit
      }
    });
    upstream.on('data', (chunk) => {
      if (!swallowing) downstream.write(chunk);
    });
    downstream.on('error', () => upstream.destroy());
    upstream.on('error', () => downstream.destroy());
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  const address = proxy.address() as import('node:net').AddressInfo;
  return { address: `127.0.0.1:${address.port}`, cuts: () => cuts };
}

const text = (value: string) => Uint8Array.from(Buffer.from(value));

describe('exactly-once appends across a lost answer', () => {
  for (const mode of ['conditional', 'at tail'] as const) {
    it(`${mode}: the retry finds its committed batch instead of duplicating or failing`, async () => {
      cluster = await startInProcessCluster();
      const leader = await cluster.leader();
      const leaderAddress = cluster.addresses.get(leader.status().id)!;
      const setup = new LogClient({ nodes: [leaderAddress] });
      clients.push(setup);
      await setup.append('once', [text('first')], { prevLsn: 0 });
      const { address, cuts } = await cuttingProxy(leaderAddress);
      const client = new LogClient({ nodes: [address], timings: { requestTimeoutMs: 2000, appendTimeoutMs: 8000, reconnectBackoffMinMs: 20 } });
      clients.push(client);
      const result = mode === 'conditional'
        ? await client.append('once', [text('second'), text('third')], { prevLsn: 1 })
        : await client.appendAtTail('once', [text('second'), text('third')]);
      expect(cuts()).toBe(1);
      expect(result).toEqual({ firstLsn: 2, lastLsn: 3 });
      expect(client.stats.batchesRetried).toBeGreaterThanOrEqual(1);
      expect(client.stats.retriesFoundCommitted).toBe(1);
      const entries = await setup.readAll('once', 1);
      expect(entries.map((e) => Buffer.from(e.payload).toString())).toEqual(['first', 'second', 'third']);
      expect(entries[1]!.writerId).toBe(client.writerId);
    });
  }
});

describe('limits', () => {
  it('are asserted at start-up, relationships included', () => {
    expect(() => assertLogLimits(defaultLogLimits)).not.toThrow();
    expect(() => assertLogLimits({ ...defaultLogLimits, entryBytesMax: defaultLogLimits.batchBytesMax + 1 })).toThrow(/entryBytesMax/);
    expect(() => assertLogLimits({ ...defaultLogLimits, frameBytesMax: 1024 })).toThrow(/frameBytesMax/);
    expect(() => assertLogLimits({ ...defaultLogLimits, inFlightBatchesMax: 0 })).toThrow(/positive/);
    expect(() => assertLogLimits({ ...defaultLogLimits, connectionQueueBytesMax: 10 })).toThrow(/connectionQueueBytesMax/);
  });
});
