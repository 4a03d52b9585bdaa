// The option grammar SET and GETEX share (Redis's parseExtendedStringArgumentsOrReply), and
// the turning of EX/PX/EXAT/PXAT into an absolute time. The grammar is parsed in full before
// any value is read, so `SET k v EX abc NX XX` is a syntax error, as in Redis; a repeated
// compatible option (`EX 1 EX 2`, `KEEPTTL KEEPTTL`) is accepted and the last value wins.
import { ErrorReply, Errors } from '../resp/reply.js';
import { intArg } from './args.js';

export type ExpireUnit = 'EX' | 'PX' | 'EXAT' | 'PXAT';

export interface StringOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  /** The last EX/PX/EXAT/PXAT given, with its unparsed argument. */
  expire: { unit: ExpireUnit; amountText: string } | null;
}

/** Which command's grammar: SET accepts NX/XX/GET/KEEPTTL, GETEX accepts PERSIST. */
export type StringOptionsGrammar = 'set' | 'getex';

const expireUnits: readonly ExpireUnit[] = ['EX', 'PX', 'EXAT', 'PXAT'];

export function parseStringOptions(argv: string[], start: number, grammar: StringOptionsGrammar): StringOptions | ErrorReply {
  const options: StringOptions = { nx: false, xx: false, get: false, keepTtl: false, persist: false, expire: null };
  const isSet = grammar === 'set';
  for (let i = start; i < argv.length; i++) {
    const word = argv[i]!.toUpperCase();
    const hasNext = i + 1 < argv.length;
    const unit = expireUnits.find((candidate) => candidate === word);
    if (word === 'NX' && isSet && !options.xx) options.nx = true;
    else if (word === 'XX' && isSet && !options.nx) options.xx = true;
    else if (word === 'GET' && isSet) options.get = true;
    else if (word === 'KEEPTTL' && isSet && !options.persist && options.expire === null) options.keepTtl = true;
    else if (word === 'PERSIST' && !isSet && options.expire === null && !options.keepTtl) options.persist = true;
    else if (
      unit !== undefined && hasNext && !options.keepTtl && !options.persist &&
      (options.expire === null || options.expire.unit === unit)
    ) {
      options.expire = { unit, amountText: argv[++i]! };
    } else return Errors.syntax;
  }
  return options;
}

const expireAtMsMax = 2 ** 62; // beyond this, now + ttl could overflow Redis's int64 math

/**
 * Turns EX/PX/EXAT/PXAT and their argument into an absolute time in ms, or Redis's error.
 * `command` names the command in the error text (`ERR invalid expire time in 'set' command`).
 */
export function expireAt(unit: string, amountText: string, nowMs: number, command: string): number | ErrorReply {
  const amount = intArg(amountText);
  if (amount instanceof ErrorReply) return amount;
  if (amount <= 0) return Errors.invalidExpire(command);
  const upper = unit.toUpperCase();
  const isSeconds = upper === 'EX' || upper === 'EXAT';
  if (isSeconds && amount > expireAtMsMax / 1000) return Errors.invalidExpire(command);
  const ms = isSeconds ? amount * 1000 : amount;
  const absolute = upper === 'EX' || upper === 'PX' ? nowMs + ms : ms;
  if (absolute > expireAtMsMax) return Errors.invalidExpire(command);
  return absolute;
}

/** The log form of an absolute expiry. */
export function pxatArgs(atMs: number): string[] {
  return ['PXAT', String(atMs)];
}
