// Three log nodes in this process (real sockets, real LevelDB): the log API end to end
// through the client library.

import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { checksumHex } from '../../log-service/checksum.js';
import { LogError } from '../../log-service/errors.js';
import type { LogEntry } from '../../log-service/state/types.js';
import { waitFor } from './helpers/wait.js';
import type { LogStore } from '../../log-service/store/log-store.js';
import { logEntryKey, logEntryRange } from '../../log-service/store/keys.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));
const asText = (entry: LogEntry) => Buffer.from(entry.payload).toString();

let cluster: InProcessCluster | null = null;
const clients: LogClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.close();
  cluster = null;
});

function clientFor(c: InProcessCluster, nodes = [...c.addresses.values()]): LogClient {
  const client = new LogClient({ nodes, timings: { appendTimeoutMs: 8000, requestTimeoutMs: 2000 } });
  clients.push(client);
  return client;
}


describe('log service cluster (in-process)', () => {
  it('commits conditional appends, gathers one turn into one batch, and every node agrees on tail and checksum', async () => {
    cluster = await startInProcessCluster();
    const client = clientFor(cluster);
    await cluster.leader();
    // Ten appends issued in one turn, chaining their prevLsn: one Append request.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client.append('shard-1', [text(`e${i + 1}`)], { prevLsn: i })));
    expect(results.map((r) => r.firstLsn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const { entries } = await client.read('shard-1', 1);
    expect(entries.map(asText)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i + 1}`));
    expect(new Set(entries.map((e) => e.batchSeq)).size).toBe(1); // one batch
    expect(entries.every((e) => e.writerId === client.writerId && e.v === 1)).toBe(true);
    const tail = await client.tail('shard-1');
    expect(tail.tailLsn).toBe(10);
    expect(checksumHex(tail.checksum)).toBe(checksumHex(entries[9]!.checksum));
    // Every node (followers too) serves the same committed entries and checksum.
    await waitFor(() => [...cluster!.nodes.values()].map((n) => n.status().logs['shard-1']?.tailLsn), (tails) => tails.every((t) => t === 10));
    for (const address of cluster.addresses.values()) {
      const fromNode = await client.read('shard-1', 1, { node: address });
      expect(fromNode.entries.map((e) => checksumHex(e.checksum))).toEqual(entries.map((e) => checksumHex(e.checksum)));
    }
    // A stale prevLsn conflicts and reports the tail; the log is unchanged.
    const conflict = await client.append('shard-1', [text('late')], { prevLsn: 3 }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(LogError);
    expect(conflict).toMatchObject({ code: 'LOG_CONFLICT', details: { tailLsn: 10 } });
    expect((await client.tail('shard-1')).tailLsn).toBe(10);
  });

  it('a Tail and a Read after an acknowledged append see it, also while state-machine snapshots come every few entries', async () => {
    // Applying committed entries waits for the next batch when a synced write is under way,
    // except when a state-machine snapshot is due: both paths must publish what they wrote.
    cluster = await startInProcessCluster({ limits: { raftCompactEveryEntries: 3, raftCompactMarginEntries: 1 } });
    const client = clientFor(cluster);
    await cluster.leader();
    // A steady load on another log, from another client: new entries keep arriving while
    // earlier ones commit, so commits also come in Readies that have entries to sync.
    const loader = clientFor(cluster);
    let loading = true;
    let loadPrevLsn = 0;
    const load = Promise.all(Array.from({ length: 8 }, async () => {
      while (loading) {
        const prevLsn = loadPrevLsn++;
        await loader.append('load', [text('x')], { prevLsn });
      }
    }));
    const tails = new Map<string, number>();
    for (let round = 0; round < 60; round++) {
      const burst = Array.from({ length: 1 + (round % 3) }, (_, i) => `log-${(round + i) % 2}`);
      const appended = await Promise.all(burst.map((log) => {
        const prevLsn = tails.get(log) ?? 0;
        tails.set(log, prevLsn + 1);
        return client.append(log, [text(`${log}:${prevLsn + 1}`)], { prevLsn }).then((result) => ({ log, lsn: result.lastLsn }));
      }));
      for (const { log, lsn } of appended) {
        expect((await client.tail(log)).tailLsn).toBeGreaterThanOrEqual(lsn);
        const { entries } = await client.read(log, lsn, { entriesMax: 1 });
        expect(entries.map(asText)).toEqual([`${log}:${lsn}`]);
      }
    }
    loading = false;
    await load;
  });

  it('pipelines batches: when batch k is rejected, the batch chained on it is rejected too', async () => {
    cluster = await startInProcessCluster();
    const writer = clientFor(cluster);
    const intruder = clientFor(cluster);
    await writer.append('s', [text('w1')], { prevLsn: 0 });
    await intruder.append('s', [text('i2')], { prevLsn: 1 });
    // The writer still believes the tail is 1: both of its chained appends must fail.
    const [k, k1] = await Promise.allSettled([
      writer.append('s', [text('w2')], { prevLsn: 1 }),
      writer.append('s', [text('w3')], { prevLsn: 2 }),
    ]);
    expect(k.status).toBe('rejected');
    expect(k1.status).toBe('rejected');
    expect((await writer.readAll('s', 1)).map(asText)).toEqual(['w1', 'i2']);
  });

  it('appendAtTail appends exactly once at whatever the tail is', async () => {
    cluster = await startInProcessCluster();
    const one = clientFor(cluster);
    const two = clientFor(cluster);
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => one.appendAtTail('t', [text(`one-${i}`)])),
      ...Array.from({ length: 20 }, (_, i) => two.appendAtTail('t', [text(`two-${i}`)])),
    ]);
    const lsns = results.map((r) => r.firstLsn).sort((a, b) => a - b);
    expect(lsns).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const entries = await one.readAll('t', 1);
    expect(entries.length).toBe(40);
    expect(new Set(entries.map(asText)).size).toBe(40);
  });

  it('follows NOT_LEADER redirects from a follower', async () => {
    cluster = await startInProcessCluster();
    const leader = await cluster.leader();
    const follower = [...cluster.nodes.values()].find((node) => node !== leader)!;
    const followerAddress = cluster.addresses.get(follower.status().id)!;
    const client = clientFor(cluster, [followerAddress, ...[...cluster.addresses.values()].filter((a) => a !== followerAddress)]);
    await expect(client.append('r', [text('x')], { prevLsn: 0 })).resolves.toEqual({ firstLsn: 1, lastLsn: 1 });
  });

  it('subscriptions push committed entries with flow control and resume after their node stops', async () => {
    cluster = await startInProcessCluster({ limits: { subscriptionBufferEntriesMax: 8 } });
    const leader = await cluster.leader();
    const follower = [...cluster.nodes.values()].find((node) => node !== leader)!;
    const followerId = follower.status().id;
    const writer = clientFor(cluster);
    const reader = new LogClient({ nodes: [...cluster.addresses.values()], limits: { subscriptionBufferEntriesMax: 8 }, timings: { requestTimeoutMs: 1000 } });
    clients.push(reader);
    const seen: number[] = [];
    let slow = true;
    const subscription = reader.subscribe('sub', 1, async (entries) => {
      for (const entry of entries) seen.push(entry.lsn);
      if (slow) await new Promise((resolve) => setTimeout(resolve, 5));
    }, { node: cluster.addresses.get(followerId)! });
    for (let i = 0; i < 60; i++) await writer.append('sub', [text(`v${i}`)], { prevLsn: i });
    await waitFor(() => seen.length, (n) => n >= 30);
    slow = false;
    await cluster.stop(followerId); // the subscription's node goes away mid-stream
    for (let i = 60; i < 80; i++) await writer.append('sub', [text(`v${i}`)], { prevLsn: i });
    await waitFor(() => seen.length, (n) => n >= 80);
    expect(seen).toEqual(Array.from({ length: 80 }, (_, i) => i + 1)); // in order, no gap, no duplicate
    expect(subscription.lastDeliveredLsn).toBe(80);
    subscription.close();
  });

  it('a subscriber that grants no more credit receives no more than its credit', async () => {
    cluster = await startInProcessCluster();
    const client = clientFor(cluster);
    for (let i = 0; i < 20; i++) await client.append('fc', [text(`v${i + 1}`)], { prevLsn: i });
    const leader = await cluster.leader();
    const connection = client.connection(cluster.addresses.get(leader.status().id)!);
    const received: number[] = [];
    const id = connection.reservePushId((push) => {
      for (const entry of (push.entries ?? []) as LogEntry[]) received.push(entry.lsn);
    });
    await connection.requestWithId(id, { op: 'subscribe', log: 'fc', fromLsn: 3, credit: 5 }, 2000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([3, 4, 5, 6, 7]);
    connection.signal({ op: 'credit', sub: id, entries: 2 });
    await waitFor(() => received.length, (n) => n === 7);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toEqual([3, 4, 5, 6, 7, 8, 9]);
    // New commits flow as credit allows.
    connection.signal({ op: 'credit', sub: id, entries: 100 });
    await client.append('fc', [text('v21')], { prevLsn: 20 });
    await waitFor(() => received.length, (n) => n === 19);
    expect(received.at(-1)).toBe(21);
  });

  it('trims only below the snapshot marker; reads and subscriptions below the trim point get LOG_TRIMMED', async () => {
    cluster = await startInProcessCluster();
    const client = clientFor(cluster);
    for (let i = 0; i < 10; i++) await client.append('tr', [text(`v${i + 1}`)], { prevLsn: i });
    await expect(client.trim('tr', 5)).rejects.toMatchObject({ code: 'LOG_TRIM_REFUSED', details: { snapshotLsn: 0 } });
    // The snapshotter's marker batch: a snapshot now covers up to LSN 6.
    await client.append('tr', [text('snapshot@6')], { prevLsn: 10, snapshotLsn: 6 });
    await expect(client.trim('tr', 8)).rejects.toMatchObject({ code: 'LOG_TRIM_REFUSED', details: { snapshotLsn: 6 } });
    await expect(client.trim('tr', 7)).resolves.toEqual({ firstLsn: 7 });
    await expect(client.read('tr', 3)).rejects.toMatchObject({ code: 'LOG_TRIMMED', details: { firstLsn: 7 } });
    expect((await client.read('tr', 7)).entries.map(asText)).toEqual(['v7', 'v8', 'v9', 'v10', 'snapshot@6']);
    // Every node applies the trim before the subscription: one that has not yet may serve it
    // from LSN 2 (those entries are still valid there), and it would never end.
    await waitFor(() => [...cluster!.nodes.values()].map((n) => n.status().logs.tr?.firstLsn), (f) => f.every((x) => x === 7));
    const ended = new Promise<LogError>((resolve) => client.subscribe('tr', 2, () => undefined, { onError: resolve }));
    expect((await ended).code).toBe('LOG_TRIMMED');
    // The snapshotter's other way: a MarkSnapshot that takes no LSN (the primary's chain of
    // conditional appends is not disturbed), with info returned by Tail.
    await expect(client.markSnapshot('tr', 99, text('s3://x'))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client.markSnapshot('tr', 10, text('s3://bucket/snap-10'))).resolves.toEqual({ snapshotLsn: 10 });
    await expect(client.markSnapshot('tr', 8, text('older'))).resolves.toEqual({ snapshotLsn: 10 }); // only forward
    const tail = await client.tail('tr');
    expect(tail).toMatchObject({ tailLsn: 11, snapshotLsn: 10 });
    expect(Buffer.from(tail.snapshotInfo!).toString()).toBe('s3://bucket/snap-10');
    await expect(client.append('tr', [text('v12')], { prevLsn: 11 })).resolves.toEqual({ firstLsn: 12, lastLsn: 12 });
    await expect(client.trim('tr', 11)).resolves.toEqual({ firstLsn: 11 });
    await expect(client.trim('tr', 12)).rejects.toMatchObject({ code: 'LOG_TRIM_REFUSED' });
  });

  it('stores a batch as one record: reads, trims and subscriptions that start inside a batch', async () => {
    cluster = await startInProcessCluster({ limits: { readEntriesMax: 3 } });
    const client = clientFor(cluster);
    // Three Appends of four entries: stored as records ending at 4, 8 and 12.
    for (let batch = 0; batch < 3; batch++) {
      const payloads = Array.from({ length: 4 }, (_, i) => text(`v${batch * 4 + i + 1}`));
      await expect(client.append('rec', payloads, { prevLsn: batch * 4 })).resolves.toEqual({ firstLsn: batch * 4 + 1, lastLsn: batch * 4 + 4 });
    }
    await client.append('rec', [text('marker')], { prevLsn: 12, snapshotLsn: 12 });
    const full = await client.readAll('rec', 1);
    expect(full.map(asText)).toEqual([...Array.from({ length: 12 }, (_, i) => `v${i + 1}`), 'marker']);
    expect(full.map((entry) => entry.batchSeq)).toEqual([...Array(4).fill(full[0]!.batchSeq), ...Array(4).fill(full[4]!.batchSeq), ...Array(4).fill(full[8]!.batchSeq), full[12]!.batchSeq]);
    expect(checksumHex(full[12]!.checksum)).toBe(checksumHex((await client.tail('rec')).checksum));
    // A trim inside the second record keeps it; reads skip its entries below the trim point, on
    // every node, and a read bounded to 3 entries stops inside a record.
    await expect(client.trim('rec', 7)).resolves.toEqual({ firstLsn: 7 });
    await waitFor(() => [...cluster!.nodes.values()].map((n) => n.status().logs.rec?.firstLsn), (f) => f.every((x) => x === 7));
    for (const address of cluster.addresses.values()) {
      await expect(client.read('rec', 6, { node: address })).rejects.toMatchObject({ code: 'LOG_TRIMMED', details: { firstLsn: 7 } });
      const read = await client.read('rec', 7, { node: address });
      expect(read.entries.map((entry) => [entry.lsn, asText(entry)])).toEqual([[7, 'v7'], [8, 'v8'], [9, 'v9']]);
      expect(read.entries.map((entry) => checksumHex(entry.checksum))).toEqual(full.slice(6, 9).map((entry) => checksumHex(entry.checksum)));
    }
    const seen: string[] = [];
    const subscription = client.subscribe('rec', 10, (entries) => { for (const entry of entries) seen.push(asText(entry)); });
    await waitFor(() => seen.length, (n) => n >= 4);
    expect(seen).toEqual(['v10', 'v11', 'v12', 'marker']);
    subscription.close();
    // A trim to just past a record's end: every node's sweeper deletes the records ending at 4
    // and 8 and keeps the one ending at 12 whole.
    await expect(client.trim('rec', 9)).resolves.toEqual({ firstLsn: 9 });
    expect((await client.readAll('rec', 9)).map(asText)).toEqual(['v9', 'v10', 'v11', 'v12', 'marker']);
    const storedKeys = async () => Promise.all([...cluster!.nodes.values()].map(async (node) => {
      const keys = await (node as unknown as { store: LogStore }).store.keys(logEntryRange('rec', 0, 100));
      return keys.map((key) => Number(Buffer.from(key).readBigUInt64BE(key.length - 8))).join(',');
    }));
    await waitFor(storedKeys, (perNode) => perNode.every((keys) => keys === '12,13'));
  });

  it('a corrupt stored record fails that read and ends that subscription there; the node goes on', async () => {
    cluster = await startInProcessCluster();
    const client = clientFor(cluster);
    await client.append('bad', [text('a'), text('b')], { prevLsn: 0 });
    await client.append('good', [text('g')], { prevLsn: 0 });
    const [id, address] = [...cluster.addresses.entries()][0]!;
    await waitFor(() => cluster!.nodes.get(id)!.status().logs.bad?.tailLsn, (tail) => tail === 2);
    const store = (cluster.nodes.get(id)! as unknown as { store: LogStore }).store;
    await store.batch([{ type: 'put', key: logEntryKey('bad', 2), value: text('not msgpack at all \xc1') }], { sync: true });
    await expect(client.read('bad', 1, { node: address })).rejects.toMatchObject({ code: 'QUORUM_UNAVAILABLE' });
    // A subscription that prefers that node ends there with the error and resumes from another.
    const seen: string[] = [];
    const subscription = client.subscribe('bad', 1, (entries) => { for (const entry of entries) seen.push(asText(entry)); }, { node: address });
    await waitFor(() => seen.length, (n) => n >= 2);
    expect(seen).toEqual(['a', 'b']);
    subscription.close();
    expect((await client.read('good', 1, { node: address })).entries.map(asText)).toEqual(['g']);
    expect(cluster.nodes.get(id)!.status().role).not.toBeNull();
  });

  it('refuses oversized entries and batches with typed errors, and survives bad frames', async () => {
    cluster = await startInProcessCluster({ limits: { entryBytesMax: 1000 } });
    const client = clientFor(cluster);
    await expect(client.append('lim', [new Uint8Array(1001)], { prevLsn: 0 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const address = [...cluster.addresses.values()][0]!;
    const [host, port] = address.split(':');
    // A frame whose length prefix is above frameBytesMax: FRAME_TOO_LARGE, then close.
    const answer = await new Promise<Buffer>((resolve) => {
      const socket = connect({ host: host!, port: Number(port) }, () => {
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(0x7fffffff);
        socket.write(prefix);
      });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks)));
    });
    expect(answer.toString('latin1')).toContain('FRAME_TOO_LARGE');
    // A malformed body: BAD_REQUEST, and the connection stays usable.
    const bad = await new Promise<string>((resolve) => {
      const socket = connect({ host: host!, port: Number(port) }, () => {
        socket.write(Buffer.from([0, 0, 0, 1, 0xc1]));
      });
      socket.on('data', (chunk) => {
        resolve(chunk.toString('latin1'));
        socket.destroy();
      });
    });
    expect(bad).toContain('BAD_REQUEST');
    // The node is fine.
    await expect(client.append('lim', [new Uint8Array(1000)], { prevLsn: 0 })).resolves.toMatchObject({ firstLsn: 1 });
  });
});
