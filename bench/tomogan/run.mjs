#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:tomogan — TomoGAN inference in Node, per backend, next to the raw engines in the same run:
//  end to end (read PNG → scale → tile → infer → stitch → write): wasm and webgpu (Dawn GL ES on llvmpipe) at
//  --size (default 1024), cpu at 256 only; raw: tfjs-wasm on the bare graph (one full-frame forward) and
//  onnxruntime-web (wasm, 1 thread) on anyml's ONNX export. Random seeded weights (the FLOPs are the same).
// Usage: npm run bench:tomogan [-- --size 512] [-- --skip-webgpu]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const size = Number(arg('--size', 1024));
const skipWebgpu = process.argv.includes('--skip-webgpu');
const a = await import(join(root, 'dist', 'node.js'));
const { tf, useBackend } = await import(join(root, 'dist', 'tomogan', 'backends.js'));
const gen = a.createGenerator({ depth: 1, widths: 'repo', seed: 1 });
const gflop = (n) => (194.3976 * (n * n)) / (1024 * 1024); // conv FLOPs scale with pixels (TOMOGAN.md: 194.4 G at 1024²)
const dir = mkdtempSync(join(tmpdir(), 'anyml-tg-'));

function image(n) {
  const data = new Float32Array(n * n);
  let s = 7;
  for (let i = 0; i < data.length; i++) data[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 256);
  return { width: n, height: n, depth: 1, data };
}
async function endToEnd(backend, n) {
  const input = join(dir, `in-${n}.png`);
  writeFileSync(input, a.encodeImage(image(n), { format: 'png16', range: [0, 255] }));
  const t0 = performance.now();
  const img = await a.readImage(input);
  const r = await a.denoise(img, { model: gen, backend });
  await a.writeImage(join(dir, `out-${backend}-${n}.png`), r.image);
  return { backend: r.backend, size: n, seconds: (performance.now() - t0) / 1000, inferMs: r.ms, tiles: r.tiles, warnings: r.warnings };
}
async function bareTfjs(n) {
  await useBackend('wasm');
  const x = tf.tensor4d(image(n).data, [1, n, n, 1]);
  gen.forward(tf.zeros([1, 64, 64, 1])).dispose(); // weights uploaded, kernels compiled
  const t0 = performance.now();
  const y = gen.forward(x);
  await y.data();
  const s = (performance.now() - t0) / 1000;
  x.dispose();
  y.dispose();
  return s;
}
async function ort(n) {
  const ortMod = await import('onnxruntime-web');
  ortMod.env.wasm.numThreads = 1;
  const session = await ortMod.InferenceSession.create(a.exportOnnx(gen), { executionProviders: ['wasm'] });
  const input = new ortMod.Tensor('float32', image(n).data, [1, 1, n, n]);
  await session.run({ input: new ortMod.Tensor('float32', new Float32Array(64 * 64), [1, 1, 64, 64]) });
  const t0 = performance.now();
  await session.run({ input });
  return (performance.now() - t0) / 1000;
}

const rows = [];
rows.push({ what: `end to end, wasm, ${size}²`, ...(await endToEnd('wasm', size)) });
rows.push({ what: 'end to end, cpu, 256²', ...(await endToEnd('cpu', 256)) });
if (!skipWebgpu) {
  try {
    rows.push({ what: `end to end, webgpu (Dawn GL ES / llvmpipe), ${Math.min(size, 512)}²`, ...(await endToEnd('webgpu', Math.min(size, 512))) });
  } catch (err) {
    rows.push({ what: 'end to end, webgpu', error: String(err.message ?? err) });
  }
}
const bare = await bareTfjs(size);
const onnx = await ort(size);
console.log(`bench:tomogan ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, repo widths (${gflop(1024).toFixed(1)} GFLOP at 1024²)\n`);
console.log('| case | seconds | GFLOP/s | tiles | note |\n|---|---|---|---|---|');
for (const r of rows) {
  if (r.error) console.log(`| ${r.what} | – | – | – | ${r.error} |`);
  else console.log(`| ${r.what} | ${r.seconds.toFixed(2)} (infer ${(r.inferMs / 1000).toFixed(2)}) | ${(gflop(r.size) / (r.inferMs / 1000)).toFixed(1)} | ${r.tiles} | ${r.warnings.join('; ')} |`);
}
console.log(`| raw tfjs-wasm, bare graph, one ${size}² forward | ${bare.toFixed(2)} | ${(gflop(size) / bare).toFixed(1)} | 1 | |`);
console.log(`| raw onnxruntime-web (wasm, 1 thread), anyml's ONNX export, ${size}² | ${onnx.toFixed(2)} | ${(gflop(size) / onnx).toFixed(1)} | 1 | |`);
console.log(`\nanyml wasm end to end / raw tfjs-wasm: ${(rows[0].seconds / bare).toFixed(2)}×; raw onnxruntime-web / raw tfjs-wasm: ${(onnx / bare).toFixed(2)}×`);
gen.dispose();
