// connectionQueueBytesMax: a client that pipelines requests with large answers and does not
// read them must not make a log node queue more than the limit (plus one answer) for it. The
// requests all arrive in one TCP chunk, before any answer is written, so pausing the socket
// alone does not bound the queue: the node also holds back requests whose answers would not
// fit. Every request is still answered once the client reads, and an Unsubscribe cannot be
// overtaken by its held Subscribe. (A client that disconnects with requests held:
// connection-queue-disconnect.test.ts, against a real process.)

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import type { LogLimits } from '../../log-service/limits.js';
import type { LogNode } from '../../log-service/node/log-node.js';
import { encodeFrame, FrameDecoder } from '../../log-service/wire/frame.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

const frameBytesMax = 1024 * 1024;
const limits: Partial<LogLimits> = {
  frameBytesMax,
  connectionQueueBytesMax: frameBytesMax,
  entryBytesMax: 64 * 1024,
  batchBytesMax: 256 * 1024,
  batchEntriesMax: 8,
  readBytesMax: 256 * 1024,
};
const entryBytes = 60 * 1024;
const requests = 400;

let cluster: InProcessCluster;
let client: LogClient;

beforeAll(async () => {
  cluster = await startInProcessCluster({ limits });
  await cluster.leader();
  client = new LogClient({ nodes: [...cluster.addresses.values()], limits });
  // 40 entries of 60 KiB: every read from LSN 1 answers about readBytesMax (four entries).
  for (let lsn = 0; lsn < 40; lsn += 4) {
    await client.append('big', Array.from({ length: 4 }, (_, i) => new Uint8Array(entryBytes).fill(lsn + i)), { prevLsn: lsn });
  }
});

afterAll(async () => {
  client?.close();
  await cluster?.close();
});

interface ServerSideConnection { isPeer: boolean; subscriptions: Map<number, unknown>; connection: { queuedBytes: number } }

/** The node's connections from clients (peer links excluded); white-box, for what no answer shows. */
function clientConnections(node: LogNode): ServerSideConnection[] {
  const connections = (node.server as unknown as { connections: Set<ServerSideConnection> }).connections;
  return [...connections].filter((connection) => !connection.isPeer);
}

/** Bytes waiting in the node's write queues towards clients. */
function clientQueueBytes(node: LogNode): number[] {
  return clientConnections(node).map((connection) => connection.connection.queuedBytes);
}

describe('connectionQueueBytesMax', () => {
  it('bounds what a node queues for a client that pipelines large reads and does not read the answers', async () => {
    const node = await cluster.leader();
    const socket: Socket = connect(node.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause(); // reads nothing until told to

    const frames = Array.from({ length: requests }, (_, i) => encodeFrame({ id: i + 1, op: 'read', log: 'big', fromLsn: 1 }, frameBytesMax));
    socket.write(Buffer.concat(frames)); // about 14 KB: one chunk for the node

    let highest = 0;
    const deadline = performance.now() + 1500;
    while (performance.now() < deadline) {
      highest = Math.max(highest, ...clientQueueBytes(node));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Unbounded, 400 answers of ~256 KiB would queue ~100 MiB.
    expect(highest).toBeGreaterThan(0);
    expect(highest).toBeLessThanOrEqual(limits.connectionQueueBytesMax! + frameBytesMax);

    // Reading now, every request gets its full answer.
    const decoder = new FrameDecoder(frameBytesMax);
    const answered = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        for (const event of decoder.push(chunk)) {
          if (event.kind === 'error') return reject(event.error);
          const response = event.value as { id: number; ok: boolean; result?: { entries: unknown[] } };
          expect(response.ok).toBe(true);
          expect(response.result!.entries.length).toBe(4);
          answered.add(response.id);
        }
        if (answered.size === requests) resolve();
      });
      socket.resume();
    });
    socket.destroy();
    expect(answered.size).toBe(requests);
  }, 30_000);

  it('an Unsubscribe that overtakes its held Subscribe cancels it: no orphan subscription', async () => {
    const node = await cluster.leader();
    const socket: Socket = connect(node.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    const subscribeId = 10_000;
    // Reads fill the queue, so the Subscribe behind them is held; the Unsubscribe signal in the
    // same chunk is handled at once.
    socket.write(Buffer.concat([
      ...Array.from({ length: 20 }, (_, i) => encodeFrame({ id: i + 1, op: 'read', log: 'big', fromLsn: 1 }, frameBytesMax)),
      encodeFrame({ id: subscribeId, op: 'subscribe', log: 'big', fromLsn: 1, credit: 100 }, frameBytesMax),
      encodeFrame({ op: 'unsubscribe', sub: subscribeId }, frameBytesMax),
    ]));
    const decoder = new FrameDecoder(frameBytesMax);
    const frames: Array<{ id?: number; push?: number; ok?: boolean; error?: { message: string } }> = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        for (const event of decoder.push(chunk)) {
          if (event.kind === 'error') return reject(event.error);
          frames.push(event.value as (typeof frames)[number]);
        }
        if (frames.filter((frame) => frame.id !== undefined).length === 21) resolve();
      });
      socket.resume();
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answer = frames.find((frame) => frame.id === subscribeId)!;
    expect(answer.ok).toBe(false);
    expect(answer.error!.message).toContain('unsubscribed before the subscription started');
    expect(frames.filter((frame) => frame.push === subscribeId)).toEqual([]);
    const server = clientConnections(node).find((connection) => connection.subscriptions.size > 0);
    expect(server).toBeUndefined();
    socket.destroy();
  }, 30_000);
});
