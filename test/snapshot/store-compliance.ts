// One compliance suite for every SnapshotStore: atomic put, get, list by prefix, delete,
// large (multipart) bodies, names with subdirectories, absent objects.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { SnapshotStore } from '../../src/snapshot/store.js';
import { SnapshotError } from '../../src/snapshot/errors.js';
import { blocks, readAll } from './byte-streams.js';


export function storeCompliance(name: string, open: () => Promise<{ store: SnapshotStore; largeBytes: number }>): void {
  describe(`${name} store compliance`, () => {
    it('put then get returns the same bytes; list and delete see it', async () => {
      const { store } = await open();
      const data = randomBytes(100_000);
      const result = await store.put('shard-1/a.ksnap', blocks(data, 3000));
      expect(result.bytes).toBe(data.length);
      expect((await readAll(store.get('shard-1/a.ksnap'))).equals(data)).toBe(true);
      await store.put('shard-2/b.ksnap', blocks(Buffer.from('x'), 1));
      const listed = await store.list('shard-1/');
      expect(listed.map((object) => object.name)).toEqual(['shard-1/a.ksnap']);
      expect(listed[0]!.bytes).toBe(data.length);
      expect((await store.list('')).map((object) => object.name).sort()).toEqual(['shard-1/a.ksnap', 'shard-2/b.ksnap']);
      await store.delete('shard-1/a.ksnap');
      await store.delete('shard-1/a.ksnap'); // absent: no error
      expect(await store.list('shard-1/')).toEqual([]);
      expect(store.location('shard-2/b.ksnap')).toContain('shard-2/b.ksnap');
    });

    it('an empty body is an object of zero bytes', async () => {
      const { store } = await open();
      await store.put('shard-3/empty.ksnap', blocks(Buffer.alloc(0), 1));
      expect((await readAll(store.get('shard-3/empty.ksnap'))).length).toBe(0);
    });

    it('a large body (multipart for S3) round-trips', async () => {
      const { store, largeBytes } = await open();
      const data = randomBytes(largeBytes);
      await store.put('shard-4/large.ksnap', blocks(data, 1024 * 1024 - 17));
      expect((await readAll(store.get('shard-4/large.ksnap'))).equals(data)).toBe(true);
    }, 60_000);

    it('a failed put leaves no object and the previous version intact', async () => {
      const { store } = await open();
      await store.put('shard-5/x.ksnap', blocks(Buffer.from('old'), 10));
      async function* failing(): AsyncIterable<Uint8Array> {
        yield Buffer.from('new-partial');
        throw new Error('writer died');
      }
      await expect(store.put('shard-5/x.ksnap', failing())).rejects.toThrow('writer died');
      await expect(store.put('shard-5/y.ksnap', failing())).rejects.toThrow('writer died');
      expect((await readAll(store.get('shard-5/x.ksnap'))).toString()).toBe('old');
      expect((await store.list('shard-5/')).map((object) => object.name)).toEqual(['shard-5/x.ksnap']);
    });

    it('get of an absent object fails with SNAPSHOT_NOT_FOUND', async () => {
      const { store } = await open();
      const error = await readAll(store.get('shard-9/missing.ksnap')).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SnapshotError);
      expect((error as SnapshotError).code).toBe('SNAPSHOT_NOT_FOUND');
    });

    it('refuses names that escape the store', async () => {
      const { store } = await open();
      await expect(store.put('../evil', blocks(Buffer.from('x'), 1))).rejects.toThrow();
      await expect(store.delete('/abs')).rejects.toThrow();
    });
  });
}
