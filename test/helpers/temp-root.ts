// Vitest global setup: every test run gets one temporary root, and every temporary directory a
// test or a process it spawns makes under os.tmpdir() lands in it (TMPDIR is inherited). The
// root is removed when the run ends, so a run leaves nothing behind in /tmp, however its tests
// clean up (or fail to).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'keel-tests-'));
  process.env.TMPDIR = root;
  return () => {
    // Vitest tears down before it closes its workers, and processes the last tests started
    // may still be shutting down (a child outlives its parent by up to orphanExitMs, 3 s,
    // writing as it goes): a removal can meet a file created meanwhile. Retry for ~7 s
    // (ENOTEMPTY is retried with a growing pause), and never fail a run over a leftover.
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 8, retryDelay: 200 });
    } catch (error) {
      console.warn(`test run: could not remove ${root}: ${(error as Error).message}`);
    }
  };
}
