// Effects, not commands, enter the log. An effect is a deterministic write command — one that
// gives the same result on any node, at any time, from the same state: no relative times, no
// randomness, no reads of the clock. `SET k v EX 10` is logged as `SET k v PXAT <abs>`,
// `SPOP` as `SREM` of the chosen members, an expired key as `DEL`.
//
// A command's effects are gathered as Redis gathers what it propagates (call() in server.c):
// - effects propagated explicitly during execution (e.g. `DEL` of a key found expired) come
//   first, in order;
// - then, if the command changed the data set (`dirty > 0`) and did not prevent it, the
//   command's own argv — or the rewrite it asked for.
// A transaction's effects (MULTI/EXEC), a blocking pop, or an active-expiry sweep form one
// `EffectBatch`: one log entry, applied atomically.

export interface Effect {
  /** Database index the effect applies to. */
  db: number;
  /** A deterministic write command, latin1 strings, command name first. */
  argv: string[];
}

export type EffectBatch = Effect[];
