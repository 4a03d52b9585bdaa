#!/usr/bin/env node
// Entry point for the `keel` command. The TypeScript sources are compiled to dist/ by
// `npm install` (the `prepare` script) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'cli', 'main.js');
if (!existsSync(main)) {
  console.error('keel: not built yet; run `npm install` or `npm run build` first');
  process.exit(1);
}
await import(main);
