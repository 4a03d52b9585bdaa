// Three real log-node processes under faults: kill -9 of the leader during pipelined
// conditional appends, a minority partition (SIGSTOP), catch-up of a restarted node, and a
// restart of all three. Nothing acknowledged may be lost, duplicated or moved.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogClient } from '../../log-service/client/log-client.js';
import { checksumHex } from '../../log-service/checksum.js';
import { LogError } from '../../log-service/errors.js';
import type { NodeStatus, TailResult } from '../../log-service/wire/protocol.js';
import { startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';

const text = (value: string) => Uint8Array.from(Buffer.from(value));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const logs = ['w0', 'w1', 'w2', 'w3'];

let cluster: ProcessCluster;
let client: LogClient;

async function statuses(): Promise<Array<NodeStatus | null>> {
  return client.statusAll();
}

async function waitForLeader(timeoutMs: number, minTerm = 0, exclude?: string): Promise<NodeStatus> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const leader = (await statuses()).find((s) => s && s.role === 'leader' && s.term > minTerm && s.id !== exclude);
    if (leader) return leader;
    await sleep(20);
  }
  throw new Error(`no leader within ${timeoutMs} ms`);
}

/** tail:checksum of a log at every node (answered by that node from its own state). */
async function tailsEverywhere(log: string): Promise<string[]> {
  return Promise.all(
    cluster.nodeList.map(async (address) => {
      const tail = await client.connection(address).request<TailResult>({ op: 'tail', log }, 2000);
      return `${tail.tailLsn}:${checksumHex(tail.checksum)}`;
    }),
  );
}

/**
 * Waits until every node shows the same tail, at least `tailLsnMin`. A node shows an applied
 * entry once its state-machine write is done, which may be just after the leader acknowledged
 * it: pass the acknowledged tail to wait for that write too.
 */
async function waitForSameTails(log: string, tailLsnMin = 0, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await tailsEverywhere(log).catch(() => []);
    if (last.length === 3 && new Set(last).size === 1 && Number(last[0]!.split(':')[0]) >= tailLsnMin) return last[0]!;
    await sleep(50);
  }
  throw new Error(`tails never agreed: ${JSON.stringify(last)}`);
}

/**
 * One writer per log, like a db primary: it assigns LSNs itself and keeps several chained
 * conditional appends in flight. After an error whose outcome is unknown it re-learns the
 * tail and carries on from there.
 */
class ChainedWriter {
  readonly acked = new Map<number, string>(); // lsn -> payload
  readonly unknown = new Set<string>();
  private next = 0;
  private seq = 0;
  private stopped = false;
  private failures = 0;

  constructor(private readonly log: string) {}

  async run(): Promise<void> {
    while (!this.stopped) {
      const inFlight: Array<Promise<void>> = [];
      let broken = false;
      for (let i = 0; i < 4; i++) {
        const prevLsn = this.next;
        const payload = `${this.log}-${++this.seq}`;
        this.next += 1;
        inFlight.push(
          client.append(this.log, [text(payload)], { prevLsn }).then(
            (result) => {
              expect(result.firstLsn).toBe(prevLsn + 1); // exactly where it was asked to go
              this.acked.set(result.firstLsn, payload);
            },
            (error: unknown) => {
              broken = true;
              if (!(error instanceof LogError) || error.code !== 'LOG_CONFLICT') this.unknown.add(payload);
              this.failures += 1;
            },
          ),
        );
      }
      await Promise.all(inFlight);
      if (broken) this.next = (await client.tail(this.log)).tailLsn;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  async verify(): Promise<number> {
    const entries = await client.readAll(this.log, 1);
    const payloads = entries.map((entry) => Buffer.from(entry.payload).toString());
    expect(entries.map((entry) => entry.lsn)).toEqual(entries.map((_, i) => i + 1)); // contiguous
    expect(new Set(payloads).size).toBe(payloads.length); // no duplicate
    for (const [lsn, payload] of this.acked) expect(payloads[lsn - 1]).toBe(payload); // nothing acknowledged lost or moved
    for (const payload of payloads) {
      const ackedHere = [...this.acked.values()].includes(payload);
      expect(ackedHere || this.unknown.has(payload)).toBe(true); // nothing invented
    }
    return entries.length;
  }
}

beforeAll(async () => {
  cluster = await startProcessCluster();
  client = new LogClient({ nodes: cluster.nodeList, timings: { requestTimeoutMs: 1000, appendTimeoutMs: 6000 } });
  await waitForLeader(10_000);
}, 60_000);

afterAll(async () => {
  client?.close();
  await cluster?.close();
});

describe('log service with three real processes', () => {
  it('kill -9 of the leader during appends: a new leader in about a second, nothing acknowledged lost or duplicated', async () => {
    const writers = logs.map((log) => new ChainedWriter(log));
    const running = writers.map((writer) => writer.run());
    await sleep(400);
    const before = await waitForLeader(2000);
    const killedAt = Date.now();
    await cluster.kill(before.id, 'SIGKILL');
    try {
      const after = await waitForLeader(5000, before.term, before.id);
      const electionMs = Date.now() - killedAt;
      console.log(`new leader ${after.id} (term ${after.term}) ${electionMs} ms after kill -9 of ${before.id}`);
      expect(electionMs).toBeLessThan(2000);
      await sleep(600);
    } finally {
      for (const writer of writers) writer.stop();
      await Promise.all(running);
    }
    console.log(`acknowledged ${writers.map((w) => w.acked.size).join('/')}, unknown outcome ${writers.map((w) => w.unknown.size).join('/')}, client ${JSON.stringify(client.stats)}`);
    try {
      let total = 0;
      for (const writer of writers) {
        expect(writer.acked.size).toBeGreaterThan(0);
        total += await writer.verify();
      }
      expect(total).toBeGreaterThan(40);
    } finally {
      // The killed node restarts (whatever happened above, so later tests see three nodes)…
      cluster.start(before.id);
    }
    // …and catches up to the same tail and checksum.
    for (const log of logs) await waitForSameTails(log);
  });

  it('a minority partition cannot commit; after healing the cluster commits again', async () => {
    const leader = await waitForLeader(5000);
    const others = cluster.ids.filter((id) => id !== leader.id);
    const leaderAddress = cluster.addresses.get(leader.id)!;
    const tailBefore = (await client.tail('p')).tailLsn;
    for (const id of others) cluster.signal(id, 'SIGSTOP');
    try {
      const isolated = new LogClient({ nodes: [leaderAddress], timings: { requestTimeoutMs: 500, appendTimeoutMs: 1500 } });
      const outcome = await isolated.append('p', [text('isolated')], { prevLsn: tailBefore }).catch((error: unknown) => error);
      isolated.close();
      expect(outcome).toBeInstanceOf(LogError);
      expect(['QUORUM_UNAVAILABLE', 'TIMEOUT']).toContain((outcome as LogError).code);
      const isolatedStatus = await client.status(leaderAddress);
      expect(isolatedStatus.logs.p?.tailLsn ?? 0).toBe(tailBefore); // nothing committed alone
      expect(isolatedStatus.role).not.toBe('leader'); // check-quorum made it step down
    } finally {
      for (const id of others) cluster.signal(id, 'SIGCONT');
    }
    await waitForLeader(5000);
    const tail = (await client.tail('p')).tailLsn;
    expect(tail - tailBefore).toBeLessThanOrEqual(1); // the isolated append: at most once
    await expect(client.append('p', [text('healed')], { prevLsn: tail })).resolves.toMatchObject({ firstLsn: tail + 1 });
  });

  it('a restart of all three keeps every log intact', async () => {
    const before = new Map<string, string>();
    // The Tail through the leader waits for everything committed when it is asked.
    for (const log of [...logs, 'p']) before.set(log, await waitForSameTails(log, (await client.tail(log)).tailLsn));
    for (const id of cluster.ids) await cluster.kill(id, 'SIGKILL');
    for (const id of cluster.ids) cluster.start(id);
    await waitForLeader(10_000);
    for (const [log, tail] of before) expect(await waitForSameTails(log, Number(tail.split(':')[0]))).toBe(tail);
    const tail = (await client.tail('w0')).tailLsn;
    await expect(client.append('w0', [text('after-restart')], { prevLsn: tail })).resolves.toMatchObject({ firstLsn: tail + 1 });
  });
});
