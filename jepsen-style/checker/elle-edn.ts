// Exports a list-append history as Elle's EDN, one operation map per line, for an external
// check with `elle-cli --model list-append` (Elle itself is Clojure and is not run here).
//   our event:  {"f": "txn", "value": [["append", "k1", 3], ["r", "k1", null]], …}
//   Elle:       {:index 0, :type :invoke, :process 0, :f :txn, :value [[:append "k1" 3] [:r "k1" nil]], :time 12}
// On `ok` completions the reads carry the list read, e.g. ["r", "k1", [1, 2, 3]].
import type { ClientEvent, HistoryEvent } from '../history/event.js';
import { isNemesisEvent } from '../history/event.js';
import { CodedError } from '../util/assert.js';

export function ednValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CodedError('HISTORY_INVALID', `cannot write ${value} as EDN`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value); // EDN strings use the same escapes for \" \\ \n \t
  if (Array.isArray(value)) return `[${value.map(ednValue).join(' ')}]`;
  throw new CodedError('HISTORY_INVALID', `cannot write ${JSON.stringify(value)} as EDN`);
}

function ednKey(key: unknown): string {
  // Elle compares keys by value; integer-looking keys are written as integers, as Jepsen's are.
  if (typeof key === 'string' && /^(0|[1-9][0-9]{0,14})$/.test(key)) return key;
  return ednValue(key);
}

function ednMicroOp(micro: unknown, event: ClientEvent): string {
  if (!Array.isArray(micro) || micro.length !== 3 || (micro[0] !== 'append' && micro[0] !== 'r')) {
    throw new CodedError('HISTORY_INVALID', `list-append micro-op must be ["append", key, value] or ["r", key, list|null], got ${JSON.stringify(micro)} at ${event.time}`);
  }
  const [f, key, value] = micro as [string, unknown, unknown];
  if (f === 'r' && value !== null && !Array.isArray(value)) throw new CodedError('HISTORY_INVALID', `a read's value must be a list or null at ${event.time}`);
  return `[:${f} ${ednKey(key)} ${ednValue(value)}]`;
}

export function toElleEdn(events: readonly HistoryEvent[]): string {
  const lines: string[] = [];
  let index = 0;
  for (const event of events) {
    if (isNemesisEvent(event)) continue;
    if (event.f !== 'txn') throw new CodedError('HISTORY_INVALID', `list-append histories hold only txn operations, got ${event.f}`);
    if (!Array.isArray(event.value)) throw new CodedError('HISTORY_INVALID', `txn value must be a list of micro-ops at ${event.time}`);
    const value = `[${event.value.map((m) => ednMicroOp(m, event)).join(' ')}]`;
    lines.push(`{:index ${index++}, :type :${event.type}, :process ${event.process}, :f :txn, :value ${value}, :time ${Math.round(event.time)}}`);
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}
