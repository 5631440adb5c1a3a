#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// TomoGAN (shipped weights) in onnxruntime-node: the full-int8 QDQ export (src/quant/onnx_qdq.ts) against the float
// ONNX export (src/tomogan/onnx.ts) on one --size² image (default 1024), same session options (CPU EP,
// graphOptimizationLevel 'all', --threads intra-op threads, 0 = onnxruntime's default), median of --reps timed runs
// (default 3) after one warm-up each. int8 is quantized from min/max over two seeded 64² images. Both activation
// storages of the QDQ model are timed ('uint8': what onnxruntime fuses completely on x86; 'int8'), and onnxruntime's
// per-operator kernel times of one profiled int8 run show what the unfused float Resize and its DQ / Q cost.
// Reads dist/ (npm run build first). Usage: node bench/tomogan_edge/onnx_int8.mjs [--size 1024] [--reps 3] [--threads 0] [--no-profile]
// Or: const { benchOnnxInt8 } = await import('./bench/tomogan_edge/onnx_int8.mjs'); await benchOnnxInt8({ size: 512 });
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

/** The shipped generator, its graph, the int8 quantization and onnxruntime-node. */
async function load() {
  const [{ loadDefaultWeights }, { generatorGraph }, { runGraphTf }, { tf }, { useBackend }, { loadOrtNode }] = await Promise.all(
    ['tomogan/default_weights.js', 'tomogan/graph.js', 'tomogan/graph_tf.js', 'tomogan/tf.js', 'tomogan/backends/index.js', 'tomogan/backends/native.js'].map(dist),
  );
  const [{ RangeStats }, { quantizeGraph }, { quantizeArray }, qdq, { exportOnnx }] = await Promise.all(
    ['quant/ranges.js', 'quant/quantize.js', 'quant/reference.js', 'quant/onnx_qdq.js', 'tomogan/onnx.js'].map(dist),
  );
  await useBackend('cpu');
  const gen = await loadDefaultWeights();
  const g = generatorGraph(gen);
  const stats = new RangeStats(1);
  for (const seed of [100, 101]) {
    const x = tf.tensor4d(image(64, seed), [1, 64, 64, 1]);
    runGraphTf(g, x, (j, t) => stats.add(j, t.dataSync())).dispose();
    x.dispose();
  }
  const q = quantizeGraph(g, g.tensors.map((_, j) => stats.range(j, 'minmax')), { method: 'minmax', images: 2 });
  return { gen, g, q, quantizeArray, qdq, exportOnnx, ort: await loadOrtNode() };
}

/** A seeded n × n image on TomoGAN's 0…255 input scale (LCG, as bench/tomogan). */
function image(n, seed) {
  const data = new Float32Array(n * n);
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 256;
  return data;
}

function sessionOptions(threads, extra = {}) {
  return { executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}), ...extra };
}

/**
 * Median wall time (ms) per case of `reps` runs after one warm-up each, the cases taking turns run by run so that
 * a change in machine load (other processes) reaches all of them alike.
 */
async function timeTurns(cases, reps) {
  for (const c of cases) await c.session.run(c.feeds);
  const ms = cases.map(() => []);
  for (let r = 0; r < reps; r++)
    for (const [i, c] of cases.entries()) {
      const t0 = performance.now();
      await c.session.run(c.feeds);
      ms[i].push(performance.now() - t0);
    }
  return ms.map((m) => m.sort((a, b) => a - b)[Math.floor(reps / 2)]);
}

/** Per op type: kernel ms of one profiled run, and the optimized model's node counts. */
async function profile(ort, qdq, model, feeds, threads) {
  const dir = mkdtempSync(join(tmpdir(), 'anyml-qdq-prof-'));
  try {
    const optimizedModelFilePath = join(dir, 'optimized.onnx');
    const s = await ort.InferenceSession.create(model, sessionOptions(threads, { enableProfiling: true, profileFilePrefix: join(dir, 'prof'), optimizedModelFilePath }));
    await s.run(feeds);
    s.endProfiling();
    await s.release?.();
    const file = readdirSync(dir).find((f) => f.startsWith('prof') && f.endsWith('.json'));
    const kernels = {};
    for (const e of JSON.parse(readFileSync(join(dir, file), 'utf8')))
      if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) kernels[e.args.op_name] = (kernels[e.args.op_name] ?? 0) + e.dur / 1000;
    return { kernelsMs: Object.fromEntries(Object.entries(kernels).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +v.toFixed(1)])), fused: Object.fromEntries(qdq.onnxNodeCounts(readFileSync(optimizedModelFilePath))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Times onnxruntime fp32 and int8 QDQ (both activation storages) on one size² image; returns the medians (ms), the
 * speed-ups over fp32 and, unless `profile` is false, per-op kernel times and fused node counts of the int8 models.
 */
export async function benchOnnxInt8({ size = 1024, reps = 3, threads = 0, profile: withProfile = true } = {}) {
  const { gen, g, q, quantizeArray, qdq, exportOnnx, ort } = await load();
  const img = image(size, 7);
  const x8 = quantizeArray(img, q.params[g.input]);
  const storages = ['uint8', 'int8'];
  const models = storages.map((activations) => qdq.writeOnnxQdq(q, { activations }));
  const feeds8 = { input: new ort.Tensor('int8', x8, [1, 1, size, size]) };
  const cases = [{ model: exportOnnx(gen), feeds: { input: new ort.Tensor('float32', img, [1, 1, size, size]) } }, ...models.map((model) => ({ model, feeds: feeds8 }))];
  for (const c of cases) c.session = await ort.InferenceSession.create(c.model, sessionOptions(threads));
  const [fp32Ms, ...int8Ms] = await timeTurns(cases, reps);
  for (const c of cases) await c.session.release?.();
  const int8 = {};
  for (const [i, activations] of storages.entries())
    int8[activations] = { ms: +int8Ms[i].toFixed(1), speedup: +(fp32Ms / int8Ms[i]).toFixed(2), ...(withProfile ? await profile(ort, qdq, models[i], feeds8, threads) : {}) };
  return { size, reps, threads, onnxruntime: ort.env?.versions?.node ?? 'unknown', fp32Ms: +fp32Ms.toFixed(1), int8 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (k, d) => (process.argv.includes(k) ? Number(process.argv[process.argv.indexOf(k) + 1]) : d);
  const r = await benchOnnxInt8({ size: arg('--size', 1024), reps: arg('--reps', 3), threads: arg('--threads', 0), profile: !process.argv.includes('--no-profile') });
  console.log(JSON.stringify(r, null, 1));
  for (const [k, v] of Object.entries(r.int8)) console.log(`${r.size}²: fp32 ${r.fp32Ms} ms, int8 QDQ (${k} activations) ${v.ms} ms → ${v.speedup}× (median of ${r.reps}, threads ${r.threads || 'default'})`);
}
