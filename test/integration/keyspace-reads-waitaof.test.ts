// Keyspace-wide reads and WAITAOF with real processes: three `keel log-node`s, `keel server`s on
// them, raw RESP clients. INFO keyspace (like DBSIZE) may not reveal an uncommitted write while
// INFO replication/persistence answer at once; WAITAOF's numlocal waits for the log quorum;
// a replica reports the LSN it applied as its last and committed LSN.
import { afterAll, describe, expect, it } from 'vitest';
import { startKeel, type KeelProcess } from '../helpers/server.js';
import { info, waitFor, logClusterForFile } from '../helpers/db-nodes.js';
import { RawClient } from '../helpers/resp-client.js';

const fixture = logClusterForFile();
const nodes = fixture.nodes;
const memoryServers: KeelProcess[] = [];

afterAll(() => {
  for (const server of memoryServers) server.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pauses two of the three log nodes (no quorum: nothing commits) around `body`. */
async function withoutQuorum(body: () => Promise<void>): Promise<void> {
  fixture.cluster.signal('b', 'SIGSTOP');
  fixture.cluster.signal('c', 'SIGSTOP');
  try {
    await body();
  } finally {
    fixture.cluster.signal('b', 'SIGCONT');
    fixture.cluster.signal('c', 'SIGCONT');
  }
}

/** Waits until the node takes writes again (it reconciles with the log after a failed commit). */
async function writable(client: RawClient): Promise<void> {
  await waitFor(() => client.call('SET', 'probe', '1'), (reply) => reply === '+OK\r\n', 30_000);
}

function field(text: string, name: string): string {
  return new RegExp(`${name}:(\\S*)`).exec(text)?.[1] ?? '';
}

const WAITAOF_ON_REPLICA = '-ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.\r\n';
const WAITAOF_WITHOUT_AOF = '-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.\r\n';

describe('keyspace-wide reads wait for every uncommitted write', () => {
  it('INFO keyspace (and plain INFO) wait for the write in flight; INFO replication and persistence answer at once', async () => {
    const primary = await nodes.startPrimary('info-keyspace', ['--shard', '1']);
    const [writer, reader, defaults, other] = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(primary.port)));
    try {
      expect(await writer.call('SET', 'committed', '1')).toBe('+OK\r\n');
      expect(await reader.call('INFO', 'keyspace')).toMatch(/db0:keys=1,/);
      await withoutQuorum(async () => {
        writer.send('SET', 'uncommitted', 'v');
        const write = writer.read(10_000);
        await sleep(100);
        let keyspaceAnsweredAt = 0;
        reader.send('INFO', 'KeySpace');
        const keyspace = reader.read(10_000).then((text) => { keyspaceAnsweredAt = Date.now(); return text; });
        defaults.send('INFO');
        const all = defaults.read(10_000);
        const askedAt = Date.now();
        expect(await other.call('INFO', 'replication')).toMatch(/role:master/);
        expect(await other.call('INFO', 'persistence')).toMatch(/keel_durability:quorum-log/);
        expect(Date.now() - askedAt).toBeLessThan(1_000);
        expect(keyspaceAnsweredAt).toBe(0);
        // The write's outcome becomes unknown (commit timeout): the held reads fail with it.
        expect(await keyspace).toMatch(/^-TRYAGAIN/);
        expect(await all).toMatch(/^-TRYAGAIN/);
        expect(await write).toMatch(/^-TRYAGAIN/);
      });
      await writable(writer);
      const keys = Number(/db0:keys=(\d+),/.exec(await reader.call('INFO', 'keyspace'))?.[1]);
      // committed, probe, and 'uncommitted' if the timed-out write did happen after all.
      expect([2, 3]).toContain(keys);
      expect(await reader.call('DBSIZE')).toBe(`:${keys}\r\n`);
    } finally {
      for (const client of [writer, reader, defaults, other]) client.close();
    }
  }, 60_000);
});

describe('WAITAOF', () => {
  it('numlocal waits for the log quorum: [1, 0] once committed, [0, 0] at the timeout while the log has no quorum', async () => {
    const primary = await nodes.startPrimary('waitaof', ['--shard', '2']);
    const [client, skipper] = await Promise.all([RawClient.connect(primary.port), RawClient.connect(primary.port)]);
    try {
      expect(await client.call('WAITAOF', '1', '0', '0')).toBe('*2\r\n:1\r\n:0\r\n'); // no write yet
      client.send('SET', 'w', 'v');
      client.send('WAITAOF', '1', '0', '0');
      expect(await client.read()).toBe('+OK\r\n');
      expect(await client.read()).toBe('*2\r\n:1\r\n:0\r\n');
      // Inside MULTI nothing blocks: as in Redis, WAIT and WAITAOF answer the counts as they stand.
      expect(await client.call('MULTI')).toBe('+OK\r\n');
      expect(await client.call('WAIT', '1', '0')).toBe('+QUEUED\r\n');
      expect(await client.call('WAITAOF', '1', '1', '0')).toBe('+QUEUED\r\n');
      expect(await client.call('EXEC')).toBe('*2\r\n:0\r\n*2\r\n:1\r\n:0\r\n');
      expect(await client.call('WAITAOF', '-1', '0', '0')).toBe('-ERR value is out of range, must be positive\r\n');
      expect(await client.call('WAITAOF', '0', '-1', '0')).toBe('-ERR value is out of range, must be positive\r\n');
      await withoutQuorum(async () => {
        // The write's own reply is held in front of WAITAOF's (replies keep their order).
        client.send('SET', 'w2', 'v');
        client.send('WAITAOF', '1', '0', '300');
        // With no reply held in front (CLIENT REPLY SKIP drops the SET's), the timeout shows.
        skipper.send('CLIENT', 'REPLY', 'SKIP');
        skipper.send('SET', 'w3', 'v');
        const startedAt = Date.now();
        skipper.send('WAITAOF', '1', '0', '400');
        expect(await skipper.read(10_000)).toBe('*2\r\n:0\r\n:0\r\n');
        const elapsed = Date.now() - startedAt;
        expect(elapsed).toBeGreaterThanOrEqual(350);
        expect(elapsed).toBeLessThan(1_400); // before the commit timeout (1500 ms) fails the write
        expect(await client.read(10_000)).toMatch(/^-TRYAGAIN/);
        expect(await client.read(10_000)).toBe('*2\r\n:0\r\n:0\r\n');
      });
      await writable(client);
      client.send('SET', 'w4', 'v');
      client.send('WAITAOF', '1', '0', '5000');
      expect(await client.read()).toBe('+OK\r\n');
      expect(await client.read()).toBe('*2\r\n:1\r\n:0\r\n');
    } finally {
      client.close();
      skipper.close();
    }
  }, 60_000);

  it('--log none: numlocal > 0 gets Redis\'s appendonly-off error; numlocal 0 gets [0, 0]', async () => {
    const server = await startKeel(['--log', 'none']);
    memoryServers.push(server);
    const client = await RawClient.connect(server.port);
    try {
      expect(await client.call('SET', 'k', 'v')).toBe('+OK\r\n');
      expect(await client.call('WAITAOF', '1', '0', '0')).toBe(WAITAOF_WITHOUT_AOF);
      expect(await client.call('WAITAOF', '0', '0', '0')).toBe('*2\r\n:0\r\n:0\r\n');
    } finally {
      client.close();
    }
  }, 30_000);
});

describe('a replica', () => {
  it('reports the LSN it applied as keel_last_lsn and keel_committed_lsn; WAITAOF gets Redis\'s replica error', async () => {
    const primary = await nodes.startPrimary('lsn-p', ['--shard', '3']);
    const replica = await nodes.start('lsn-r', ['--shard', '3', '--az', 'b']);
    const [writer, reader] = await Promise.all([RawClient.connect(primary.port), RawClient.connect(replica.port)]);
    try {
      for (let i = 0; i < 20; i++) expect(await writer.call('SET', `k${i}`, String(i))).toBe('+OK\r\n');
      const primaryLast = Number(await info(primary, 'keel_last_lsn'));
      await waitFor(() => info(replica, 'keel_applied_lsn'), (lsn) => Number(lsn) >= primaryLast);
      const text = await reader.call('INFO', 'persistence', 'replication');
      const applied = Number(field(text, 'keel_applied_lsn'));
      expect(field(text, 'role')).toBe('slave');
      expect(applied).toBeGreaterThanOrEqual(primaryLast);
      expect(Number(field(text, 'keel_last_lsn'))).toBe(applied);
      expect(Number(field(text, 'keel_committed_lsn'))).toBe(applied);
      // Lease renewals keep appending; the replica stays close behind the primary.
      const primaryNow = Number(field(await writer.call('INFO', 'persistence'), 'keel_last_lsn'));
      expect(Math.abs(primaryNow - applied)).toBeLessThan(100);
      expect(await reader.call('WAITAOF', '0', '0', '0')).toBe(WAITAOF_ON_REPLICA);
      expect(await reader.call('WAITAOF', '1', '0', '0')).toBe(WAITAOF_ON_REPLICA);
      // Nothing on a replica waits: INFO keyspace answers with the replicated keys.
      expect(await reader.call('INFO', 'keyspace')).toMatch(/db0:keys=20,/);
    } finally {
      writer.close();
      reader.close();
    }
  }, 60_000);
});
