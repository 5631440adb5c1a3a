#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:tomogan-volume — `anyml denoise` on float32 TIFF stacks (docs/tomogan.md "Volumes"): slices per second and
// peak RSS (process.resourceUsage().maxRSS of the CLI's own process, from its --json summary) per slice count and
// backend. Flat peak RSS across slice counts is the streaming bound; one fresh process per case.
// Usage: npm run bench:tomogan-volume [-- --size 512] [-- --counts 16,64] [-- --backends native,wasm] [-- --tile 512]
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const size = Number(arg('--size', 512));
const counts = arg('--counts', '16,64').split(',').map(Number);
const backends = arg('--backends', 'native,wasm').split(',');
// --tile: the denoise tile core (the backend's default otherwise); smaller tiles bound the runtime's activations.
const tile = arg('--tile');
const { createTiffStack } = await import(join(root, 'dist/io/tiff_stack.js'));
const dir = mkdtempSync(join(tmpdir(), 'anyml-bench-volume-'));

/** A seeded stack (LCG, seed 7 + slice): the values only need to be finite and 8-bit-like. */
async function stack(n) {
  const path = join(dir, `v${n}.tif`);
  const w = await createTiffStack(path, size, size);
  const data = new Float32Array(size * size);
  for (let k = 0; k < n; k++) {
    let s = 7 + k;
    for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 256;
    await w.append(data);
  }
  await w.close();
  return path;
}

const rows = [];
for (const n of counts) {
  const input = await stack(n);
  for (const backend of backends) {
    const r = spawnSync(process.execPath, [join(root, 'bin/anyml.js'), 'denoise', input, join(dir, `o${n}${backend}.tif`), '--backend', backend, ...(tile ? ['--tile', tile] : []), '--json'], { encoding: 'utf8' });
    const last = r.stdout.trim().split('\n').pop();
    if (r.status !== 0) {
      rows.push({ backend, slices: n, error: (r.stderr.trim().split('\n').pop() ?? '').slice(0, 80) });
      continue;
    }
    const j = JSON.parse(last);
    rows.push({ backend: j.backend, slices: n, seconds: j.seconds, rate: j.slicesPerSecond, rssMB: j.peakRssBytes / 2 ** 20 });
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`anyml denoise on ${size}² float32 TIFF stacks${tile ? `, tile ${tile}` : ''}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`);
console.log('backend  slices  seconds  slices/s  peak RSS MB');
for (const r of rows)
  console.log(r.error ? `${r.backend.padEnd(8)} ${String(r.slices).padStart(6)}  failed: ${r.error}` : `${r.backend.padEnd(8)} ${String(r.slices).padStart(6)} ${r.seconds.toFixed(1).padStart(8)} ${r.rate.toFixed(2).padStart(9)} ${r.rssMB.toFixed(0).padStart(12)}`);
