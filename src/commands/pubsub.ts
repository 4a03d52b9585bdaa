// Pub/sub. Messages are not data: they are not logged, and PUBLISH reaches this node's
// subscribers only.
import { defineCommand } from './define.js';
import type { ExecContext } from './context.js';
import type { CommandSpec } from './spec.js';
import { MultiReply, SimpleString, type Reply } from '../resp/reply.js';

const group = 'pubsub';
const acl = ['pubsub'];
const flags = ['pubsub', 'noscript', 'loading', 'stale', 'allowed_in_subscribe'] as const;

function subscribe(pattern: boolean) {
  return (ctx: ExecContext, argv: string[]): Reply => new MultiReply(ctx.server.pubsub.subscribe(ctx.client, argv.slice(1), pattern));
}

function unsubscribe(pattern: boolean) {
  return (ctx: ExecContext, argv: string[]): Reply => new MultiReply(ctx.server.pubsub.unsubscribe(ctx.client, argv.slice(1), pattern));
}

const pubsubHelp = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]', "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT', '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]', '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'HELP', '    Print this help.',
];

const pubsubSubcommands: CommandSpec[] = [
  defineCommand({ name: 'channels', arity: -2, flags: ['pubsub', 'loading', 'stale'], acl, group, since: '2.8.0', summary: 'Returns the active channels.', syntax: '[pattern]',
    handler: (ctx, argv) => ctx.server.pubsub.channels(argv[2] ?? null) }),
  defineCommand({ name: 'numsub', arity: -2, flags: ['pubsub', 'loading', 'stale'], acl, group, since: '2.8.0', summary: 'Returns a count of subscribers to channels.', syntax: '[channel [channel ...]]',
    handler: (ctx, argv) => ctx.server.pubsub.numsub(argv.slice(2)).flat() }),
  defineCommand({ name: 'numpat', arity: 2, flags: ['pubsub', 'loading', 'stale'], acl, group, since: '2.8.0', summary: 'Returns a count of unique pattern subscriptions.',
    handler: (ctx) => ctx.server.pubsub.numpat() }),
  defineCommand({ name: 'help', arity: 2, flags: ['loading', 'stale'], acl, group, since: '6.2.0', summary: 'Returns helpful text about the different subcommands.',
    handler: () => pubsubHelp.map((line) => new SimpleString(line)) }),
];

export const commands: CommandSpec[] = [
  defineCommand({ name: 'subscribe', arity: -2, flags: [...flags], acl, group, since: '2.0.0', summary: 'Listens for messages published to channels.', complexity: 'O(N) where N is the number of channels to subscribe to.', syntax: 'channel [channel ...]', handler: subscribe(false) }),
  defineCommand({ name: 'psubscribe', arity: -2, flags: [...flags], acl, group, since: '2.0.0', summary: 'Listens for messages published to channels that match one or more patterns.', complexity: 'O(N) where N is the number of patterns to subscribe to.', syntax: 'pattern [pattern ...]', handler: subscribe(true) }),
  defineCommand({ name: 'unsubscribe', arity: -1, flags: [...flags], acl, group, since: '2.0.0', summary: 'Stops listening to messages posted to channels.', complexity: 'O(N) where N is the number of channels to unsubscribe.', syntax: '[channel [channel ...]]', handler: unsubscribe(false) }),
  defineCommand({ name: 'punsubscribe', arity: -1, flags: [...flags], acl, group, since: '2.0.0', summary: 'Stops listening to messages published to channels that match one or more patterns.', complexity: 'O(N) where N is the number of patterns to unsubscribe.', syntax: '[pattern [pattern ...]]', handler: unsubscribe(true) }),
  defineCommand({ name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], acl, group, since: '2.0.0', summary: 'Posts a message to a channel.', complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).', syntax: 'channel message',
    handler: (ctx, argv) => ctx.server.pubsub.publish(argv[1]!, argv[2]!) }),
  defineCommand({ name: 'pubsub', arity: -2, flags: [], acl, group, since: '2.8.0', summary: 'A container for Pub/Sub commands.', complexity: 'Depends on subcommand.', subcommands: pubsubSubcommands }),
];
