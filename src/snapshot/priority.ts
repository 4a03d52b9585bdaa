// The snapshotter yields the CPU to the primary (issue #7: the primary's SET p99 during a
// snapshot within 1.2× of without). On Linux a nice value belongs to a thread, not a process:
// os.setPriority(pid) renices only the thread whose tid is pid, and the threads Node started
// before that (V8's platform workers, libuv's threadpool once used) keep nice 0 and do the
// snapshot's fsyncs, hashing and compression at full priority. So every tid in
// /proc/self/task is reniced; threads started later inherit the main thread's value.
//
// With the kernel's autogroup scheduling (CONFIG_SCHED_AUTOGROUP, on by default on desktop and
// many server kernels) the CPU is first shared between sessions, and thread nice values only
// weigh inside one session. A snapshotter in its own session (--background, or spawned
// detached by keel up / SAVE) also lowers its session's autogroup nice — only when it leads
// that session, so it never touches the nice value of a session it shares with others.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { assert } from '../util/assert.js';

/** Nice values an unprivileged process may move to: 0 (normal) … 19 (lowest). */
export const NICE_MIN = 0;
export const NICE_MAX = 19;

export interface PriorityOutcome {
  nice: number;
  /** Threads whose nice value is now `nice`. */
  threads: number;
  /** Threads that could not be reniced (gone meanwhile, or not permitted). */
  failed: number;
  /** Whether the session's autogroup was reniced (only as session leader, where it exists). */
  autogroup: boolean;
}

function assertNice(nice: number): void {
  assert(Number.isInteger(nice) && nice >= NICE_MIN && nice <= NICE_MAX, `nice must be an integer in ${NICE_MIN}..${NICE_MAX}, got ${nice}`);
}

/** The session id of this process (field 6 of /proc/self/stat), or null off Linux. */
export function ownSessionId(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // comm (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const session = Number(fields[3]);
    return Number.isInteger(session) ? session : null;
  } catch {
    return null;
  }
}

/** Thread ids of this process (Linux), or just the process id elsewhere. */
function ownThreadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((tid) => Number.isInteger(tid) && tid > 0);
  } catch {
    return [process.pid];
  }
}

/**
 * Lowers this process's CPU priority to `nice` (never raises it: a thread already nicer stays).
 * Best effort: what could not be changed is counted, not thrown.
 */
export function lowerOwnPriority(nice: number): PriorityOutcome {
  assertNice(nice);
  let threads = 0;
  let failed = 0;
  // The main thread first: threads started from now on inherit its value.
  const tids = [process.pid, ...ownThreadIds().filter((tid) => tid !== process.pid)];
  for (const tid of tids) {
    try {
      if (getPriority(tid) < nice) setPriority(tid, nice);
      threads += 1;
    } catch {
      failed += 1;
    }
  }
  let autogroup = false;
  if (ownSessionId() === process.pid) {
    try {
      const current = /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'));
      if (current && Number(current[1]) < nice) writeFileSync('/proc/self/autogroup', String(nice));
      autogroup = current !== null;
    } catch { /* no autogroup scheduling here, or not permitted */ }
  }
  return { nice, threads, failed, autogroup };
}

/**
 * For a parent that spawns a snapshotter: renices the child's main thread at once, so that
 * Node's bootstrap and module loading — before the child renices all its threads itself — do
 * not run at normal priority either (threads it starts from then on inherit the value).
 */
export function lowerChildPriority(pid: number | undefined, nice: number): boolean {
  assertNice(nice);
  if (pid === undefined) return false;
  try {
    setPriority(pid, nice);
    return true;
  } catch {
    return false; // gone already, or not permitted: the child still renices itself
  }
}
