// Assertions of the Raft core stay on in production: a broken invariant throws and the
// driver crashes the process (the supervisor restarts it from its durable state).

export class RaftAssertionError extends Error {
  override name = 'RaftAssertionError';
}

export function raftAssert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new RaftAssertionError(message);
}
