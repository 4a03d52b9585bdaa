// The nemesis against a stand-in db layer: what it records and when, relative to the actions
// it takes. (The real processes are exercised by the runs, not here.)
import { describe, expect, it } from 'vitest';
import type { ClusterDb, ClusterNode } from '../db/cluster.js';
import type { LinkProxy } from '../net/proxy.js';
import { HistoryRecorder } from '../history/recorder.js';
import { isNemesisEvent } from '../history/event.js';
import { Prng } from '../util/prng.js';
import { Nemesis } from './nemesis.js';
import { checkUnavailableWhile } from './unavailability.js';

/** Kill/start only; `onStart` runs while a node is being restarted (the nemesis's undo). */
class StubDb implements ClusterDb {
  readonly name = 'stub';
  readonly actions: string[] = [];
  constructor(private readonly onStart: (id: string) => void) {}
  nodes(): readonly ClusterNode[] {
    return [{ id: 'log-a', kind: 'log' }, { id: 'log-b', kind: 'log' }, { id: 'log-c', kind: 'log' }, { id: 'db-1', kind: 'db' }];
  }
  async setup(): Promise<void> {}
  async teardown(): Promise<void> {}
  clientEndpoints(): [] { return []; }
  links(): ReadonlyMap<string, LinkProxy> { return new Map(); }
  async primary(): Promise<string | undefined> { return 'db-1'; }
  async kill(id: string): Promise<void> { this.actions.push(`kill ${id}`); }
  async start(id: string): Promise<void> { this.actions.push(`start ${id}`); this.onStart(id); }
  async pause(): Promise<void> {}
  async resume(): Promise<void> {}
  async wipe(): Promise<void> {}
  unexpectedExits(): readonly string[] { return []; }
}

describe('Nemesis', () => {
  it('records a fault as ended before undoing it, so writes acknowledged during the restart lie outside the window', async () => {
    let clock = 0n;
    const recorder = new HistoryRecorder(10, () => {}, () => (clock += 1_000n));
    // While the first log node restarts, the cluster regains a quorum and acknowledges a
    // write invoked right then; the second restart is still in progress.
    let process = 0;
    const db = new StubDb((id) => {
      const open = recorder.invoke(process, 'write', 'x', id);
      recorder.complete(open, 'ok', id);
      process++;
    });
    const nemesis = new Nemesis(db, recorder, new Prng(7));
    const fault = await nemesis.start({ kind: 'two-log-down', target: 'log-two' });
    expect(fault).toBeDefined();
    await nemesis.stop(fault!);

    const events = recorder.history();
    const stopIndex = events.findIndex((e) => isNemesisEvent(e) && e.f === 'stop');
    const firstRestartWrite = events.findIndex((e) => !isNemesisEvent(e) && e.type === 'invoke');
    expect(stopIndex).toBeGreaterThanOrEqual(0);
    expect(stopIndex).toBeLessThan(firstRestartWrite);
    expect(db.actions.filter((a) => a.startsWith('start'))).toHaveLength(2);
    const verdict = checkUnavailableWhile(events, (f) => f.startsWith('two-log-down'));
    expect(verdict.acknowledgedInside).toEqual([]);
    expect(verdict.verdict).toBe('ok');
  });

  it('records a failed undo as a nemesis error and still ends the window', async () => {
    const recorder = new HistoryRecorder(10);
    const db = new StubDb(() => { throw new Error('port taken'); });
    const nemesis = new Nemesis(db, recorder, new Prng(1));
    const fault = await nemesis.start({ kind: 'kill', target: 'log-one' });
    await nemesis.stop(fault!);
    expect(nemesis.errors.join()).toMatch(/port taken/);
    expect(recorder.history().filter(isNemesisEvent).map((e) => e.f)).toEqual(['start', 'stop']);
  });
});
