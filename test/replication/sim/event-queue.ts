// The simulation's only notion of real time: a priority queue of events by (time, insertion
// order). Running an event advances `now` to its time; events at the same instant run in the
// order they were scheduled, so a seed replays exactly.

interface ScheduledEvent {
  at: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  /** Real (simulated) time in ms. */
  now = 0;
  private readonly heap: ScheduledEvent[] = [];
  private seq = 0;
  eventsRun = 0;

  schedule(at: number, run: () => void): void {
    const event = { at: Math.max(at, this.now), seq: this.seq++, run };
    const heap = this.heap;
    heap.push(event);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  /** Runs the next event unless none is left or it lies after `untilMs`; says whether it ran one. */
  runNext(untilMs: number): boolean {
    const heap = this.heap;
    const first = heap[0];
    if (first === undefined || first.at > untilMs) return false;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
        index = smallest;
      }
    }
    this.now = first.at;
    this.eventsRun++;
    first.run();
    return true;
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
