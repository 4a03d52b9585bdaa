// Records a run's history as it happens: one clock (the harness's monotonic clock, in ns
// since the start) for every process, so real-time order between processes is sound. Events
// go to memory (for the checkers) and, line by line, to a JSON-lines sink.
// A process that completes with `info` is retired: its worker continues under a fresh id.
import { assert } from '../util/assert.js';
import type { ClientEvent, EventType, HistoryEvent, NemesisEvent } from './event.js';

export interface OpenOperation {
  /** Position in invocation order (the operation's id after pairing). */
  readonly index: number;
  readonly process: number;
  readonly f: string;
  readonly key: string;
  readonly value: unknown;
  readonly time: number;
}

export class HistoryRecorder {
  private readonly events: HistoryEvent[] = [];
  private readonly open = new Map<number, OpenOperation>();
  private readonly retired = new Set<number>();
  private nextProcessId: number;
  private invocations = 0;
  private readonly startedNs: bigint;

  /**
   * @param firstFreeProcessId ids below it are the workers' initial ids; fresh ids start here
   * @param sink receives each event as one JSON line (no newline)
   */
  constructor(firstFreeProcessId: number, private readonly sink: (line: string) => void = () => {}, private readonly nowNs: () => bigint = process.hrtime.bigint) {
    this.nextProcessId = firstFreeProcessId;
    this.startedNs = nowNs();
  }

  /** Nanoseconds since the recorder started. */
  now(): number {
    return Number(this.nowNs() - this.startedNs);
  }

  invoke(process: number, f: string, key: string, value: unknown): OpenOperation {
    assert(!this.open.has(process), `process ${process} invoked while an operation is open`);
    assert(!this.retired.has(process), `process ${process} was retired after an info outcome`);
    const op: OpenOperation = { index: this.invocations++, process, f, key, value, time: this.now() };
    this.open.set(process, op);
    this.push({ process, type: 'invoke', f, key, value, time: op.time });
    return op;
  }

  /**
   * Completes the open operation. Returns the process id the worker must use next: the same
   * one, or a fresh one after `info`.
   */
  complete(op: OpenOperation, type: Exclude<EventType, 'invoke'>, value: unknown): number {
    assert(this.open.get(op.process) === op, `process ${op.process} completes an operation it did not invoke`);
    this.open.delete(op.process);
    this.push({ process: op.process, type, f: op.f, key: op.key, value: type === 'ok' ? value : op.value, time: this.now() });
    if (type !== 'info') return op.process;
    this.retired.add(op.process);
    return this.nextProcessId++;
  }

  /** A process id never used before (for the final reads after healing). */
  freshProcessId(): number {
    return this.nextProcessId++;
  }

  nemesis(f: 'start' | 'stop', fault: string, targets: readonly string[]): void {
    const event: NemesisEvent = { process: 'nemesis', type: 'info', f, value: { fault, targets: [...targets] }, time: this.now() };
    this.push(event);
  }

  /** Operations still open (at the end of a run they stay open: unknown outcome). */
  get openCount(): number {
    return this.open.size;
  }

  history(): readonly HistoryEvent[] {
    return this.events;
  }

  clientEvents(): ClientEvent[] {
    return this.events.filter((e): e is ClientEvent => e.process !== 'nemesis');
  }

  private push(event: HistoryEvent): void {
    this.events.push(event);
    this.sink(JSON.stringify(event));
  }
}
