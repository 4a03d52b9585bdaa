// Assertions stay on: a broken invariant of the harness throws at once, so a bug in the test
// tool can never turn into a silently wrong verdict about the system under test.

export class HarnessAssertionError extends Error {
  override name = 'HarnessAssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new HarnessAssertionError(message);
}

/** An expected failure with a stable uppercase code (bad input, unavailable db layer, …). */
export class CodedError extends Error {
  override name = 'CodedError';
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
  }
}
