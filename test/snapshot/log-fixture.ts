// A one-node log service in this process (as the embedded log of `keel server`) and a writer
// that appends effect records at the tail, for snapshotter tests.
import pino from 'pino';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogNode } from '../../log-service/node/log-node.js';
import { LogClient } from '../../log-service/client/log-client.js';
import { Engine } from '../../src/engine/engine.js';
import { encodeRecord, type ShardRecord } from '../../src/replication/records.js';
import type { Effect } from '../../src/engine/effects.js';

export const quietLogger = pino({ level: 'silent' });

export interface LogFixture {
  node: LogNode;
  address: string;
  client: LogClient;
  close(): Promise<void>;
}

export async function startLog(): Promise<LogFixture> {
  const node = await LogNode.start({
    id: 'local', listen: '127.0.0.1:0', dir: join(mkdtempSync(join(tmpdir(), 'keel-snaplog-')), 'log'),
    peers: new Map([['local', '127.0.0.1:0']]), logger: quietLogger,
  });
  const address = `127.0.0.1:${node.port}`;
  const client = new LogClient({ nodes: [address] });
  return { node, address, client, close: async () => { client.close(); await node.close(); } };
}

/** Writes effect batches at the tail and remembers each record by LSN (the reference history). */
export class RecordingWriter {
  readonly history = new Map<number, ShardRecord>();
  private counter = 0;

  constructor(private readonly client: LogClient, private readonly logName: string, private readonly random: () => number) {}

  async write(record: ShardRecord): Promise<number> {
    const { firstLsn } = await this.client.appendAtTail(this.logName, [encodeRecord(record)]);
    this.history.set(firstLsn, record);
    return firstLsn;
  }

  /** One random effect batch over a small key space (every type, TTLs, deletes). */
  nextBatch(): Effect[] {
    const n = this.counter++;
    const key = `k${Math.floor(this.random() * 50)}`;
    const db = Math.floor(this.random() * 3);
    const pick = Math.floor(this.random() * 8);
    const argv: string[][] = [
      [['SET', `s:${key}`, `v${n}`]],
      [['HSET', `h:${key}`, `f${n % 7}`, `v${n}`]],
      [['RPUSH', `l:${key}`, `e${n}`]],
      [['SADD', `t:${key}`, `m${n % 11}`]],
      [['ZADD', `z:${key}`, String(n % 13), `m${n % 17}`]],
      [['DEL', `s:${key}`]],
      [['SET', `s:${key}`, `x${n}`], ['PEXPIREAT', `s:${key}`, String(1_900_000_000_000 + n)]],
      [['SADD', `t:${key}`, String(n)], ['SREM', `t:${key}`, String(n - 1)]],
    ][pick]!;
    return argv.map((args) => ({ db, argv: args }));
  }

  /** The state after applying the history up to lsn. */
  stateAt(lsn: number): Engine {
    const engine = new Engine();
    for (const at of [...this.history.keys()].sort((a, b) => a - b)) {
      if (at > lsn) break;
      const record = this.history.get(at)!;
      if (record.t === 'effects') engine.applyEffects(record.batch);
    }
    return engine;
  }
}
