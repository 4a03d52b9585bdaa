// Limits a log node enforces itself, whatever the client believes: Append batches over
// batchEntriesMax / batchBytesMax are refused with LIMIT_EXCEEDED, and a subscription never
// has more than subscriptionBufferEntriesMax entries pushed and not yet credited back, however
// much credit the subscriber asks for (the node clamps every grant to that cap).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { NodeConnection } from '../../log-service/client/node-connection.js';
import { LogError } from '../../log-service/errors.js';
import { defaultLogLimits, type LogLimits } from '../../log-service/limits.js';
import type { LogEntry } from '../../log-service/state/types.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { waitFor } from './helpers/wait.js';

const nodeLimits: Partial<LogLimits> = { batchEntriesMax: 4, batchBytesMax: 1024, entryBytesMax: 512, subscriptionBufferEntriesMax: 8 };
const bytes = (length: number, fill = 1) => new Uint8Array(length).fill(fill);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const timings = { appendTimeoutMs: 8000, requestTimeoutMs: 2000 };

let cluster: InProcessCluster;
/** Believes the default (large) limits, so only the node can refuse. */
let unchecked: LogClient;
/** Knows the node's limits: splits its group commits to fit. */
let fitting: LogClient;
const connections: NodeConnection[] = [];

beforeAll(async () => {
  cluster = await startInProcessCluster({ limits: nodeLimits });
  await cluster.leader();
  const nodes = [...cluster.addresses.values()];
  unchecked = new LogClient({ nodes, timings });
  fitting = new LogClient({ nodes, timings, limits: nodeLimits });
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  unchecked?.close();
  fitting?.close();
  await cluster?.close();
});

/** Appends `count` one-byte entries to `log` (batches of at most batchEntriesMax). */
async function fill(log: string, count: number): Promise<void> {
  const outcomes = await Promise.all(Array.from({ length: count }, (_, i) => fitting.append(log, [bytes(1, i % 256)], { prevLsn: i })));
  expect(outcomes[count - 1]!.lastLsn).toBe(count);
}

describe('limits enforced by a log node', () => {
  it('refuses an Append over batchEntriesMax with LIMIT_EXCEEDED and leaves the log unchanged', async () => {
    const error = await unchecked.append('entries', Array.from({ length: 5 }, () => bytes(1)), { prevLsn: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogError);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'batchEntriesMax' } });
    expect((await unchecked.tail('entries')).tailLsn).toBe(0);
    // At the limit it is accepted.
    expect(await unchecked.append('entries', Array.from({ length: 4 }, () => bytes(1)), { prevLsn: 0 })).toEqual({ firstLsn: 1, lastLsn: 4 });
  });

  it('refuses an Append over batchBytesMax with LIMIT_EXCEEDED and leaves the log unchanged', async () => {
    // Three entries of 400 bytes: each under entryBytesMax (512), together over batchBytesMax (1024).
    const error = await unchecked.append('bytes', [bytes(400), bytes(400), bytes(400)], { prevLsn: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogError);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'batchBytesMax' } });
    expect((await unchecked.tail('bytes')).tailLsn).toBe(0);
    expect(await unchecked.append('bytes', [bytes(512), bytes(512)], { prevLsn: 0 })).toEqual({ firstLsn: 1, lastLsn: 2 });
  });

  it('never has more than subscriptionBufferEntriesMax entries uncredited on a subscription, whatever credit is asked', async () => {
    const cap = nodeLimits.subscriptionBufferEntriesMax!;
    await fill('sub-raw', 30);
    const address = [...cluster.addresses.values()][0]!;
    const connection = new NodeConnection(address, defaultLogLimits.frameBytesMax, 2000);
    connections.push(connection);
    const pushes: LogEntry[][] = [];
    const received = () => pushes.reduce((sum, push) => sum + push.length, 0);
    const id = connection.reservePushId((push) => pushes.push((push.entries ?? []) as LogEntry[]));
    // Asks for far more than the cap, and never returns credit for a while.
    await connection.requestWithId(id, { op: 'subscribe', log: 'sub-raw', fromLsn: 1, credit: 1_000_000 }, 2000);
    await waitFor(received, (n) => n >= cap);
    await sleep(300);
    expect(received()).toBe(cap);
    // A huge grant is clamped too: the node tops the credit up to the cap, not beyond.
    connection.signal({ op: 'credit', sub: id, entries: 1_000_000 });
    await waitFor(received, (n) => n >= 2 * cap);
    await sleep(300);
    expect(received()).toBe(2 * cap);
    expect(pushes.every((push) => push.length <= cap)).toBe(true);
    expect(pushes.flat().map((e) => e.lsn)).toEqual(Array.from({ length: 2 * cap }, (_, i) => i + 1));
    connection.signal({ op: 'unsubscribe', sub: id });
  });

  it('delivers to a client subscription in pushes of at most the node cap, even when the client asks for more', async () => {
    const cap = nodeLimits.subscriptionBufferEntriesMax!;
    await fill('sub-client', 30);
    const sizes: number[] = [];
    const lsns: number[] = [];
    // `unchecked` grants its own default subscriptionBufferEntriesMax (4096) as credit.
    const subscription = unchecked.subscribe('sub-client', 1, async (entries) => {
      sizes.push(entries.length);
      lsns.push(...entries.map((e) => e.lsn));
      await sleep(5);
    });
    try {
      await waitFor(() => lsns.length, (n) => n >= 30);
      expect(lsns).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(cap);
      expect(sizes.length).toBeGreaterThanOrEqual(Math.ceil(30 / cap));
    } finally {
      subscription.close();
    }
  });
});
