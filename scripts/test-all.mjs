#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Runs every test suite in CI order and prints one plain summary line last: "N passed, N failed, N skipped".
// Order: committed wasm bytes == rebuild, typecheck, native C++ tests, Node tests, browser tests (Chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const CI = process.env.CI === 'true';
const reports = '.vitest-reports';
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function check(name, cmd, args, { tool } = {}) {
  if (tool && !existsSync(tool)) {
    if (CI) {
      process.stdout.write(`\n=== ${name}: FAILED — ${tool} is missing (CI=true requires it; run scripts/setup-system.sh)\n`);
      failed++;
    } else {
      process.stdout.write(`\n=== ${name}: skipped — ${tool} is missing (install with scripts/setup-system.sh)\n`);
      skipped++;
    }
    return;
  }
  if (step(name, cmd, args)) passed++;
  else failed++;
}

function vitest(name, extra) {
  const out = `${reports}/${name}.json`;
  step(name, 'npx', ['vitest', 'run', ...extra, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  if (!existsSync(out)) {
    process.stdout.write(`=== ${name}: no report written (the runner crashed)\n`);
    failed++;
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + loadFailures(r);
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}

// A test file that fails to load is a failed suite with no failed test: count it as one failure.
function loadFailures(r) {
  return (r.testResults ?? []).filter((f) => f.status === 'failed' && !f.assertionResults?.some((a) => a.status === 'failed')).length;
}

check('wasm: committed bytes match a rebuild', 'bash', ['wasm/build.sh', '--check'], { tool: '/usr/bin/em++' });
check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
check('native C++ tests', 'bash', ['scripts/native-tests.sh']);
vitest('node', []);
if (existsSync('/usr/bin/chromium')) vitest('browser', ['--config', 'vitest.browser.config.ts']);
else check('browser tests (Chromium)', 'true', [], { tool: '/usr/bin/chromium' });

process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);
