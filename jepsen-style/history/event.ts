// The history format shared by the recorder, the checkers and the CLI: JSON lines in real-time
// order. A client event is `{process, type, f, key, value, time}`; the nemesis writes its fault
// intervals into the same file as `{process: "nemesis", type: "info", f: "start"|"stop",
// value: {fault, targets}, time}`, which checkers skip and charts shade.
import { CodedError } from '../util/assert.js';

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

export interface ClientEvent {
  process: number;
  type: EventType;
  f: string;
  key: string;
  value: unknown;
  /** Nanoseconds since the start of the run (one monotonic clock for every process). */
  time: number;
}

export interface NemesisEvent {
  process: 'nemesis';
  type: 'info';
  f: 'start' | 'stop';
  value: { fault: string; targets: string[] };
  time: number;
}

export type HistoryEvent = ClientEvent | NemesisEvent;

export function isNemesisEvent(event: HistoryEvent): event is NemesisEvent {
  return event.process === 'nemesis';
}

const eventTypes = new Set<string>(['invoke', 'ok', 'fail', 'info']);

function bad(lineNo: number, message: string): never {
  throw new CodedError('HISTORY_INVALID', `line ${lineNo}: ${message}`);
}

/** Validates one parsed JSON line; `lineNo` is 1-based for messages. */
export function validateEvent(raw: unknown, lineNo: number): HistoryEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(lineNo, 'not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.time !== 'number' || !Number.isFinite(o.time)) bad(lineNo, '"time" must be a finite number');
  if (o.process === 'nemesis') {
    if (o.f !== 'start' && o.f !== 'stop') bad(lineNo, 'nemesis "f" must be "start" or "stop"');
    const v = o.value as { fault?: unknown; targets?: unknown } | null;
    if (typeof v !== 'object' || v === null || typeof v.fault !== 'string' || !Array.isArray(v.targets)) {
      bad(lineNo, 'nemesis "value" must be {fault, targets}');
    }
    return { process: 'nemesis', type: 'info', f: o.f, value: { fault: v.fault, targets: v.targets.map(String) }, time: o.time };
  }
  if (!Number.isSafeInteger(o.process) || (o.process as number) < 0) bad(lineNo, '"process" must be a non-negative integer');
  if (typeof o.type !== 'string' || !eventTypes.has(o.type)) bad(lineNo, '"type" must be invoke, ok, fail or info');
  if (typeof o.f !== 'string' || o.f.length === 0) bad(lineNo, '"f" must be a non-empty string');
  if (typeof o.key !== 'string') bad(lineNo, '"key" must be a string');
  if (!('value' in o)) bad(lineNo, '"value" is missing');
  return { process: o.process as number, type: o.type as EventType, f: o.f, key: o.key, value: o.value, time: o.time };
}

/** Parses a JSON-lines history; blank lines are skipped; times must never decrease. */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines = text.split('\n');
  let lastTime = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      bad(i + 1, 'not valid JSON');
    }
    const event = validateEvent(raw, i + 1);
    if (event.time < lastTime) bad(i + 1, `time ${event.time} is before the previous event's ${lastTime} (history must be in real-time order)`);
    lastTime = event.time;
    events.push(event);
  }
  return events;
}

export function formatEvent(event: HistoryEvent): string {
  return JSON.stringify(event);
}
