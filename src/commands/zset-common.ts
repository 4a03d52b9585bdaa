// Helpers shared by the sorted-set command files.
import type { Reply } from '../resp/reply.js';
import type { ExecContext } from './context.js';
import type { ZSetValue } from '../engine/types/zset.js';

export function getZset(ctx: ExecContext, key: string): ZSetValue | undefined {
  return ctx.getCollection<ZSetValue>(key, 'zset');
}

/** Stores a result at `destination`, deleting it when the result is empty; replies the size. */
export function storeZset(ctx: ExecContext, destination: string, result: ZSetValue): Reply {
  if (result.size === 0) {
    if (ctx.deleteKey(destination)) ctx.dirty++;
    return 0;
  }
  ctx.setValue(destination, result);
  ctx.dirty++;
  return result.size;
}
