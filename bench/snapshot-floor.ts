// The least work any snapshot of a given size costs, for `node dist/bench/snapshot.js --floor`:
// write `--bytes` bytes into the snapshot store through keel's own LocalDirectoryStore (temp
// file, fdatasync every 4 MiB, rename, directory fsync), read them back and hash them (the
// verification issue #7 requires), delete them, exit. No replay, no decoding, no encoding, no
// log reads: whatever this costs the primary's SET p99 while it runs, no snapshotter that writes
// and verifies a snapshot of that size on the same host can cost less. Like `keel snapshot`
// at its defaults it lowers every thread to nice 19 and its session's autogroup.
//
// node dist/bench/snapshot-floor.js --store DIR --bytes N

import { createHash, randomBytes } from 'node:crypto';
import { LocalDirectoryStore } from '../src/snapshot/local-store.js';
import { lowerOwnPriority, NICE_MAX } from '../src/snapshot/priority.js';

const blockBytes = 1024 * 1024;

function option(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : process.argv[index + 1];
  if (value === undefined) throw new Error(`snapshot-floor: --${name} is required`);
  return value;
}

async function main(): Promise<void> {
  lowerOwnPriority(NICE_MAX);
  const store = new LocalDirectoryStore(option('store'));
  const bytes = Number(option('bytes'));
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > 64 * 1024 ** 3) throw new Error(`snapshot-floor: --bytes must be in 1..64 GiB, got ${bytes}`);
  // Incompressible bytes, made once: producing them is not part of the floor.
  const block = randomBytes(blockBytes);
  const name = `floor/floor-${process.pid}.bin`;
  async function* body(): AsyncIterable<Uint8Array> {
    for (let written = 0; written < bytes; written += blockBytes) yield block.subarray(0, Math.min(blockBytes, bytes - written));
  }
  const started = performance.now();
  await store.put(name, body());
  const hash = createHash('sha256');
  let readBack = 0;
  for await (const chunk of store.get(name)) {
    hash.update(chunk);
    readBack += chunk.length;
  }
  hash.digest();
  await store.delete(name);
  if (readBack !== bytes) throw new Error(`snapshot-floor: read back ${readBack} of ${bytes} bytes`);
  console.log(JSON.stringify({ bytes, ms: Math.round(performance.now() - started) }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
