// Snapshot names in a store: shard-<N>/<LSN, 20 digits>-<created-at ms>.ksnap, so a plain
// listing sorts by LSN and a name alone says which state it holds.
import type { SnapshotStore, StoredObject } from './store.js';

export interface SnapshotEntry extends StoredObject {
  shard: number;
  lsn: number;
  createdAtMs: number;
}

const namePattern = /^shard-(\d+)\/(\d{20})-(\d+)\.ksnap$/;

export function snapshotName(shard: number, lsn: number, createdAtMs: number): string {
  return `shard-${shard}/${String(lsn).padStart(20, '0')}-${createdAtMs}.ksnap`;
}

export function parseSnapshotName(name: string): { shard: number; lsn: number; createdAtMs: number } | null {
  const match = namePattern.exec(name);
  if (!match) return null;
  return { shard: Number(match[1]), lsn: Number(match[2]), createdAtMs: Number(match[3]) };
}

/** The shard's snapshots, newest (highest LSN, then latest) first. */
export async function listSnapshots(store: SnapshotStore, shard: number): Promise<SnapshotEntry[]> {
  const entries: SnapshotEntry[] = [];
  for (const object of await store.list(`shard-${shard}/`)) {
    const parsed = parseSnapshotName(object.name);
    if (parsed && parsed.shard === shard) entries.push({ ...object, ...parsed });
  }
  return entries.sort((a, b) => b.lsn - a.lsn || b.createdAtMs - a.createdAtMs);
}
