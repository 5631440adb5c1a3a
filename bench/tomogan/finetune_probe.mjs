#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:tomogan-finetune-probe — does a change to the simulated training data move the real-data figure? Fine-tunes
// shipped weights (default tomogan-sim-v2) for --iterations more (batch 4, crop 64, lr 1e-4, pixel loss, wasm) on
// 24 fresh pairs of 256²/512² (seed 31) from v2's wide distribution, with the variant given, and prints after every
// 100 iterations the real APS SSIM (vs the original TomoGAN's output, outside the annotation mask) and the synthetic
// 1024² SSIM (vs its phantom), both as bench/tomogan/generalise.mjs computes them. Variants:
//   --min-views F   views log-uniform from F·N (instead of N/4) up to ⌈π/2·N⌉
//   --u8            round the noisy input to integers on 0…255 (an 8-bit slice, as the real one is)
//   --resample      resample both images by 0.5…0.8 (a 2×2-footprint weighted average), as the real slice was rendered
//   --sirt          half the noisy images reconstructed with SIRT (N/32…N/4 iterations) instead of FBP
//   --kinds a,b,…   the phantom kinds (default ellipses,foam,smooth,textured,ct: v2's)
//   --lambda-adv A  add TomoGAN's adversarial term with weight A (a fresh discriminator, two D steps per G step)
//                   beside the pixel loss of weight 1: the reference of the real figure was trained with one
// Usage: node bench/tomogan/finetune_probe.mjs [--iterations 400] [--min-views 0.03125] [--u8] [--resample] [--sirt] [--kinds …] [--lambda-adv 1]
//   (needs a built dist/ and ../shared/data; about 3 minutes per 100 iterations on a 2-vCPU VM)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const shared = join(fileURLToPath(new URL('../..', import.meta.url)), '..', 'shared', 'data', 'tomogan');
const a = { ...(await import('anyml')), ...(await import('anyml/tomogan')), ...(await import('anyml/node')) };
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const flag = (k) => process.argv.includes(k);
const read = (p) => a.readImage(join(shared, p));
const [ns, dn, maskImg, noisy1k, ph1k] = await Promise.all(['real/ns_gray_619x619_u8.npy', 'real/dn_gray_619x619_u8.npy',
  'real/annotation_mask_619x619.npy', 'synthetic/lowdose_I0_1000_fbp_1024.npy', 'synthetic/phantom_1024.npy'].map(read));
const clip = (x) => ({ ...x, data: x.data.map((v) => Math.min(255, Math.max(0, v))) });

async function real(model) {
  const r = a.ssim(clip((await a.denoise(ns, { model, backend: 'wasm' })).image), dn, { dataRange: 255, window: 'gaussian11', full: true });
  let s = 0, n = 0;
  for (let i = 0; i < r.map.length; i++) if (!maskImg.data[i]) (s += r.map[i]), n++;
  return s / n;
}
const synthetic = async (model) => a.ssim((await a.denoise(noisy1k, { model, backend: 'wasm' })).image, ph1k, { dataRange: 1, window: 'gaussian11' });

/** Resamples by f: each output pixel the tent-weighted mean of 5×5 samples over its footprint (an anti-aliased shrink). */
function resample(img, f) {
  const W = img.width, H = img.height, w = Math.round(W * f), h = Math.round(H * f), r = 1 / f;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0, ws = 0;
      for (let dy = -1; dy <= 1; dy += 0.5)
        for (let dx = -1; dx <= 1; dx += 0.5) {
          const sx = Math.min(W - 1, Math.max(0, Math.round((x + 0.5) * r - 0.5 + dx * r * 0.5)));
          const sy = Math.min(H - 1, Math.max(0, Math.round((y + 0.5) * r - 0.5 + dy * r * 0.5)));
          const wt = (1.5 - Math.abs(dx)) * (1.5 - Math.abs(dy));
          (s += wt * img.data[sy * W + sx]), (ws += wt);
        }
      data[y * w + x] = s / ws;
    }
  return { width: w, height: h, depth: 1, data };
}

const weights = arg('--weights', 'tomogan-sim-v2');
const base = await a.loadShippedWeights(weights);
let data = a.simulatedPairs({ count: 24, sizes: [256, 512], views: [Number(arg('--min-views', 0.25)), Math.PI / 2], photonRange: [200, 20000],
  filters: ['ramp', 'shepp-logan', 'hann'], kinds: arg('--kinds', 'ellipses,foam,smooth,textured,ct').split(','), seed: 31,
  ...(flag('--sirt') ? { reconstructions: ['fbp', 'sirt'] } : {}), onProgress: (d, n) => process.stderr.write(`\rsimulating ${d}/${n}`) });
// Golden-ratio steps spread the resampling factors evenly over 0.5…0.8, the same for every run.
if (flag('--resample')) data = data.map((p, i) => ({ ...p, noisy: resample(p.noisy, 0.5 + 0.3 * ((i * 0.618) % 1)), clean: resample(p.clean, 0.5 + 0.3 * ((i * 0.618) % 1)) }));
if (flag('--u8')) data = data.map((p) => ({ ...p, noisy: { ...p.noisy, data: p.noisy.data.map((v) => Math.round(Math.min(255, Math.max(0, v)))) } }));
const f = (x) => x.toFixed(4);
const lambdaAdv = Number(arg('--lambda-adv', 0));
if (!(lambdaAdv >= 0)) throw new Error(`--lambda-adv: ${arg('--lambda-adv')}; expected a number ≥ 0`);
console.log(`bench:tomogan-finetune-probe ${weights}: real ${f(await real(base))}, synthetic ${f(await synthetic(base))}`);
let ck;
for (let it = 100; it <= Number(arg('--iterations', 400)); it += 100) {
  const r = await a.trainTomogan({ data, init: ck ? undefined : base, resume: ck, iterations: it, batch: 4, crop: 64, lr: 1e-4, lambdaAdv, lambdaMse: 1, seed: 5, backend: 'wasm' });
  ck = r.checkpoint;
  console.log(`bench:tomogan-finetune-probe iteration ${it}: real ${f(await real(r.generator))}, synthetic ${f(await synthetic(r.generator))}`);
  r.generator.dispose();
}
