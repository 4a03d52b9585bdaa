// Every limit of the database node, in one place, named with the unit last.
// A limit becomes back-pressure or a clear error, never a crash. Relationships between limits
// are asserted at start-up by `assertServerLimits`.

export interface ServerLimits {
  /** Largest bulk string a client may send (Redis `proto-max-bulk-len`). */
  protoMaxBulkLenBytes: number;
  /** Largest element count of one request array (`*N`). Redis accepts up to INT_MAX. */
  multibulkLenMax: number;
  /** Largest inline command line (Redis PROTO_INLINE_MAX_SIZE). */
  inlineLenBytes: number;
  /** Bytes buffered for one client's unparsed requests (Redis `client-query-buffer-limit`). */
  queryBufferBytes: number;
  /** Concurrent client connections (Redis `maxclients`). */
  maxClients: number;
  /** Pending output of a normal client before it is disconnected (hard limit). 0 = none. */
  outputBufferNormalBytes: number;
  /** Pending output of a pub/sub client before it is disconnected (hard limit). */
  outputBufferPubsubBytes: number;
  /** Commands queued inside one MULTI before further ones are refused. */
  multiQueuedCommandsMax: number;
  /** Entries kept by SLOWLOG. */
  slowlogEntriesMax: number;
  /** Commands slower than this are logged by SLOWLOG (Redis `slowlog-log-slower-than`, µs). */
  slowlogSlowerThanMicros: number;
  /** Keys examined per active-expiry step per database. */
  activeExpireKeysPerStep: number;
  /** Interval of the active expiry cycle (Redis hz=10). */
  activeExpireIntervalMs: number;
}

export const defaultServerLimits: ServerLimits = {
  protoMaxBulkLenBytes: 512 * 1024 * 1024,
  multibulkLenMax: 2 ** 31 - 1,
  inlineLenBytes: 64 * 1024,
  queryBufferBytes: 1024 * 1024 * 1024,
  maxClients: 10_000,
  outputBufferNormalBytes: 0,
  outputBufferPubsubBytes: 32 * 1024 * 1024,
  multiQueuedCommandsMax: 1_000_000,
  slowlogEntriesMax: 128,
  slowlogSlowerThanMicros: 10_000,
  activeExpireKeysPerStep: 20,
  activeExpireIntervalMs: 100,
};

export function assertServerLimits(limits: ServerLimits): void {
  const positive: (keyof ServerLimits)[] = [
    'protoMaxBulkLenBytes', 'multibulkLenMax', 'inlineLenBytes', 'queryBufferBytes', 'maxClients',
    'multiQueuedCommandsMax', 'activeExpireKeysPerStep', 'activeExpireIntervalMs',
  ];
  for (const name of positive) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`limit ${name} must be a positive integer, got ${value}`);
    }
  }
  if (limits.protoMaxBulkLenBytes > limits.queryBufferBytes) {
    throw new Error('proto-max-bulk-len must not exceed client-query-buffer-limit');
  }
  if (limits.inlineLenBytes > limits.queryBufferBytes) {
    throw new Error('inline limit must not exceed client-query-buffer-limit');
  }
}
