// Replies as values, independent of the protocol version. The encoder renders them as RESP2
// or RESP3. Common replies use plain JS values for speed:
//   string          → bulk string (latin1: one char per byte)
//   number | bigint → integer
//   null            → null (RESP2 `$-1`, RESP3 `_`)
//   Reply[]         → array
// Everything else is a small class instance.

export type Reply =
  | string
  | number
  | bigint
  | null
  | Reply[]
  | SimpleString
  | ErrorReply
  | NullArray
  | MapReply
  | SetReply
  | DoubleReply
  | BoolReply
  | VerbatimReply
  | PushReply
  | RawReply
  | MultiReply;

export class SimpleString {
  constructor(readonly value: string) {}
}

export class ErrorReply {
  /** `message` includes the error code, e.g. `ERR syntax error` or `WRONGTYPE …`. */
  constructor(readonly message: string) {}
}

/** RESP2 `*-1` (null array), RESP3 `_`: e.g. BLPOP timeout, EXEC aborted by WATCH. */
export class NullArray {}

export class MapReply {
  /** Flat list of alternating keys and values; RESP2 renders it as a flat array. */
  constructor(readonly entries: Reply[]) {}
}

export class SetReply {
  constructor(readonly items: Reply[]) {}
}

export class DoubleReply {
  constructor(readonly value: number) {}
}

export class BoolReply {
  constructor(readonly value: boolean) {}
}

export class VerbatimReply {
  /** RESP3 `=`; RESP2 renders it as a bulk string. */
  constructor(readonly format: string, readonly text: string) {}
}

export class PushReply {
  /** RESP3 `>`; RESP2 renders it as an array (pub/sub messages). */
  constructor(readonly items: Reply[]) {}
}

/** Bytes already encoded (shared constants). Protocol-independent. */
export class RawReply {
  constructor(readonly bytes: Buffer) {}
}

/** Several top-level replies to one command (SUBSCRIBE a b → one confirmation per channel). */
export class MultiReply {
  constructor(readonly replies: Reply[]) {}
}

export const OK = new SimpleString('OK');
export const QUEUED = new SimpleString('QUEUED');
export const PONG = new SimpleString('PONG');
export const NULL_ARRAY = new NullArray();

export function err(message: string): ErrorReply {
  return new ErrorReply(message);
}

export function isError(reply: Reply): reply is ErrorReply {
  return reply instanceof ErrorReply;
}

// Redis 7 error texts, byte for byte. Keep them here so commands share one spelling.
export const Errors = {
  syntax: err('ERR syntax error'),
  wrongType: err('WRONGTYPE Operation against a key holding the wrong kind of value'),
  notInteger: err('ERR value is not an integer or out of range'),
  notFloat: err('ERR value is not a valid float'),
  overflow: err('ERR increment or decrement would overflow'),
  noSuchKey: err('ERR no such key'),
  dbIndexOutOfRange: err('ERR DB index is out of range'),
  invalidExpire: (command: string) => err(`ERR invalid expire time in '${command}' command`),
  wrongArity: (command: string) => err(`ERR wrong number of arguments for '${command}' command`),
  readonly: err("READONLY You can't write against a read only replica."),
  noAuth: err('NOAUTH Authentication required.'),
  loading: err('LOADING Keel is loading the dataset in memory'),
  outOfRangeOffset: err('ERR offset is out of range'),
  bitOutOfRange: err('ERR bit offset is not an integer or out of range'),
  stringTooLong: err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'),
  notIntegerOrOutOfRange: (what: string) => err(`ERR ${what} is not an integer or out of range`),
  outOfRange: (what: string) => err(`ERR ${what} is out of range`),
} as const;
