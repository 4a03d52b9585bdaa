// Dev tool (not a test): heap used by a 1M-element list and a 1M-field hash in the engine,
// measured like INFO memory's used_memory (heap after a full GC, minus the empty engine).
// Usage: NODE_OPTIONS=--expose-gc npx vite-node test/engine/list-hash-memory.script.ts [elements]
import { Engine } from '../../src/engine/engine.js';
import { detachedClient } from '../../src/commands/client-state.js';

const elements = Number(process.argv[2] ?? 1_000_000);
const batch = 1000;

/** JS heap plus memory held outside it by buffers (list segments are Buffers). */
function heapUsedBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with NODE_OPTIONS=--expose-gc');
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function measure(label: string, fill: (engine: Engine) => void): void {
  const engine = new Engine();
  const before = heapUsedBytes();
  const started = performance.now();
  fill(engine);
  const elapsedMs = performance.now() - started;
  const after = heapUsedBytes();
  const bytes = after - before;
  console.log(`${label}: ${(bytes / 1024 / 1024).toFixed(1)} MiB (heap + buffers), ${(bytes / elements).toFixed(1)} bytes/element, filled in ${elapsedMs.toFixed(0)} ms`);
  if (engine.keyCount() !== 1) throw new Error('expected one key');
}

const client = detachedClient();
measure(`list of ${elements} elements "element:<i>" (RPUSH x${batch})`, (engine) => {
  for (let i = 0; i < elements; i += batch) {
    const argv = ['RPUSH', 'list'];
    for (let j = i; j < Math.min(i + batch, elements); j++) argv.push(`element:${j}`);
    engine.execute(client, argv, 'primary');
  }
});
measure(`hash of ${elements} fields "field:<i>" -> "value:<i>" (HSET x${batch})`, (engine) => {
  for (let i = 0; i < elements; i += batch) {
    const argv = ['HSET', 'hash'];
    for (let j = i; j < Math.min(i + batch, elements); j++) argv.push(`field:${j}`, `value:${j}`);
    engine.execute(client, argv, 'primary');
  }
});
