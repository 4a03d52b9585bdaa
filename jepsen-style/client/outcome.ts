// How the harness turns what happened to a request into `ok`, `fail` or `info`.
//
// The rule (documented in jepsen-style/README.md):
//  1. The request was never handed to the socket (connect refused or timed out, connection
//     already dead): `fail` — the server cannot have seen it.
//  2. A reply arrived and is not an error: `ok`.
//  3. An error reply to an operation that only reads: `fail` (a read has no effect).
//  4. An error reply to a write: `fail` only if its code is one for which the server promises
//     nothing was applied (rejected before execution: READONLY from a replica, WRONGTYPE,
//     syntax/arity errors, EXECABORT, NOAUTH/NOPERM, LOADING, MOVED/ASK); every other error
//     (TRYAGAIN, CLUSTERDOWN, Keel's step-down errors, anything unknown) is `info`, because a
//     primary that steps down fails held replies whose writes may have committed (DESIGN §4).
//  5. Timeout, disconnect or protocol error after the request was sent: `info` for a write
//     (it may have been applied, now or later), `fail` for a read.
// A process that gets `info` continues under a new process id.
import { RespCallError, RespError } from './resp.js';

export type Outcome<T> =
  | { type: 'ok'; value: T }
  | { type: 'fail'; error: string }
  | { type: 'info'; error: string };

/** Error codes after which a write certainly had no effect (rule 4). */
export const definitelyNotAppliedCodes: ReadonlySet<string> = new Set([
  'READONLY', 'WRONGTYPE', 'EXECABORT', 'NOAUTH', 'NOPERM', 'LOADING', 'MOVED', 'ASK', 'NOSCRIPT',
]);

/** `ERR …` messages that are rejections before execution (rule 4). */
const definitelyNotAppliedErrPrefixes = ['ERR wrong number of arguments', 'ERR unknown command', 'ERR syntax error'];

export function errorReplyCertainlyNotApplied(error: RespError): boolean {
  if (definitelyNotAppliedCodes.has(error.code)) return true;
  return definitelyNotAppliedErrPrefixes.some((prefix) => error.message.startsWith(prefix));
}

export function classifyErrorReply<T>(error: RespError, isWrite: boolean): Outcome<T> {
  if (!isWrite || errorReplyCertainlyNotApplied(error)) return { type: 'fail', error: error.message };
  return { type: 'info', error: error.message };
}

export function classifyCallError<T>(error: unknown, isWrite: boolean): Outcome<T> {
  if (!(error instanceof RespCallError)) throw error;
  if (!error.sent) return { type: 'fail', error: `${error.reason}: ${error.message}` };
  return isWrite ? { type: 'info', error: `${error.reason}: ${error.message}` } : { type: 'fail', error: `${error.reason}: ${error.message}` };
}
