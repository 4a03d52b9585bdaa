// Not a test: measures the engine-level heap cost of a 1M-member set and sorted set.
// Run:  node --expose-gc node_modules/vite-node/vite-node.mjs test/engine/sets-zsets-heap.script.ts [members]
// (or on the compiled file under dist/ with `node --expose-gc`).
import { SetValue } from '../../src/engine/types/set.js';
import { ZSetValue } from '../../src/engine/types/zset.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const members = Number(process.argv[2] ?? 1_000_000);

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

/** Member strings (`member:<i>`, as a client would send them) are built before the structure. */
function memberNames(prefix: string): string[] {
  // Through a Buffer, as the protocol reader makes them: flat one-byte strings, not ropes.
  return Array.from({ length: members }, (_, i) => Buffer.from(`${prefix}${i}`, 'latin1').toString('latin1'));
}

function measure(label: string, build: (names: string[]) => unknown): void {
  const empty = heapAfterGc();
  const names = memberNames('member:');
  const before = heapAfterGc();
  // The member strings themselves (V8 string objects, without the array holding them).
  const stringsBytes = before - empty - names.length * 4;
  const started = performance.now();
  const value = build(names);
  const buildMs = performance.now() - started;
  const after = heapAfterGc();
  const bytes = after - before;
  const total = bytes + stringsBytes;
  console.log(
    `${label}: ${members} members: structure ${(bytes / 2 ** 20).toFixed(1)} MiB (${(bytes / members).toFixed(1)} B/member) + ` +
    `member strings ${(stringsBytes / 2 ** 20).toFixed(1)} MiB = ${(total / 2 ** 20).toFixed(1)} MiB (${(total / members).toFixed(1)} B/member); ` +
    `built in ${buildMs.toFixed(0)} ms`,
  );
  if (value === null) console.log('unreachable'); // keeps `value` alive until the measurement
}

measure('set (DenseMap)', (names) => {
  const set = new SetValue('hashtable');
  for (const name of names) set.add(name);
  return set;
});

measure('zset (DenseMap + skiplist)', (names) => {
  const zset = new ZSetValue(false);
  for (let i = 0; i < names.length; i++) zset.set(names[i]!, i * 0.5);
  return zset;
});

measure('zset, random scores', (names) => {
  const zset = new ZSetValue(false);
  let x = 12345;
  for (const name of names) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    zset.set(name, x / 1000);
  }
  return zset;
});
