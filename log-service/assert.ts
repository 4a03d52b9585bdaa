// Assertions stay on in production: a broken invariant crashes the process and the
// supervisor restarts it. Expected failures are LogError values with stable codes instead.

export class LogAssertionError extends Error {
  override name = 'LogAssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new LogAssertionError(message);
}
