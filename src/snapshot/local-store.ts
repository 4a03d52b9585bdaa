// A snapshot store in a local directory. put() writes a temporary file, fsyncs it, renames it
// into place and fsyncs the directory, so a crash leaves either no object or the whole one
// (the temporary name is never listed).
//
// The file is flushed as it grows (fdatasync every syncEveryBytes), not only at the end: on
// ext4 (data=ordered) a log node's fsync has to wait for the dirty data of every file whose
// blocks its journal commit covers, so one flush of a whole 100 MB snapshot at the end stalls
// the log's commits — and the primary's replies — for that long. Small flushes bound the stall.
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SnapshotError } from './errors.js';
import { assertObjectName, type SnapshotStore, type StoredObject } from './store.js';

const temporaryMarker = '.tmp-';

/** Default flush interval of a snapshot being written (see the header). */
export const LOCAL_SYNC_EVERY_BYTES = 4 * 1024 * 1024;

export interface LocalStoreOptions {
  /** fdatasync the file every this many bytes while writing it (0 = only at the end). */
  syncEveryBytes?: number;
}

export class LocalDirectoryStore implements SnapshotStore {
  readonly url: string;
  private readonly syncEveryBytes: number;

  constructor(readonly dir: string, options: LocalStoreOptions = {}) {
    this.url = resolve(dir);
    this.syncEveryBytes = options.syncEveryBytes ?? LOCAL_SYNC_EVERY_BYTES;
    if (!Number.isSafeInteger(this.syncEveryBytes) || this.syncEveryBytes < 0 || (this.syncEveryBytes > 0 && this.syncEveryBytes < 64 * 1024)) {
      throw new SnapshotError('SNAPSHOT_STORE', `syncEveryBytes must be 0 or at least 64 KiB, got ${this.syncEveryBytes}`);
    }
  }

  location(name: string): string {
    return this.pathOf(name);
  }

  async put(name: string, body: AsyncIterable<Uint8Array>): Promise<{ bytes: number }> {
    const path = this.pathOf(name);
    const parent = dirname(path);
    await mkdir(parent, { recursive: true });
    const temporary = `${path}${temporaryMarker}${process.pid}-${randomBytes(4).toString('hex')}`;
    const file = await open(temporary, 'wx');
    let bytes = 0;
    let unsynced = 0;
    try {
      for await (const block of body) {
        let offset = 0;
        while (offset < block.length) {
          const { bytesWritten } = await file.write(block, offset, block.length - offset);
          offset += bytesWritten;
        }
        bytes += block.length;
        unsynced += block.length;
        if (this.syncEveryBytes > 0 && unsynced >= this.syncEveryBytes) {
          await file.datasync();
          unsynced = 0;
        }
      }
      await file.sync();
      await file.close();
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    await rename(temporary, path);
    await syncDirectory(parent);
    return { bytes };
  }

  async *get(name: string): AsyncIterable<Uint8Array> {
    const path = this.pathOf(name);
    try {
      await stat(path);
    } catch {
      throw new SnapshotError('SNAPSHOT_NOT_FOUND', `${path} does not exist`);
    }
    yield* createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>;
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile() && !entry.name.includes(temporaryMarker)) {
          const name = relative(this.url, path).split(sep).join('/');
          if (!name.startsWith(prefix)) continue;
          const info = await stat(path).catch(() => null);
          if (info) objects.push({ name, bytes: info.size, modifiedMs: info.mtimeMs });
        }
      }
    };
    await walk(this.url);
    return objects;
  }

  async delete(name: string): Promise<void> {
    await rm(this.pathOf(name), { force: true });
  }

  private pathOf(name: string): string {
    assertObjectName(name);
    return join(this.url, ...name.split('/'));
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
