// Every limit of the jepsen-style harness and checker, in one place, named with the unit last.
// `assertHarnessLimits` checks their relationships at start-up (CLI, runner, tests).

export interface CheckerLimits {
  /** Model steps one key's linearizability search may take before it answers `unknown`. */
  searchStepsPerKeyMax: number;
  /** Model steps the search for a minimal failing sub-history may take in total. */
  shrinkStepsMax: number;
  /** Operations one key may hold; beyond it the bitset and cache cost is not worth trying. */
  opsPerKeyMax: number;
  /** Operations drawn in one HTML timeline (the rest are summarised). */
  timelineOpsMax: number;
  /**
   * Wall-clock time the linearizability search of a whole history may take; keys not yet
   * searched when it runs out are `unknown` (never passed), so a long run's check is bounded.
   */
  searchMsTotalMax: number;
}

export interface HarnessLimits {
  /** Connect timeout of the harness client (a refused or slow connect is a definite `fail`). */
  connectTimeoutMs: number;
  /** Reply timeout of one operation; a write that times out is `info`, a read is `fail`. */
  operationTimeoutMs: number;
  /** Bytes of one reply the minimal RESP client buffers before it gives up on the connection. */
  replyBytesMax: number;
  /** Bytes a proxy link buffers per direction while delaying; beyond it the link is reset. */
  proxyBufferedBytesMax: number;
  /** Connections one proxy carries at once; further ones are refused. */
  proxyConnectionsMax: number;
  /** Longest delay a proxy may add to a chunk. */
  proxyDelayMsMax: number;
  /** Longest a whole run may last, whatever `--time` says (the harness stops by itself). */
  runMsMax: number;
  /** Client processes per key (concurrency per key stays low so the search stays cheap). */
  processesPerKeyMax: number;
}

export const defaultCheckerLimits: CheckerLimits = {
  searchStepsPerKeyMax: 5_000_000,
  shrinkStepsMax: 10_000_000,
  opsPerKeyMax: 200_000,
  timelineOpsMax: 2_000,
  searchMsTotalMax: 300_000,
};

export const defaultHarnessLimits: HarnessLimits = {
  connectTimeoutMs: 1_000,
  operationTimeoutMs: 2_000,
  replyBytesMax: 16 * 1024 * 1024,
  proxyBufferedBytesMax: 8 * 1024 * 1024,
  proxyConnectionsMax: 1_024,
  proxyDelayMsMax: 30_000,
  runMsMax: 6 * 60 * 60 * 1000,
  processesPerKeyMax: 10,
};

function assertPositiveIntegers(limits: object, owner: string): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      throw new RangeError(`${owner} limit ${name} must be a positive integer, got ${String(value)}`);
    }
  }
}

export function assertCheckerLimits(limits: CheckerLimits): void {
  assertPositiveIntegers(limits, 'checker');
}

export function assertHarnessLimits(limits: HarnessLimits): void {
  assertPositiveIntegers(limits, 'harness');
  if (limits.connectTimeoutMs > limits.operationTimeoutMs) {
    throw new RangeError('connectTimeoutMs must not exceed operationTimeoutMs');
  }
  if (limits.proxyDelayMsMax >= limits.runMsMax) {
    throw new RangeError('proxyDelayMsMax must be shorter than runMsMax');
  }
}
