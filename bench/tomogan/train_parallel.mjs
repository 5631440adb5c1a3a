#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:tomogan-train-parallel — data-parallel trainTomogan (docs/tomogan.md "Data-parallel training"): iterations
// per second in the calling thread (workers 0) and on P = 1, 2, 4 worker threads, at the sizes of `anyml tomogan
// train` (batch 16, crop 64, itd 2, λ_adv 20: one generator and two discriminator steps per iteration), on simulated
// low-dose pairs (src/tomogan/train/dataset.ts). The first iteration (worker start, wasm compile) is not timed.
// Also prints the CPU time over the wall time of the in-thread run: 1.0 means tfjs-wasm used one thread.
// Usage: npm run bench:tomogan-train-parallel [-- --iterations 3] [-- --workers 0,1,2,4] [-- --batch 16 --crop 64]
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const iterations = Number(arg('--iterations', 3));
const batch = Number(arg('--batch', 16));
const crop = Number(arg('--crop', 64));
const Ps = arg('--workers', '0,1,2,4').split(',').map(Number);
const { trainTomogan } = await import(join(root, 'dist', 'tomogan', 'train', 'train.js'));
const { simulatedPairs } = await import(join(root, 'dist', 'tomogan', 'train', 'dataset.js'));

const data = simulatedPairs({ count: 8, size: 128, seed: 0 });
console.log(`${cpus().length} CPUs (${cpus()[0]?.model}); batch ${batch}, crop ${crop}, ${iterations} timed iterations (+1 warm-up)\n`);
console.log('| workers | it/s | s/it | speed-up vs in-thread | CPU/wall |');
console.log('|---|---|---|---|---|');
const rows = [];
for (const P of Ps) {
  const ms = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await trainTomogan({ data, backend: 'wasm', iterations: iterations + 1, batch, crop, seed: 1, workers: P, checkpointEvery: 1e9, onProgress: (r) => ms.push(r.ms) });
  const c = process.cpuUsage(c0);
  // Worker threads' CPU counts in process.cpuUsage too (one process).
  const cpuPerWall = (c.user + c.system) / 1e3 / (performance.now() - t0);
  const timed = ms.slice(1).reduce((a, b) => a + b, 0) / 1000;
  const itps = iterations / timed;
  rows.push({ P, itps });
  const base = rows.find((r) => r.P === Ps[0]).itps;
  console.log(`| ${P === 0 ? '0 (in-thread)' : P} | ${itps.toFixed(4)} | ${(1 / itps).toFixed(2)} | ${(itps / base).toFixed(2)}× | ${cpuPerWall.toFixed(2)} |`);
}
