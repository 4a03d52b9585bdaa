// Assertions stay on in production: a broken invariant crashes the process, and the
// supervisor restarts it. Expected failures are not assertions; they carry error codes.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionError(`${message}: ${String(value)}`);
}
