// The log service's public surface for the rest of Keel (db nodes, snapshotter, supervisor,
// CLI). Import from here rather than from the files behind it.

export { LogClient, isRetryable, type LogClientOptions, type ReadOptions } from './client/log-client.js';
export type { AppendOutcome } from './client/appender.js';
export type { LogSubscription, SubscriptionOptions } from './client/subscription.js';
export { LogError, type LogErrorCode } from './errors.js';
export { LogNode, type LogNodeConfig } from './node/log-node.js';
export { logNodeMain, logToolMain, logNodeUsage, logToolUsage } from './cli.js';
export { defaultLogLimits, defaultLogTimings, type LogLimits, type LogTimings } from './limits.js';
export { chainChecksum, checksumHex, emptyChainChecksum } from './checksum.js';
export type { LogEntry } from './state/types.js';
export type { NodeStatus, ReadResult, TailResult, TrimResult } from './wire/protocol.js';
