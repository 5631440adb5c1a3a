#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:tomogan-tiles — picks DEFAULT_TILE (src/tomogan/denoise.ts) by measurement: denoise() time per tile core size
// on one image per backend (wasm and native at 1024², webgpu at 512²), each case after a warm-up at the same tile
// size (kernels compiled, onnxruntime's arena grown), interleaved over --reps rounds; the median is reported.
// Usage: npm run bench:tomogan-tiles [-- --reps 2] [-- --skip-webgpu] [-- --threads 1]
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const reps = Number(arg('--reps', 2));
const threads = arg('--threads') === undefined ? undefined : Number(arg('--threads'));
const a = { ...(await import('anyml')), ...(await import('anyml/tomogan')), ...(await import('anyml/node')) };
const gen = a.createGenerator({ depth: 1, widths: 'repo', seed: 1 });

function image(n) {
  const data = new Float32Array(n * n);
  let s = 7;
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 256;
  return { width: n, height: n, depth: 1, data };
}
const cases = [
  ...[256, 512, 1024].map((tile) => ({ backend: 'wasm', size: 1024, tile })),
  ...((await a.nativeAvailable()) ? [256, 512, 1024, 2048].map((tile) => ({ backend: 'native', size: 2048, tile })) : []),
  ...(process.argv.includes('--skip-webgpu') ? [] : [128, 256, 512].map((tile) => ({ backend: 'webgpu', size: 512, tile }))),
];
const times = new Map(cases.map((c) => [c, []]));
for (const c of cases) {
  try {
    await a.denoise(image(Math.min(c.size, c.tile + 112)), { model: gen, backend: c.backend, tile: c.tile, threads });
  } catch (e) {
    times.set(c, String(e.message ?? e));
  }
}
for (let r = 0; r < reps; r++)
  for (const c of cases) {
    const t = times.get(c);
    if (!Array.isArray(t)) continue;
    const img = image(c.size);
    const t0 = performance.now();
    const res = await a.denoise(img, { model: gen, backend: c.backend, tile: c.tile, threads });
    t.push({ s: (performance.now() - t0) / 1000, tiles: res.tiles, rss: process.memoryUsage().rss });
  }
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
console.log(`bench:tomogan-tiles ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, ${reps} rounds, threads ${threads ?? 'default'}\n`);
console.log('| backend | image | tile | tiles | median s | runs (s) | RSS after (MiB) |\n|---|---|---|---|---|---|---|');
for (const c of cases) {
  const t = times.get(c);
  if (!Array.isArray(t)) console.log(`| ${c.backend} | ${c.size}² | ${c.tile} | – | – | ${t} | – |`);
  else
    console.log(
      `| ${c.backend} | ${c.size}² | ${c.tile} | ${t[0].tiles} | ${median(t.map((x) => x.s)).toFixed(2)} | ${t.map((x) => x.s.toFixed(2)).join(', ')} | ${(t[t.length - 1].rss / 2 ** 20).toFixed(0)} |`,
    );
}
