#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:tomogan-generalise — how TomoGAN weights do on data they were not trained on, with `anyml denoise`'s
// defaults (scale 'auto', halo 56), three figures:
//   synthetic  the 1024² low-dose FBP (I0 = 1000, 1609 views; scikit-image's radon/iradon, shared data
//              tomogan/synthetic) against its phantom: SSIM with Wang et al.'s setting (11×11 Gaussian, σ 1.5,
//              data range 1; Wang, Bovik, Sheikh & Simoncelli 2004, IEEE TIP 13(4)), on the phantom's 0…1 units;
//   real       the 619² APS slice (tomogan/real ns_gray) against the original TomoGAN's output (dn_gray), SSIM
//              (Gaussian, data range 255) averaged outside the annotation mask;
//   held-out   the 256² simulated test set of bench/tomogan/quality.mjs (shepp-logan, ellipses, foam, smooth ×
//              I0 500, 1000, 5000 × --count, seeds 100·1000 + cell), mean SSIM against the noise-free FBP; a 3-slice
//              model gets 3-slice pairs (the middle slice scored), and the default 1-slice weights are scored on the
//              same middle slices alone beside it. On single slices (synthetic, real) a 3-slice model sees the slice
//              as its own neighbours, as at a volume's first and last slice.
// Beside each: the input's own SSIM. Usage: node bench/tomogan/generalise.mjs [--weights model.json|name] [--backend wasm]
//   [--count 2] [--json out.json] [--filters]   (default weights: the shipped ones; needs a built dist/ and ../shared/data)
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gaussianFilter, nlMeansMulti } from './filters.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shared = join(root, '..', 'shared', 'data', 'tomogan');
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const a = { ...(await import('anyml')), ...(await import('anyml/tomogan')), ...(await import('anyml/node')) };
if (!existsSync(shared)) throw new Error(`bench:tomogan-generalise needs ${shared}`);
const weights = arg('--weights');
// --weights: a model.json, or a shipped name (SHIPPED_WEIGHTS).
const model = !weights ? await a.loadDefaultWeights() : a.SHIPPED_WEIGHTS.includes(weights) ? await a.loadShippedWeights(weights) : await a.loadWeights(weights);
const backend = arg('--backend', 'wasm');
const count = Number(arg('--count', 2));
const clip = (img, lo, hi) => ({ ...img, data: img.data.map((v) => Math.min(hi, Math.max(lo, v))) });
const slice = (img, k) => ({ width: img.width, height: img.height, depth: 1, data: img.data.slice(k * img.width * img.height, (k + 1) * img.width * img.height) });
const run = async (img) => (await a.denoise(img, { model, backend })).image;

/**
 * --filters: the classic baselines of bench/tomogan/quality.mjs with oracle settings on the same score, the best
 * Gaussian σ and the best non-local-means h = k·σₙ (σₙ = std(noisy − reference), 5×5 patches, 11×11 search).
 */
function classic(noisy, reference, score) {
  if (!process.argv.includes('--filters')) return {};
  let m = 0, q = 0;
  for (let i = 0; i < noisy.data.length; i++) (m += noisy.data[i] - reference.data[i]), (q += (noisy.data[i] - reference.data[i]) ** 2);
  const sn = Math.sqrt(q / noisy.data.length - (m / noisy.data.length) ** 2);
  const best = (xs, f) => xs.map((x) => ({ x, ssim: f(x) })).reduce((b, c) => (c.ssim > b.ssim ? c : b));
  const g = best([0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6], (sg) => score(gaussianFilter(noisy, sg)));
  const K = [0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5, 3.2, 4.0];
  const outs = nlMeansMulti(noisy, { hs: K.map((k) => k * sn), sigma: sn, patchRadius: 2, searchRadius: 5 });
  const n = best(K.map((_, i) => i), (i) => score(outs[i]));
  return { gaussian: { sigma: g.x, ssim: g.ssim }, nlm: { k: K[n.x], ssim: n.ssim } };
}

async function synthetic() {
  const noisy = await a.readImage(join(shared, 'synthetic', 'lowdose_I0_1000_fbp_1024.npy'));
  const phantom = await a.readImage(join(shared, 'synthetic', 'phantom_1024.npy'));
  // Unclipped, as the data folder's README computes its table (the low-dose input there: 0.2797).
  const wang = (x) => a.ssim(x, phantom, { dataRange: 1, window: 'gaussian11' });
  return { input: wang(noisy), output: wang(await run(model.depth === 1 ? noisy : stack3(noisy))), ...classic(noisy, phantom, wang) };
}
/** A 3-slice model on a single slice: the slice as its own neighbours (the volume rule at an edge). */
const stack3 = (img) => {
  const n = img.width * img.height;
  const data = new Float32Array(3 * n);
  for (let k = 0; k < 3; k++) data.set(img.data, k * n);
  return { ...img, depth: 3, data };
};

async function real() {
  const ns = await a.readImage(join(shared, 'real', 'ns_gray_619x619_u8.npy'));
  const dn = await a.readImage(join(shared, 'real', 'dn_gray_619x619_u8.npy'));
  const mask = (await a.readImage(join(shared, 'real', 'annotation_mask_619x619.npy'))).data;
  const masked = (x) => {
    const r = a.ssim(clip(x, 0, 255), dn, { dataRange: 255, window: 'gaussian11', full: true });
    let s = 0, n = 0;
    for (let i = 0; i < r.map.length; i++) if (!mask[i]) (s += r.map[i]), n++;
    return s / n;
  };
  return { input: masked(ns), output: masked(await run(model.depth === 1 ? ns : stack3(ns))), ...classic(ns, dn, masked) };
}

/** For a 3-slice model: the default 1-slice weights on the middle slices alone, what the neighbours add. */
const oneSlice = model.depth === 3 ? await a.loadDefaultWeights() : undefined;

async function heldOut() {
  let s1 = 0;
  const KINDS = ['shepp-logan', 'ellipses', 'foam', 'smooth'], PHOTONS = [500, 1000, 5000];
  let sIn = 0, sOut = 0, n = 0;
  for (let k = 0; k < KINDS.length; k++)
    for (let p = 0; p < PHOTONS.length; p++) {
      const pairs = a.simulatedPairs({ count, size: 256, kinds: [KINDS[k]], photons: [PHOTONS[p]], depth: model.depth, seed: 100 * 1000 + k * PHOTONS.length + p });
      for (const pr of pairs) {
        const mid = pr.noisy.depth === 3 ? slice(pr.noisy, 1) : pr.noisy;
        sIn += a.ssim(clip(mid, 0, 255), pr.clean, { dataRange: 255, window: 'gaussian11' });
        sOut += a.ssim(clip(await run(pr.noisy), 0, 255), pr.clean, { dataRange: 255, window: 'gaussian11' });
        if (oneSlice) s1 += a.ssim(clip((await a.denoise(mid, { model: oneSlice, backend })).image, 0, 255), pr.clean, { dataRange: 255, window: 'gaussian11' });
        n++;
      }
    }
  return { input: sIn / n, output: sOut / n, pairs: n, ...(oneSlice ? { oneSlice: s1 / n } : {}) };
}

const t0 = performance.now();
const result = { date: new Date().toISOString(), weights: weights ?? a.DEFAULT_WEIGHTS_NAME, backend, synthetic: await synthetic(), real: await real(), heldOut: await heldOut() };
result.seconds = (performance.now() - t0) / 1000;
const f = (x) => x.toFixed(4);
console.log(`bench:tomogan-generalise ${result.date}: ${result.weights} on ${backend}, ${result.seconds.toFixed(0)} s`);
console.log('| set | input SSIM | output SSIM | bar |\n|---|---|---|---|');
console.log(`| synthetic 1024², I0 1000, vs phantom (Wang, range 1) | ${f(result.synthetic.input)} | ${f(result.synthetic.output)} | ≥ 0.955 |`);
console.log(`| real APS 619² vs TomoGAN's output, outside the mask | ${f(result.real.input)} | ${f(result.real.output)} | ≥ 0.65 |`);
console.log(`| held-out 256² simulated (${result.heldOut.pairs} pairs) vs clean FBP | ${f(result.heldOut.input)} | ${f(result.heldOut.output)} | ≥ 0.985 |`);
for (const k of ['synthetic', 'real']) {
  const c = result[k];
  if (c.gaussian) console.log(`${k}: best Gaussian σ ${c.gaussian.sigma} → ${f(c.gaussian.ssim)}, best non-local means h = ${c.nlm.k}·σₙ → ${f(c.nlm.ssim)}`);
}
if (oneSlice) console.log(`(3-slice held-out set: ${a.DEFAULT_WEIGHTS_NAME} on the middle slices alone gives ${f(result.heldOut.oneSlice)})`);
if (arg('--json')) writeFileSync(arg('--json'), JSON.stringify(result, null, 2));
model.dispose();
oneSlice?.dispose();
