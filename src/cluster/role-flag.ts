// Transitional: until db nodes elect their primary through the log (DESIGN.md §4), `keel
// server` takes `--role primary|replica` and the supervisor must pick. Once `--role` is gone
// (or accepts `auto`), the supervisor passes no role at all and only discovers who won.
// Everything about choosing roles lives here, so that removing it is deleting this file.
import { execFile } from 'node:child_process';
import { keelMainPath } from './supervisor.js';

export type RoleMode = 'elected' | 'role-flag';

/** Reads `keel server --help`: a `--role` flag without `auto` means roles are still chosen at start. */
export function roleModeFromHelp(helpText: string): RoleMode {
  const line = helpText.split('\n').find((text) => /^\s*--role\b/.test(text));
  if (!line) return 'elected';
  return /\bauto\b/.test(line) ? 'elected' : 'role-flag';
}

export function detectRoleMode(): Promise<RoleMode> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [keelMainPath, 'server', '--help'], { timeout: 15_000 }, (error, stdout) => {
      if (error) reject(new Error(`cannot run keel server --help: ${error.message}`));
      else resolve(roleModeFromHelp(stdout));
    });
  });
}

/**
 * The role flags for a db node being (re)started. With elected roles: none. With the role flag:
 * primary when no other node serves as primary right now (the first start of the first node,
 * or a restart after the primary died), replica otherwise.
 */
export function roleArgs(mode: RoleMode, anotherPrimaryServes: boolean): string[] {
  if (mode === 'elected') return [];
  return ['--role', anotherPrimaryServes ? 'replica' : 'primary'];
}
