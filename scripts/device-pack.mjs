#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Packs what scripts/device-check.sh needs on a lent device machine into `.device/` (git-ignored): the device gets
// the working tree but no registry, and at most 64 MiB of carried files, so node_modules (≈ 0.9 GB here) cannot
// travel. This copies only the packages the checks load, without source maps, type declarations and other
// platforms' binaries, and fails when the result is over the budget. Run it after `npm run build` and
// `npm run build:mpi`; carry `.device`, `dist`, `vendor` and `build/mpi` (the x86-64 anyml-mpi, for a device with
// OpenMPI).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.device', 'node_modules');
const BUDGET = 56 * 1024 * 1024; // of the 64 MiB carry limit, leaving room for dist/ and build/mpi
// The packages the checks import (SVM CLI, TomoGAN training on tfjs-wasm, WebGPU through Dawn, image codecs), with
// their runtime dependencies added from each package.json (npm hoists them to the top level).
const ROOTS = [
  'commander', 'comlink', 'cli-progress', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-webgpu', 'webgpu', 'flatbuffers', 'fast-png', 'utif2',
];
function closure(roots) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const pj = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(pj)) return;
    for (const dep of Object.keys(JSON.parse(readFileSync(pj, 'utf8')).dependencies ?? {})) visit(dep);
  };
  roots.forEach(visit);
  return [...seen];
}
const PACKAGES = closure(ROOTS);
// `p`: a path inside the package, starting with '/'. tfjs packages keep only their top-level dist bundles: Node loads
// the CommonJS `main` bundle (anyml's gradient registrations come from vendor/tfjs, carried with the build).
const drop = (pkg, p) =>
  /\.(map|md)$/.test(p) || (/\.d\.ts$/.test(p)) || /\/(win32|darwin)[^/]*\//.test(p) || /linux-arm64/.test(p) ||
  /\/(miniprogram|src|test|tests|docs)\//.test(p) ||
  (pkg.startsWith('@tensorflow/') && (/^\/dist\/[^/]+\//.test(p) || /\.(min|esm|fesm|es2017)\.js$/.test(p) || /(fesm|es2017|esm)/.test(p)));

rmSync(join(root, '.device'), { recursive: true, force: true });
let bytes = 0;
const missing = [];
for (const pkg of PACKAGES) {
  const from = join(root, 'node_modules', pkg);
  if (!existsSync(from)) {
    missing.push(pkg);
    continue;
  }
  cpSync(from, join(out, pkg), { recursive: true, filter: (src) => !drop(pkg, `/${relative(from, src)}`) });
}
// The shipped generator as ONNX, for trtexec on the device (fixed 1024² input, the size the TensorRT check builds).
const { loadDefaultWeights } = await import(join(root, 'dist', 'tomogan', 'default_weights.js'));
const { exportOnnx } = await import(join(root, 'dist', 'tomogan', 'onnx.js'));
const gen = await loadDefaultWeights();
writeFileSync(join(root, '.device', 'tomogan-1024.onnx'), exportOnnx(gen, { dynamicSize: false, height: 1024, width: 1024 }));
gen.dispose();
const walk = (d) => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : (bytes += statSync(join(d, e.name)).size)));
walk(join(root, '.device'));
mkdirSync(join(root, '.device'), { recursive: true });
console.log(`.device/node_modules: ${(bytes / 2 ** 20).toFixed(1)} MiB${missing.length ? ` (not installed here, skipped: ${missing.join(', ')})` : ''}`);
if (bytes > BUDGET) {
  console.error(`device-pack: ${(bytes / 2 ** 20).toFixed(1)} MiB is over the ${BUDGET / 2 ** 20} MiB budget of the device carry`);
  process.exit(1);
}
