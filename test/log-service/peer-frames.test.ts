// Malformed Raft frames from a "peer" (the audit's attack: anyone who can connect reads the
// cluster id from the unauthenticated identity op, says peer-hello, then sends garbage): the
// real log-node process must drop the frame, close that link, log why, and carry on.

import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { FramedConnection } from '../../log-service/wire/connection.js';
import type { IdentityResult, NodeStatus } from '../../log-service/wire/protocol.js';
import { startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';
import { waitFor } from './helpers/wait.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));

let cluster: ProcessCluster;
let client: LogClient;

/** A bare framed connection speaking the node protocol by hand. */
class RawLink {
  private readonly waiting = new Map<number, (frame: Record<string, unknown>) => void>();
  private nextId = 1;
  readonly connection: FramedConnection;
  readonly closed: Promise<void>;

  constructor(address: string) {
    const [host, port] = address.split(':');
    let onClose!: () => void;
    this.closed = new Promise((resolve) => (onClose = resolve));
    this.connection = new FramedConnection(connect({ host: host!, port: Number(port) }), 1 << 20, {
      onFrame: (value) => {
        const frame = value as Record<string, unknown>;
        this.waiting.get(frame.id as number)?.(frame);
      },
      onFrameError: () => undefined,
      onClose,
    });
  }

  request<T>(op: string): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${op}`)), 3000);
      this.waiting.set(id, (frame) => {
        clearTimeout(timer);
        if (frame.ok) resolve(frame.result as T);
        else reject(new Error(JSON.stringify(frame.error)));
      });
      this.connection.send({ id, op });
    });
  }

  async closedWithin(ms: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
  }
}

async function leaderStatus(): Promise<NodeStatus> {
  return waitFor(
    async () => (await client.statusAll()).find((s) => s?.role === 'leader') ?? null,
    (status) => status !== null,
  ) as Promise<NodeStatus>;
}

beforeAll(async () => {
  cluster = await startProcessCluster();
  client = new LogClient({ nodes: cluster.nodeList, timings: { requestTimeoutMs: 1000, appendTimeoutMs: 6000 } });
  await leaderStatus();
}, 60_000);

afterAll(async () => {
  client?.close();
  await cluster?.close();
});

describe('malformed Raft frames from a peer connection', () => {
  it('are dropped and the link closed; the node keeps serving and committing', async () => {
    for (let i = 1; i <= 3; i++) await client.append('peer-frames', [text(`before-${i}`)], { prevLsn: i - 1 });
    const leader = await leaderStatus();
    const targetId = cluster.ids.find((id) => id !== leader.id)!;
    const targetAddress = cluster.addresses.get(targetId)!;
    const child = cluster.processes.get(targetId)!;
    // A follower that holds and knows committed everything (so its log ends at commitIndex).
    const target = await waitFor(() => client.status(targetAddress), (status) => status.commitIndex === leader.commitIndex);
    const header = { type: 'AppendEntries', from: leader.id, to: targetId, term: target.term + 1, leaderCommit: 0, leaderLastIndex: 0 };
    const attacks = [
      // Entries that are not entries, more of them than the commit index (the core read .term of one).
      { op: 'raft', message: { ...header, prevLogIndex: 0, prevLogTerm: 0, entries: new Array(target.commitIndex + 10).fill(null) } },
      // The audit's frame: entries is a string, matching our last entry (the core read .term of 'x'.index).
      { op: 'raft', message: { ...header, prevLogIndex: target.commitIndex, prevLogTerm: leader.term, entries: 'x' } },
      // A well-formed message with checksum chains that are not (node/chain-hints.ts).
      { op: 'raft', message: { type: 'HeartbeatResponse', from: leader.id, to: targetId, term: target.term, lastLogIndex: 0 }, hints: [[1, 1, text('short'), text('x')]] },
    ];

    for (const frame of attacks) {
      const link = new RawLink(targetAddress);
      const identity = await link.request<IdentityResult>('identity');
      expect(identity).toMatchObject({ nodeId: targetId });
      expect(identity.clusterId).toEqual(expect.any(String));
      link.connection.send({ op: 'peer-hello', from: leader.id, clusterId: identity.clusterId });
      // Still open after the hello: the node took us for a peer.
      await expect(link.request<NodeStatus>('status')).resolves.toMatchObject({ id: targetId });
      // Two bad frames in one write: the first closes the link, the second is never looked at.
      link.connection.send(frame);
      link.connection.send(frame);
      expect(await link.closedWithin(3000)).toBe(true);
      // Closed by the node, which is still running (not by its death).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(child.exitCode).toBeNull();
    }

    // The process is alive and answers Status.
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    await expect(client.status(targetAddress)).resolves.toMatchObject({ id: targetId });

    // It still replicates: new appends commit and reach it.
    const { tailLsn } = await client.tail('peer-frames');
    for (let i = 1; i <= 3; i++) await client.append('peer-frames', [text(`after-${i}`)], { prevLsn: tailLsn + i - 1 });
    await waitFor(async () => (await client.status(targetAddress)).logs['peer-frames']?.tailLsn, (tail) => tail === 6);
    expect(child.exitCode).toBeNull();

    // One warning per closed link, with the reason.
    const warnings = (await readFile(join(cluster.root, `${targetId}.log`), 'utf8'))
      .split('\n')
      .filter((line) => line.includes('malformed Raft message'))
      .map((line) => JSON.parse(line) as { reason: string; peer: string });
    expect(warnings.map((w) => w.reason)).toEqual([
      'AppendEntries.entries entry 0 is not a map',
      'AppendEntries.entries must be an array',
      'a hint has a bad basis',
    ]);
    expect(warnings.every((w) => w.peer === leader.id)).toBe(true);
  }, 60_000);
});
