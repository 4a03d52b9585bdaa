// History builders for the checker's own tests: histories generated from a sequential
// register, with every operation linearized at a point inside its interval (so they must
// pass), and a brute-force oracle that decides small histories by trying every order.
import type { ClientEvent } from '../history/event.js';
import type { Operation } from '../history/operation.js';
import { Prng } from '../util/prng.js';

export interface PlannedOp {
  process: number;
  f: 'read' | 'write' | 'cas';
  key: string;
  /** write: the value; cas: [expected, new]; read: null */
  input: unknown;
  output: unknown;
  status: 'ok' | 'fail' | 'info';
  call: number;
  /** +Infinity for info */
  ret: number;
}

export interface RegisterHistoryOptions {
  keys: number;
  processesPerKey: number;
  opsPerKey: number;
  /** Probability that a write or cas ends `info`. */
  infoRate: number;
  values: number;
  /** Writes and CAS install values unique per key (as the real workload does); CAS expects a recent one. */
  uniqueValues?: boolean;
}

/**
 * Simulates clients against a correct, linearizable register: each operation takes effect at
 * one instant inside its interval (or, for some `info` ones, never).
 */
export function generateRegisterHistory(seed: number, options: RegisterHistoryOptions): PlannedOp[] {
  const random = new Prng(seed);
  const all: PlannedOp[] = [];
  for (let k = 0; k < options.keys; k++) {
    const key = `k${k}`;
    interface Pending { op: PlannedOp; lin: number; applies: boolean }
    const pending: Pending[] = [];
    const cursor = new Array<number>(options.processesPerKey).fill(0);
    const processId = cursor.map((_, i) => k * 1000 + i);
    let nextProcess = k * 1000 + options.processesPerKey;
    let lastValue = 0;
    const recent: number[] = [];
    for (let n = 0; n < options.opsPerKey; n++) {
      const lane = random.int(0, options.processesPerKey - 1);
      const call = cursor[lane]! + random.int(0, 3);
      const ret = call + random.int(0, 12);
      const lin = call + random.next() * (ret - call);
      const roll = random.next();
      const f = roll < 0.5 ? 'read' : roll < 0.8 ? 'write' : 'cas';
      let input: unknown = null;
      if (options.uniqueValues === true) {
        const value = ++lastValue;
        if (f !== 'read') recent.push(value);
        if (recent.length > 4) recent.shift();
        if (f === 'write') input = value;
        else if (f === 'cas') input = [recent.length > 1 ? random.pick(recent.slice(0, -1)) : null, value];
      } else {
        const value = random.int(0, options.values - 1);
        input = f === 'read' ? null : f === 'write' ? value : [random.int(0, options.values - 1), value];
      }
      const info = f !== 'read' && random.next() < options.infoRate;
      const op: PlannedOp = { process: processId[lane]!, f, key, input, output: null, status: info ? 'info' : 'ok', call, ret: info ? Infinity : ret };
      pending.push({ op, lin, applies: !info || random.next() < 0.5 });
      cursor[lane] = ret + 1;
      if (info) processId[lane] = nextProcess++;
    }
    pending.sort((a, b) => a.lin - b.lin);
    let state: unknown = null;
    for (const { op, applies } of pending) {
      if (op.f === 'read') op.output = state;
      else if (op.f === 'write') { if (applies) state = op.input; }
      else {
        const [expected, next] = op.input as [unknown, unknown];
        if (state === expected) { if (applies) state = next; }
        else if (op.status === 'ok') op.status = 'fail'; // the CAS found another value: it certainly did nothing
      }
      all.push(op);
    }
  }
  return all;
}

/** Events in real-time order: invoke at call, completion at ret; `info` completes right after call. */
export function toEvents(ops: readonly PlannedOp[]): ClientEvent[] {
  const events: { event: ClientEvent; order: number }[] = [];
  for (const op of ops) {
    events.push({ event: { process: op.process, type: 'invoke', f: op.f, key: op.key, value: op.f === 'read' ? null : op.input, time: op.call }, order: 0 });
    if (op.status === 'info') {
      events.push({ event: { process: op.process, type: 'info', f: op.f, key: op.key, value: op.input, time: op.call }, order: 1 });
    } else {
      events.push({ event: { process: op.process, type: op.status, f: op.f, key: op.key, value: op.f === 'read' ? op.output : op.input, time: op.ret }, order: 1 });
    }
  }
  // Same time: invokes before completions keeps the intervals closed, as the checker reads them;
  // a process's own completion always precedes its next invoke because its next call is later.
  events.sort((a, b) => a.event.time - b.event.time || a.order - b.order);
  return events.map((e) => e.event);
}

/** Converts planned ops straight into checker operations (ids in call order). */
export function toOperations(ops: readonly PlannedOp[]): Operation[] {
  return [...ops]
    .sort((a, b) => a.call - b.call)
    .map((op, id) => ({ id, process: op.process, f: op.f, key: op.key, input: op.input, output: op.status === 'ok' ? op.output : undefined, status: op.status, call: op.call, ret: op.status === 'info' ? Infinity : op.ret }));
}

/**
 * Brute-force register oracle for one key: tries every order consistent with real time
 * (a before b when a returns before b is called), letting each `info` write or cas either
 * take effect at some point or never. Independent of the WGL search and its models.
 */
export function bruteForceRegisterLinearizable(ops: readonly Operation[], initial: unknown = null): boolean {
  const live = ops.filter((o) => o.status !== 'fail' && !(o.f === 'read' && o.status !== 'ok'));
  const remaining = new Set(live.map((_, i) => i));
  const explore = (state: unknown): boolean => {
    if (remaining.size === 0) return true;
    for (const i of [...remaining]) {
      const op = live[i]!;
      // op may go next only if no other remaining op returned before op was called
      let minimal = true;
      for (const j of remaining) if (j !== i && live[j]!.ret < op.call) { minimal = false; break; }
      if (!minimal) continue;
      let next: unknown;
      let legal = true;
      if (op.f === 'read') legal = op.output === state, next = state;
      else if (op.f === 'write') next = op.input;
      else {
        const [expected, value] = op.input as [unknown, unknown];
        if (state === expected) next = value;
        else if (op.status === 'info') next = state;
        else legal = false;
      }
      remaining.delete(i);
      if (legal && explore(next)) { remaining.add(i); return true; }
      // An unknown operation may also never take effect.
      if (op.status === 'info' && explore(state)) { remaining.add(i); return true; }
      remaining.add(i);
    }
    return false;
  };
  return explore(initial);
}
