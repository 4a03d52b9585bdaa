// Expected failures of the log service, each with a stable uppercase code. They cross the
// wire as {code, message, details} and are rebuilt into LogError on the client side.

export type LogErrorCode =
  | 'LOG_CONFLICT' // conditional append: the log's tail was not prevLsn (details.tailLsn)
  | 'LOG_TRIMMED' // read/subscribe below the trim point (details.firstLsn)
  | 'LOG_TRIM_REFUSED' // trim above the latest snapshot marker (details.snapshotLsn)
  | 'NOT_LEADER' // this node is not the Raft leader (details.leaderId, details.leaderAddr)
  | 'QUORUM_UNAVAILABLE' // no leader / no majority answered in time; an append's outcome is unknown
  | 'FRAME_TOO_LARGE' // a frame above frameBytesMax
  | 'LIMIT_EXCEEDED' // an entry, batch or queue above its configured limit
  | 'BAD_REQUEST' // a malformed request
  | 'TIMEOUT' // no answer in time; an append's outcome is unknown
  | 'CLOSED' // the client or connection was closed
  | 'OUTCOME_UNKNOWN'; // a retried append whose result could no longer be determined

export class LogError extends Error {
  override name = 'LogError';
  constructor(
    readonly code: LogErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code} ${message}`);
  }
}

export interface WireError {
  code: LogErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

const knownCodes = new Set<string>([
  'LOG_CONFLICT', 'LOG_TRIMMED', 'LOG_TRIM_REFUSED', 'NOT_LEADER', 'QUORUM_UNAVAILABLE',
  'FRAME_TOO_LARGE', 'LIMIT_EXCEEDED', 'BAD_REQUEST', 'TIMEOUT', 'CLOSED', 'OUTCOME_UNKNOWN',
]);

export function toWireError(error: LogError): WireError {
  return { code: error.code, message: error.message.slice(error.code.length + 1), details: error.details };
}

export function fromWireError(wire: unknown): LogError {
  const value = (wire ?? {}) as Partial<WireError>;
  const code = typeof value.code === 'string' && knownCodes.has(value.code) ? value.code : 'BAD_REQUEST';
  const details = value.details && typeof value.details === 'object' ? value.details : {};
  return new LogError(code as LogErrorCode, String(value.message ?? ''), details);
}
