#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:tomogan — TomoGAN inference in Node, per backend, next to the raw engines in the same run:
//  end to end (read PNG → scale → tile → infer → stitch → write): wasm and webgpu (Dawn GL ES on llvmpipe) at
//  --size (default 1024), cpu at 256 only, native (onnxruntime-node) with --threads (default 1) and with its default
//  thread count; raw: tfjs-wasm on the bare graph (one full-frame forward), onnxruntime-web (wasm, 1 thread) and
//  onnxruntime-node (--threads) on anyml's ONNX export. Random seeded weights (the FLOPs are the same).
//  Every case is warmed up once on a 64² image first (weights uploaded, kernels compiled, sessions created), so the
//  timed run is read → scale → tile → infer → stitch → write on a loaded model, as for the raw engines.
// Usage: npm run bench:tomogan [-- --size 512] [-- --reps 3] [-- --skip-webgpu] [-- --threads 1] [-- --webgpu-size 2048 --webgpu-only]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const size = Number(arg('--size', 1024));
const skipWebgpu = process.argv.includes('--skip-webgpu');
// --webgpu-size: the webgpu case's size (default min(size, 512): llvmpipe is slow); --webgpu-only: that case alone.
const webgpuSize = Number(arg('--webgpu-size', Math.min(size, 512)));
const webgpuOnly = process.argv.includes('--webgpu-only');
const threads = Number(arg('--threads', 1));
const a = { ...(await import('anyml')), ...(await import('anyml/tomogan')), ...(await import('anyml/node')) };
const { useBackend } = await import(join(root, 'dist', 'tomogan', 'backends', 'index.js'));
const { tf } = await import(join(root, 'dist', 'tomogan', 'tf.js'));
const gen = a.createGenerator({ depth: 1, widths: 'repo', seed: 1 });
const gflop = (n) => (194.3976 * (n * n)) / (1024 * 1024); // conv FLOPs scale with pixels (docs/tomogan.md: 194.4 G at 1024²)
const dir = mkdtempSync(join(tmpdir(), 'anyml-tg-'));

function image(n) {
  const data = new Float32Array(n * n);
  let s = 7;
  for (let i = 0; i < data.length; i++) data[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 256);
  return { width: n, height: n, depth: 1, data };
}
async function endToEnd(backend, n, extra = {}) {
  await a.denoise(image(64), { model: gen, backend, ...extra }); // warm-up
  const input = join(dir, `in-${n}.png`);
  writeFileSync(input, await a.encodeImage(image(n), { format: 'png16', range: [0, 255] }));
  const t0 = performance.now();
  const img = await a.readImage(input);
  const r = await a.denoise(img, { model: gen, backend, ...extra });
  await a.writeImage(join(dir, `out-${backend}-${n}.png`), r.image);
  return { backend: r.backend, size: n, seconds: (performance.now() - t0) / 1000, inferMs: r.ms, tiles: r.tiles, warnings: r.warnings };
}
async function bareTfjs(n) {
  await useBackend('wasm');
  gen.forward(tf.zeros([1, 64, 64, 1])).dispose(); // weights uploaded, kernels compiled
  return async () => {
    await useBackend('wasm');
    const x = tf.tensor4d(image(n).data, [1, n, n, 1]);
    const t0 = performance.now();
    const y = gen.forward(x);
    await y.data();
    const s = (performance.now() - t0) / 1000;
    x.dispose();
    y.dispose();
    return s;
  };
}
/** A loaded, warmed-up onnxruntime session on anyml's export; returns one timed full-frame run. */
async function ortSession(mod, opts) {
  const session = await mod.InferenceSession.create(a.exportOnnx(gen), opts);
  await session.run({ input: new mod.Tensor('float32', new Float32Array(64 * 64), [1, 1, 64, 64]) });
  return async (n) => {
    const input = new mod.Tensor('float32', image(n).data, [1, 1, n, n]);
    const t0 = performance.now();
    await session.run({ input });
    return (performance.now() - t0) / 1000;
  };
}

const reps = Number(arg('--reps', 3));
if (webgpuOnly) {
  // The device check: the webgpu case alone (onnxruntime and the other peers need not be installed), `reps` runs.
  const v = [];
  for (let k = 0; k < reps; k++) v.push(await endToEnd('webgpu', webgpuSize));
  const s = v.map((r) => r.seconds).sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
  console.log(`| anyml end to end, webgpu (Dawn; ANYML_DAWN_FLAGS=${process.env.ANYML_DAWN_FLAGS ?? 'default'}), ${webgpuSize}² | ${s.toFixed(3)} s | ${(gflop(webgpuSize) / s).toFixed(1)} GFLOP/s | runs ${v.map((r) => r.seconds.toFixed(3)).join(', ')} | ${v[0].tiles} tiles |`);
  gen.dispose();
  process.exit(0);
}
const hasNative = await a.nativeAvailable();
const ortWeb = await import('onnxruntime-web');
ortWeb.env.wasm.numThreads = 1;
const peers = {
  tfjs: await bareTfjs(size),
  web: await ortSession(ortWeb, { executionProviders: ['wasm'] }),
  node: hasNative
    ? await ortSession(await import('onnxruntime-node'), { graphOptimizationLevel: 'all', executionMode: 'sequential', interOpNumThreads: 1, intraOpNumThreads: threads })
    : null,
};
// The paired cases run interleaved, `reps` rounds, so that VM noise hits anyml and its peer alike; medians reported.
const runs = { wasm: [], tfjs: [], web: [], native: [], node: [], nativeAll: [] };
for (let k = 0; k < reps; k++) {
  runs.wasm.push(await endToEnd('wasm', size));
  runs.tfjs.push(await peers.tfjs());
  runs.web.push(await peers.web(size));
  if (hasNative) {
    runs.native.push(await endToEnd('native', size, { threads }));
    runs.node.push(await peers.node(size));
    runs.nativeAll.push(await endToEnd('native', size));
  }
}
const once = [{ what: 'end to end, cpu, 256²', ...(await endToEnd('cpu', 256)) }];
if (!skipWebgpu) {
  try {
    once.push({ what: `end to end, webgpu (Dawn; ANYML_DAWN_FLAGS=${process.env.ANYML_DAWN_FLAGS ?? 'default'}), ${webgpuSize}²`, ...(await endToEnd('webgpu', webgpuSize)) });
  } catch (err) {
    once.push({ what: 'end to end, webgpu', error: String(err.message ?? err) });
  }
}
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
const secs = (v) => v.map((r) => (typeof r === 'number' ? r : r.seconds));
const t = (s) => `${s.toFixed(2)}`;
const th = `${threads} thread${threads > 1 ? 's' : ''}`;
console.log(`bench:tomogan ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, repo widths (${gflop(1024).toFixed(1)} GFLOP at 1024²), median of ${reps} interleaved rounds\n`);
console.log('| case | median s | GFLOP/s | runs (s) | tiles |\n|---|---|---|---|---|');
const row = (what, v, n = size) => {
  const m = median(secs(v));
  console.log(`| ${what} | ${t(m)} | ${(gflop(n) / m).toFixed(1)} | ${secs(v).map(t).join(', ')} | ${typeof v[0] === 'number' ? 1 : v[0].tiles} |`);
};
row(`anyml end to end, wasm, ${size}²`, runs.wasm);
row(`raw tfjs-wasm, bare graph, one ${size}² forward`, runs.tfjs);
row(`raw onnxruntime-web (wasm, 1 thread), anyml's ONNX export, ${size}²`, runs.web);
if (hasNative) {
  row(`anyml end to end, native (onnxruntime-node, ${th}), ${size}²`, runs.native);
  row(`raw onnxruntime-node (cpu, ${th}), anyml's ONNX export, ${size}²`, runs.node);
  row(`anyml end to end, native (default threads = ${cpus().length > 1 ? 'physical cores' : '1'}), ${size}²`, runs.nativeAll);
}
for (const r of once) {
  if (r.error) console.log(`| ${r.what} | – | – | ${r.error} | – |`);
  else console.log(`| ${r.what} | ${t(r.seconds)} | ${(gflop(r.size) / r.seconds).toFixed(1)} | ${t(r.seconds)} | ${r.tiles} |`);
}
const ratios = (num, den) => num.map((x, i) => secs(num)[i] / secs(den)[i]);
const rr = (v) => `median ${median(v).toFixed(2)}× (rounds ${v.map((x) => x.toFixed(2)).join(', ')})`;
console.log(`\nanyml wasm end to end / raw onnxruntime-web: ${rr(ratios(runs.wasm, runs.web))}; target ≤ 0.85×`);
console.log(`anyml wasm end to end / raw tfjs-wasm forward: ${rr(ratios(runs.wasm, runs.tfjs))}`);
if (hasNative) console.log(`anyml native end to end / raw onnxruntime-node, both ${th}: ${rr(ratios(runs.native, runs.node))}; target ≤ 1.1×`);
else console.log('native rows skipped: onnxruntime-node is not installed (ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node)');
gen.dispose();
