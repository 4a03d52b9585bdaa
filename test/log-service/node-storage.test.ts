// The log node's durable layout on both LogStore implementations: Raft entries with suffix
// replacement, compaction, hard state, applied state, and snapshot install.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogStore } from '../../log-service/store/log-store.js';
import { LevelLogStore } from '../../log-service/store/level-store.js';
import { MemoryLogStore } from '../../log-service/store/memory-store.js';
import {
  appliedIndexOp,
  compactionOps,
  hardStateOp,
  identityOp,
  installSnapshotOps,
  loadState,
  raftEntriesOps,
  readLogEntries,
  readStateSnapshot,
  unreachableRanges,
} from '../../log-service/node/node-storage.js';
import { NamedLogs } from '../../log-service/state/named-logs.js';
import type { RaftEntry } from '../../log-service/raft/types.js';
import { Sweeper } from '../../log-service/node/sweeper.js';
import { logEntryRange } from '../../log-service/store/keys.js';
import pino from 'pino';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

const stores: Array<[string, () => Promise<LogStore>]> = [
  ['LevelLogStore', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'keel-node-storage-'));
    directories.push(directory);
    const store = new LevelLogStore(directory);
    await store.open();
    return store;
  }],
  ['MemoryLogStore', async () => {
    const store = new MemoryLogStore();
    await store.open();
    return store;
  }],
];

const entry = (index: number, term: number, data: string | null = `d${index}`): RaftEntry => ({
  index, term, data: data === null ? null : Uint8Array.from(Buffer.from(data)),
});

for (const [name, open] of stores) {
  describe(`node storage on ${name}`, () => {
    it('persists Raft entries, replaces a conflicting suffix, compacts, and reloads', async () => {
      const store = await open();
      await store.batch(raftEntriesOps(1, [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)], 0), { sync: true });
      // The leader of term 2 overwrites from index 3 with one entry: 4 must go.
      await store.batch([...raftEntriesOps(3, [entry(3, 2)], 4), hardStateOp({ term: 2, votedFor: 'b', commitIndex: 2 })], { sync: true });
      let state = await loadState(store);
      expect(state.entries.map((e) => [e.index, e.term])).toEqual([[1, 1], [2, 1], [3, 2]]);
      expect(state.hardState).toEqual({ term: 2, votedFor: 'b', commitIndex: 2 });
      expect(state.snapshot).toBeNull();
      expect(state.identity).toBeNull();
      await store.batch([...compactionOps({ index: 2, term: 1 }), appliedIndexOp(2), identityOp({ clusterId: 'c1', nodeId: 'a', catchingUp: false })], { sync: true });
      state = await loadState(store);
      expect(state.entries.map((e) => e.index)).toEqual([3]);
      expect(state.snapshot).toEqual({ index: 2, term: 1 });
      expect(state.appliedIndex).toBe(2);
      expect(state.identity).toEqual({ clusterId: 'c1', nodeId: 'a', catchingUp: false });
      expect(Buffer.from(state.entries[0]!.data!).toString()).toBe('d3');
      await store.close();
    });

    it('applies named-log commands, snapshots them, and installs the snapshot elsewhere', async () => {
      const source = await open();
      const logs = new NamedLogs();
      const bytes = (text: string) => Uint8Array.from(Buffer.from(text));
      // One stored record per Append, keyed by its last LSN: [1, 2] at 2, [3, 4] at 4, [5] at 5.
      const first = logs.apply({ t: 'append', log: 'L', prevLsn: 0, writerId: 'w', batchSeq: 1, payloads: [bytes('x'), bytes('y')] });
      const second = logs.apply({ t: 'append', log: 'L', prevLsn: 2, writerId: 'w', batchSeq: 2, payloads: [bytes('z'), bytes('u')] });
      const marker = logs.apply({ t: 'append', log: 'L', prevLsn: 4, writerId: 'w', batchSeq: 3, payloads: [bytes('v')], snapshotLsn: 3 });
      const trim = logs.apply({ t: 'trim', log: 'L', beforeLsn: 4 });
      expect([first, second, marker].map((applied) => applied.ops.length)).toEqual([2, 2, 2]); // the record and the meta
      await source.batch([...first.ops, ...second.ops, ...marker.ops, ...trim.ops, appliedIndexOp(9)], { sync: true });
      const loaded = await loadState(source);
      expect(loaded.logs.meta('L')).toMatchObject({ firstLsn: 4, tailLsn: 5, snapshotLsn: 3 });
      // The trim point falls inside the record [3, 4]: a read from 4 skips 3.
      const fromFour = await readLogEntries(source, 'L', 4, 5, 10, 1 << 20);
      expect(fromFour.map((e) => [e.lsn, Buffer.from(e.payload).toString(), e.batchSeq])).toEqual([[4, 'u', 2], [5, 'v', 3]]);
      expect((await readLogEntries(source, 'L', 2, 5, 2, 1 << 20)).map((e) => e.lsn)).toEqual([2, 3]);
      expect((await readLogEntries(source, 'L', 1, 3, 10, 1 << 20)).map((e) => e.lsn)).toEqual([1, 2, 3]);
      expect((await readLogEntries(source, 'L', 3, 5, 10, 1)).map((e) => e.lsn)).toEqual([3]); // bytes bound, at least one
      // The trimmed entries stay stored until swept (reads check firstLsn first); after a restart
      // unreachableRanges names them again. Only records wholly below the trim point go.
      expect(await readLogEntries(source, 'L', 1, 5, 10, 1 << 20).then((e) => e[0]?.lsn)).toBe(1);
      expect(trim.unreachable).toEqual(logEntryRange('L', 1, 4));
      expect(unreachableRanges(loaded)).toContainEqual(logEntryRange('L', 0, 4));
      const sweeper = new Sweeper(source, 1, 0, pino({ level: 'silent' }));
      for (const range of unreachableRanges(loaded)) sweeper.add(range);
      await sweeper.idle();
      expect(sweeper.deletedKeys).toBe(1);
      expect(await readLogEntries(source, 'L', 1, 5, 10, 1 << 20).then((e) => e[0]?.lsn)).toBe(3);
      const storeSnapshot = source.snapshot();
      const data = await readStateSnapshot(storeSnapshot, loaded.logs.cloneMetas());
      await storeSnapshot.close();

      const target = await open();
      await target.batch(raftEntriesOps(1, [entry(1, 1)], 0), { sync: true });
      const install = installSnapshotOps({ index: 9, term: 3, data });
      await target.batch(install.ops, { sync: true });
      const installed = await loadState(target);
      expect(installed.entries).toEqual([]);
      expect(installed.snapshot).toEqual({ index: 9, term: 3 });
      expect(installed.appliedIndex).toBe(9);
      expect(installed.logs.meta('L')).toEqual(loaded.logs.meta('L'));
      const copied = await readLogEntries(target, 'L', 4, 5, 10, 1 << 20);
      const original = await readLogEntries(source, 'L', 4, 5, 10, 1 << 20);
      expect(copied.map((e) => e.lsn)).toEqual([4, 5]);
      expect(copied.map((e) => Buffer.from(e.checksum).toString('hex'))).toEqual(original.map((e) => Buffer.from(e.checksum).toString('hex')));
      await source.close();
      await target.close();
    });
  });
}
