// A data set with every type in every encoding, binary keys and values, TTLs (future and
// already past but not yet deleted), in several databases: what snapshots must reproduce.
import { EngineHarness } from '../helpers/engine.js';
import { dumpEngine } from '../helpers/engine.js';
import type { Engine } from '../../src/engine/engine.js';

export const fixtureNowMs = 1_700_000_000_000;

export function allTypesHarness(scale = 1): EngineHarness {
  const h = new EngineHarness({ nowMs: fixtureNowMs, seed: 7 });
  const binary = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
  for (const db of [0, 3, 15]) {
    h.client.dbIndex = db;
    h.run('SET', 'str', `value-in-${db}`);
    h.run('SET', `bin${binary}`, binary);
    h.run('SET', 'int', 12345);
    h.run('SET', 'empty', '');
    h.run('SET', 'ttl-str', 'x', 'PXAT', fixtureNowMs + 60_000);
    h.run('RPUSH', 'list-small', 'a', 'b', binary);
    for (let i = 0; i < 300 * scale; i++) h.run('RPUSH', 'list-big', `element-${i}`);
    h.run('HSET', 'hash-small', 'f1', 'v1', 'f2', binary);
    for (let i = 0; i < 200 * scale; i++) h.run('HSET', 'hash-big', `field-${i}`, `v${i}`);
    h.run('SADD', 'set-int', 1, 2, 3, -5);
    h.run('SADD', 'set-small', 'a', 'b', binary);
    for (let i = 0; i < 600 * scale; i++) h.run('SADD', 'set-big', `m${i}`);
    h.run('ZADD', 'zset-small', 1, 'a', '-inf', 'lo', 'inf', 'hi', 2.5, binary);
    for (let i = 0; i < 200 * scale; i++) h.run('ZADD', 'zset-big', i / 3, `member-${i}`);
    h.run('PFADD', 'hll', 'a', 'b', 'c');
    h.run('PEXPIREAT', 'list-small', fixtureNowMs + 1_000_000);
    h.run('PEXPIREAT', 'zset-big', fixtureNowMs + 5);
    // Past its TTL but not deleted yet (the primary's DEL is still to come in the log).
    h.exec(['SET', 'expired-pending', 'v'], 'apply');
    h.exec(['PEXPIREAT', 'expired-pending', String(fixtureNowMs - 10)], 'apply');
  }
  h.client.dbIndex = 0;
  return h;
}

/** Every key with its value, TTL and OBJECT ENCODING. */
export function fullDump(engine: Engine): unknown[] {
  const rows = dumpEngine(engine) as [number, string, string, unknown, number][];
  return rows.map((row) => {
    const value = engine.database(row[0]).peek(row[1])!.value;
    return [...row, typeof value === 'string' ? 'string' : value.encoding()];
  });
}
