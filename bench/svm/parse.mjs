#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:svm-parse — LIBSVM parse throughput, parseLibsvm (JS) vs parseLibsvmWasm (the wasm core's parser), on the
// uncompressed bytes of ijcnn1 and a9a from ../shared/data/libsvm (a .gz is decompressed in memory first, so only
// parsing is timed). Reps are interleaved (JS, WASM, JS, ...) so machine noise hits both alike; medians are printed.
// Usage: npm run bench:svm-parse [-- --reps 9]   (needs npm run build: it imports dist/)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../..', import.meta.url));
const data = join(root, '..', 'shared', 'data', 'libsvm');
const at = process.argv.indexOf('--reps');
const reps = (at > 0 && Number(process.argv[at + 1])) || 9;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const need of [data, join(root, 'dist', 'io', 'libsvm_wasm.js')]) {
  if (!existsSync(need)) throw new Error(`bench:svm-parse needs ${need} (the shared data folder; npm run build)`);
}
const { parseLibsvm } = await import(join(root, 'dist', 'io', 'libsvm.js'));
const { parseLibsvmWasm } = await import(join(root, 'dist', 'io', 'libsvm_wasm.js'));

/** The plain bytes of `name` (or of `name.gz`, decompressed), or null when neither exists. */
function plain(name) {
  if (existsSync(join(data, name))) return new Uint8Array(readFileSync(join(data, name)));
  if (existsSync(join(data, `${name}.gz`))) return new Uint8Array(gunzipSync(readFileSync(join(data, `${name}.gz`))));
  return null;
}

async function seconds(parse, bytes) {
  const t0 = process.hrtime.bigint();
  const r = await parse(bytes);
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, nnz: r.nnz };
}

const rows = [];
for (const name of ['ijcnn1', 'a9a', 'a9a.t', 'w8a']) {
  const bytes = plain(name);
  if (!bytes) {
    console.warn(`[skipped] ${name}: not in ${data}`);
    continue;
  }
  const sides = { js: parseLibsvm, wasm: parseLibsvmWasm };
  const times = { js: [], wasm: [] };
  const nnz = {};
  for (const [k, f] of Object.entries(sides)) nnz[k] = (await seconds(f, bytes)).nnz; // warm-up (JIT, wasm load)
  if (nnz.js !== nnz.wasm) throw new Error(`${name}: nnz differs, JS ${nnz.js} vs WASM ${nnz.wasm}`);
  for (let r = 0; r < reps; r++) for (const k of r % 2 ? ['wasm', 'js'] : ['js', 'wasm']) times[k].push((await seconds(sides[k], bytes)).s);
  const mb = bytes.length / 1e6;
  const js = mb / median(times.js), wasm = mb / median(times.wasm);
  rows.push({ file: name, MB: mb.toFixed(1), nnz: nnz.js, 'JS MB/s': js.toFixed(0), 'WASM MB/s': wasm.toFixed(0), 'WASM/JS': (wasm / js).toFixed(2) });
}
console.log(`LIBSVM parse throughput, median of ${reps} interleaved reps, Node ${process.version}`);
console.table(rows);
