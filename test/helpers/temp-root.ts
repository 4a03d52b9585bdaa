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
  return () => rmSync(root, { recursive: true, force: true });
}
