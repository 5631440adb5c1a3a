#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The `anyml` command. Runs the compiled CLI from dist/ (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('anyml: dist/ is missing. Run `npm run build` (npm ci runs it for you) in the anyml folder.\n');
  process.exit(1);
}
await import(entry.href);
