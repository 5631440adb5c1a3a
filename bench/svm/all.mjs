#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:svm — the three SVM benchmarks in one run, each in its own process, the arguments passed to every one:
// speed against LIBLINEAR (run.mjs), the accuracy table over every shared set (accuracy.mjs), and LIBSVM parse
// throughput, JS vs wasm (parse.mjs). Usage: npm run bench:svm [-- --reps 5]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

for (const part of ['run.mjs', 'accuracy.mjs', 'parse.mjs']) {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(part, import.meta.url)), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log('');
}
