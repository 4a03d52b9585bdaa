// Channel and pattern subscriptions. Messages are not logged (they are not data): PUBLISH
// reaches the subscribers of this node only, at once.
import { globMatch } from '../commands/args.js';
import { encodeReply } from '../resp/encoder.js';
import { PushReply, type Reply } from '../resp/reply.js';
import type { Connection } from './connection.js';

export class PubSub {
  private readonly channels = new Map<string, Set<Connection>>();
  private readonly patterns = new Map<string, Set<Connection>>();

  publish(channel: string, message: string): number {
    let receivers = 0;
    const direct = this.channels.get(channel);
    if (direct) {
      for (const connection of direct) {
        connection.push(encodeReply(new PushReply(['message', channel, message]), connection.protocol));
        receivers++;
      }
    }
    for (const [pattern, connections] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const connection of connections) {
        connection.push(encodeReply(new PushReply(['pmessage', pattern, channel, message]), connection.protocol));
        receivers++;
      }
    }
    return receivers;
  }

  /** Subscribes and returns one confirmation per name (as push replies). */
  subscribe(connection: Connection, names: string[], pattern: boolean): Reply[] {
    const registry = pattern ? this.patterns : this.channels;
    const own = pattern ? connection.patterns : connection.channels;
    return names.map((name) => {
      if (!own.has(name)) {
        own.add(name);
        let set = registry.get(name);
        if (!set) registry.set(name, (set = new Set()));
        set.add(connection);
      }
      return new PushReply([pattern ? 'psubscribe' : 'subscribe', name, connection.subscriptionCount()]);
    });
  }

  /** Unsubscribes from `names` (all when empty); one confirmation per name. */
  unsubscribe(connection: Connection, names: string[], pattern: boolean): Reply[] {
    const registry = pattern ? this.patterns : this.channels;
    const own = pattern ? connection.patterns : connection.channels;
    const kind = pattern ? 'punsubscribe' : 'unsubscribe';
    const targets = names.length > 0 ? names : [...own];
    if (targets.length === 0) return [new PushReply([kind, null, connection.subscriptionCount()])];
    return targets.map((name) => {
      if (own.delete(name)) {
        const set = registry.get(name);
        set?.delete(connection);
        if (set?.size === 0) registry.delete(name);
      }
      return new PushReply([kind, name, connection.subscriptionCount()]);
    });
  }

  dropConnection(connection: Connection): void {
    this.unsubscribe(connection, [], false);
    this.unsubscribe(connection, [], true);
  }

  channelNames(pattern: string | null): string[] {
    return [...this.channels.keys()].filter((name) => pattern === null || globMatch(pattern, name));
  }

  subscriberCount(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  patternCount(): number {
    return this.patterns.size;
  }
}
