// A client that pipelines large reads, reads no answer and disconnects while the log node
// holds its requests back (connectionQueueBytesMax) must cost the node nothing more. A version
// of the hold made the leader spin at 100 % CPU in microtasks after such a disconnect. The
// node runs in its own process here, so a spin fails this test (CPU time, a stalled answer)
// instead of freezing the test runner's own event loop and its timeouts.

import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { encodeFrame } from '../../log-service/wire/frame.js';
import type { NodeStatus } from '../../log-service/wire/protocol.js';
import { startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';
import { waitFor } from './helpers/wait.js';

const frameBytesMax = 1024 * 1024;
const limitFlags = [
  '--frame-bytes-max', String(frameBytesMax),
  '--connection-queue-bytes-max', String(frameBytesMax),
  '--entry-bytes-max', String(64 * 1024),
  '--batch-bytes-max', String(256 * 1024),
  '--batch-entries-max', '8',
  '--read-bytes-max', String(256 * 1024),
];
const clientLimits = { frameBytesMax, entryBytesMax: 64 * 1024, batchBytesMax: 256 * 1024, batchEntriesMax: 8, readBytesMax: 256 * 1024 };
const entryBytes = 60 * 1024;
const requests = 400;

let cluster: ProcessCluster;
let client: LogClient;

beforeAll(async () => {
  cluster = await startProcessCluster(limitFlags);
  client = new LogClient({ nodes: cluster.nodeList, limits: clientLimits });
  await waitFor(() => client.statusAll(), (statuses) => statuses.some((status) => status?.role === 'leader'));
  // 40 entries of 60 KiB: every read from LSN 1 answers about readBytesMax (four entries).
  for (let lsn = 0; lsn < 40; lsn += 4) {
    await client.append('big', Array.from({ length: 4 }, (_, i) => new Uint8Array(entryBytes).fill(lsn + i)), { prevLsn: lsn });
  }
}, 30_000);

afterAll(async () => {
  client?.close();
  await cluster?.close();
});

/** CPU seconds (user + system) a process has used so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
}

it.runIf(process.platform === 'linux')('a client that disconnects with requests held costs the leader nothing more, and it goes on serving', async () => {
  const leader = (await client.statusAll()).find((status): status is NodeStatus => status?.role === 'leader')!;
  const pid = cluster.processes.get(leader.id)!.pid!;
  const socket: Socket = connect(Number(cluster.addresses.get(leader.id)!.split(':')[1]), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause(); // reads nothing: the node's queue fills and it holds the other requests
  socket.write(Buffer.concat(Array.from({ length: requests }, (_, i) => encodeFrame({ id: i + 1, op: 'read', log: 'big', fromLsn: 1 }, frameBytesMax))));
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));

  const before = cpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // An idle node ticks and sends heartbeats: a few per cent of a core. A spin is about 100 %.
  expect(cpuSeconds(pid) - before).toBeLessThan(0.3);
  expect(await client.append('big', [new Uint8Array(10)], { prevLsn: 40 })).toMatchObject({ firstLsn: 41, lastLsn: 41 });
}, 30_000);
