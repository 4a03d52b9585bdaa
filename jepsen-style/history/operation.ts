// Pairs invoke events with their completions into operations. An operation whose process
// never completed it is treated as `info` (the outcome is unknown), as is a completion of type
// `info`. Its return time is +Infinity: it may take effect at any time after its invocation,
// or never.
import { CodedError } from '../util/assert.js';
import { ClientEvent, EventType, HistoryEvent, isNemesisEvent } from './event.js';

export type OperationStatus = 'ok' | 'fail' | 'info';

export interface Operation {
  /** Index in invocation order over the whole history. */
  id: number;
  process: number;
  f: string;
  key: string;
  /** The invoke event's value. */
  input: unknown;
  /** The `ok` completion's value (undefined for `fail` and `info`). */
  output: unknown;
  status: OperationStatus;
  call: number;
  /** +Infinity for `info` operations. */
  ret: number;
}

export interface FaultInterval {
  fault: string;
  targets: string[];
  start: number;
  /** +Infinity when the fault was never stopped within the history. */
  end: number;
}

function bad(message: string): never {
  throw new CodedError('HISTORY_INVALID', message);
}

export function pairOperations(events: readonly HistoryEvent[]): Operation[] {
  const open = new Map<number, Operation>();
  const crashed = new Set<number>();
  const ops: Operation[] = [];
  for (const event of events) {
    if (isNemesisEvent(event)) continue;
    const e: ClientEvent = event;
    if (e.type === 'invoke') {
      if (open.has(e.process)) bad(`process ${e.process} invoked ${e.f} at ${e.time} while an operation was still open`);
      if (crashed.has(e.process)) bad(`process ${e.process} invoked again at ${e.time} after an info completion (a crashed process must continue under a new id)`);
      const op: Operation = {
        id: ops.length, process: e.process, f: e.f, key: e.key, input: e.value, output: undefined,
        status: 'info', call: e.time, ret: Infinity,
      };
      ops.push(op);
      open.set(e.process, op);
      continue;
    }
    const op = open.get(e.process);
    if (op === undefined) bad(`process ${e.process} completed ${e.f} at ${e.time} with no open invocation`);
    if (op.f !== e.f || op.key !== e.key) bad(`process ${e.process} completed ${e.f} ${e.key} but had invoked ${op.f} ${op.key}`);
    open.delete(e.process);
    completeOperation(op, e.type, e.value, e.time);
    if (e.type === 'info') crashed.add(e.process);
  }
  return ops;
}

function completeOperation(op: Operation, type: Exclude<EventType, 'invoke'>, value: unknown, time: number): void {
  op.status = type;
  if (type === 'info') return; // unknown outcome: stays open until the end of time
  if (type === 'ok') op.output = value;
  op.ret = time;
}

/** Fault intervals of the nemesis, for charts and timelines. */
export function faultIntervals(events: readonly HistoryEvent[]): FaultInterval[] {
  const active = new Map<string, FaultInterval>();
  const done: FaultInterval[] = [];
  for (const event of events) {
    if (!isNemesisEvent(event)) continue;
    const id = `${event.value.fault}|${event.value.targets.join(',')}`;
    if (event.f === 'start') {
      if (!active.has(id)) active.set(id, { fault: event.value.fault, targets: event.value.targets, start: event.time, end: Infinity });
    } else {
      const interval = active.get(id);
      if (interval !== undefined) {
        interval.end = event.time;
        done.push(interval);
        active.delete(id);
      }
    }
  }
  return [...done, ...active.values()].sort((a, b) => a.start - b.start);
}
