// Clients parked by blocking commands (BLPOP, BZPOPMIN, …), FIFO per key. When a key is
// touched the server re-runs the parked command of each client waiting on it, oldest first;
// a re-run that finds data serves the client, one that does not leaves it in place.
import type { Connection } from './connection.js';

export class BlockedClients {
  private readonly byKey = new Map<string, Connection[]>();
  private blockedCount = 0;

  get size(): number {
    return this.blockedCount;
  }

  add(connection: Connection, db: number, keys: string[]): void {
    this.blockedCount++;
    for (const key of new Set(keys)) {
      const id = `${db}\0${key}`;
      let queue = this.byKey.get(id);
      if (!queue) this.byKey.set(id, (queue = []));
      queue.push(connection);
    }
  }

  remove(connection: Connection, db: number, keys: string[]): void {
    this.blockedCount--;
    for (const key of new Set(keys)) {
      const id = `${db}\0${key}`;
      const queue = this.byKey.get(id);
      if (!queue) continue;
      const index = queue.indexOf(connection);
      if (index !== -1) queue.splice(index, 1);
      if (queue.length === 0) this.byKey.delete(id);
    }
  }

  /** Clients waiting on a key, oldest first (a copy: serving one changes the queue). */
  waitingOn(db: number, key: string): Connection[] {
    const queue = this.byKey.get(`${db}\0${key}`);
    return queue ? [...queue] : [];
  }
}
