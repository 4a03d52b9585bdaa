// A snapshot store in a local directory. put() writes a temporary file, fsyncs it, renames it
// into place and fsyncs the directory, so a crash leaves either no object or the whole one
// (the temporary name is never listed).
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SnapshotError } from './errors.js';
import { assertObjectName, type SnapshotStore, type StoredObject } from './store.js';

const temporaryMarker = '.tmp-';

export class LocalDirectoryStore implements SnapshotStore {
  readonly url: string;

  constructor(readonly dir: string) {
    this.url = resolve(dir);
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
    try {
      for await (const block of body) {
        let offset = 0;
        while (offset < block.length) {
          const { bytesWritten } = await file.write(block, offset, block.length - offset);
          offset += bytesWritten;
        }
        bytes += block.length;
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
