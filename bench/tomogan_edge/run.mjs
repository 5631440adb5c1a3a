#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The edge path's two tables, as the TomoGAN talk gives them:
// 1. Quality: SSIM (Gaussian 11×11, scikit-image's) and PSNR on the 0…255 scale of fp32 full frame, int8 full frame,
//    fp32 64² tiles, int8 64² tiles and int8 64² tiles + fine-tune, on a held-out simulated set (seed 1000, never
//    used for calibration or fine-tuning) against the clean image, and on the real APS slice against the original
//    TomoGAN output (no clean truth exists; outside the annotation mask).
// 2. Time per 1024² image per stage (int8 model / stitching / fine-tune / total) on each int8 runtime here, beside
//    anyml's fp32 on native (onnxruntime-node) and wasm in the same run, and beside the talk's Edge TPU figures.
// Usage: node bench/tomogan_edge/run.mjs [--count 6] [--reps 3] [--edge edge.json] [--json out.json] [--skip-quality]
// Needs a built dist/ (npm run build) and ../shared/data for the real image and the 1024² slice.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shared = join(root, '..', 'shared', 'data', 'tomogan');
const argv = process.argv.slice(2);
const flag = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const count = Number(flag('--count', 6));
const reps = Number(flag('--reps', 3));
const a = { ...(await import('anyml')), ...(await import('anyml/tomogan')), ...(await import('anyml/node')) };
const log = (s) => process.stderr.write(s + '\n');
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

const gen = await a.loadShippedWeights(a.DEFAULT_EDGE_BASE); // the edge model's own float weights
const edge = argv.includes('--edge') ? a.edgeModelFromJson(JSON.parse(readFileSync(flag('--edge'), 'utf8')), gen) : await a.loadDefaultEdgeModel(gen);
const runtimes = [];
for (const name of ['reference', 'tflite', 'onnxruntime']) {
  try {
    await a.edgeRuntimes.resolve(name, 'bench');
    runtimes.push(name);
  } catch (e) {
    log(`runtime ${name}: unavailable (${e.message})`);
  }
}

/** Mean SSIM of `img` against `ref` over the pixels where `mask` is false. */
function maskedSsim(img, ref, mask) {
  const r = a.ssim(img, ref, { dataRange: 255, window: 'gaussian11', full: true });
  let s = 0;
  let n = 0;
  for (let i = 0; i < r.map.length; i++) if (!mask[i]) (s += r.map[i]), n++;
  return s / n;
}

async function realQuality() {
  const ns = join(shared, 'real', 'ns_gray_619x619_u8.npy');
  if (!existsSync(ns)) return log('real APS image: ../shared/data missing, skipped'), [];
  const noisy = await a.readImage(ns);
  const dn = await a.readImage(join(shared, 'real', 'dn_gray_619x619_u8.npy'));
  const mask = (await a.readImage(join(shared, 'real', 'annotation_mask_619x619.npy'))).data;
  const outs = await a.edgeVariants(edge, noisy, 'auto');
  return Object.entries(outs).map(([variant, d]) => {
    const img = { width: noisy.width, height: noisy.height, data: d.map((v) => Math.min(255, Math.max(0, v))) };
    return { variant, ssim: maskedSsim(img, dn, mask), psnr: a.psnr(img, dn, { dataRange: 255 }) };
  });
}

async function timeRuntime(image, runtime, finetune) {
  const ms = [];
  for (let r = 0; r < reps; r++) ms.push((await a.denoise(image, { model: edge, runtime, finetune, scale: 'none' })).stages);
  const pick = (k) => median(ms.map((s) => s[k]));
  return { runtime, finetune, model: pick('model'), stitch: pick('stitch'), finetune_ms: pick('finetune'), total: pick('total') };
}

async function timeFloat(image, backend) {
  const ms = [];
  await a.denoise({ width: 64, height: 64, depth: 1, data: new Float32Array(4096).fill(9) }, { model: gen, backend });
  for (let r = 0; r < reps; r++) ms.push((await a.denoise(image, { model: gen, backend, scale: 'none' })).ms);
  return { backend, total: median(ms) };
}

async function timing() {
  const f = join(shared, 'synthetic', 'lowdose_I0_1000_fbp_1024.npy');
  const src = existsSync(f) ? await a.readImage(f) : a.simulatedPairs({ count: 1, size: 1024, seed: 5 })[0].noisy;
  const image = a.needsScaling(src.data) ? a.scaleToUint8Range(src).image : src;
  const out = { int8: [], fp32: [] };
  for (const rt of runtimes) {
    log(`timing int8 on ${rt} …`);
    await a.denoise({ width: 64, height: 64, depth: 1, data: new Float32Array(4096).fill(9) }, { model: edge, runtime: rt }); // warm-up
    out.int8.push(await timeRuntime(image, rt, true));
  }
  for (const b of ['native', 'wasm']) {
    log(`timing fp32 on ${b} …`);
    try {
      out.fp32.push(await timeFloat(image, b));
    } catch (e) {
      log(`fp32 ${b}: ${e.message}`);
    }
  }
  return out;
}

const quality = argv.includes('--skip-quality')
  ? null
  : {
      simulated: await a.edgeQuality(edge, a.simulatedPairs({ count, size: 256, seed: 1000, kinds: ['shepp-logan', 'ellipses', 'foam', 'smooth'] })),
      real: await realQuality(),
    };
const times = await timing();
const seed = { 'Edge TPU (USB)': { model: 435, stitch: 49, finetune: 70, total: 554 }, 'Edge TPU dev board': { total: 798 }, 'Jetson TX2 (TensorRT)': { total: 880 } };
const result = { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, quality, times, seed };
const f3 = (x) => (x === undefined ? '–' : (x / 1000).toFixed(3));
if (quality)
  for (const [set, rows] of Object.entries(quality)) {
    console.log(`\n${set}: variant | SSIM | PSNR`);
    for (const q of rows) console.log(`${q.variant} | ${q.ssim.toFixed(4)} | ${q.psnr.toFixed(2)}`);
  }
console.log('\n1024² time (s): runtime | model | stitch | fine-tune | total');
for (const t of times.int8) console.log(`int8 ${t.runtime} | ${f3(t.model)} | ${f3(t.stitch)} | ${f3(t.finetune_ms)} | ${f3(t.total)}`);
for (const t of times.fp32) console.log(`fp32 ${t.backend} (halo-tiled, full quality) | – | – | – | ${f3(t.total)}`);
for (const [k, v] of Object.entries(seed)) console.log(`${k} (talk) | ${f3(v.model)} | ${f3(v.stitch)} | ${f3(v.finetune)} | ${f3(v.total)}`);
const ort = times.int8.find((t) => t.runtime === 'onnxruntime');
const nat = times.fp32.find((t) => t.backend === 'native');
if (ort && nat) console.log(`\nint8 onnxruntime vs fp32 native: ${(nat.total / ort.total).toFixed(2)}× (target ≥ 1.5×)`);
if (argv.includes('--json')) writeFileSync(flag('--json'), JSON.stringify(result, null, 1));
