// SPDX-License-Identifier: MIT
// Fresh projects that depend on anyml as users get it: `npm pack` of this repo, installed from the tarball with the
// npm registry for everything else (npm's cache keeps repeat runs fast). Used by test/e2e/consumer.test.ts and
// bench/package/run.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Why the npm registry cannot be used here (a reason string), or null when it answers. */
export function registryUnavailable() {
  const r = spawnSync('npm', ['view', 'vite@8', 'version', '--prefer-offline'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? null : `the npm registry did not answer (npm view vite: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
}

/**
 * Packs the repo into `dir` (dist/ must be built: `npm run build`) and returns the tarball path. `--ignore-scripts`:
 * the build already ran, and `prepare` would run it again.
 */
export function packRepo(dir) {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  const [info] = JSON.parse(out);
  return { tarball: join(dir, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.files.map((f) => f.path) };
}

/**
 * A new folder with a `"type": "module"` package.json, then `npm install` of `deps` (the tarball path among them).
 * `omitOptional` leaves out optional dependencies (onnxruntime-node). ONNXRUNTIME_NODE_INSTALL=skip keeps
 * onnxruntime-node's install script from downloading CUDA libraries (offline it fails and npm drops the package).
 */
export function createProject(parent, name, deps, { omitOptional = false, files } = {}) {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, version: '1.0.0', private: true, type: 'module' }, null, 2));
  if (files) cpSync(files, dir, { recursive: true });
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...(omitOptional ? ['--omit=optional'] : []), ...deps];
  const t0 = performance.now();
  const r = spawnSync('npm', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' }, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} in ${dir} failed (${r.status}): ${r.stderr}`);
  return { dir, installSeconds: (performance.now() - t0) / 1000 };
}

export function tempRoot(prefix = 'anyml-consumer-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Bytes under `path` (files only, apparent sizes), like `du -sb`. */
export function treeBytes(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(path)) n += treeBytes(join(path, e));
  return n;
}
