#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// TomoGAN denoising quality on a held-out simulated test set: SSIM and PSNR against the
// noise-free FBP of
//   fbp       the low-dose FBP input itself,
//   gaussian  a Gaussian filter (bench/tomogan/filters.mjs), σ picked from a grid by best mean SSIM over the whole
//             test set (an oracle choice that favours the baseline),
//   nlm       non-local means (filters.mjs: weight exp(−max(d² − 2σ², 0)/h²), d² the mean squared 5×5-patch
//             difference, 11×11 search window), σ = the image's true noise std, std(noisy − clean) (an oracle too),
//             and h = k·σ with k picked from a grid the same way,
//   tomogan   anyml's denoise() with --weights.
// Test set: phantom kinds shepp-logan, ellipses, foam, smooth × I0 ∈ {500, 1000, 5000} × --count pairs per cell, from
// simulatedPairs (src/tomogan/train/dataset.ts), one cell at a time with seed = 100·--seed + cell index (cell =
// kind index·3 + I0 index), so the default --seed 1000 never meets the training seeds (--seed 1 by default).
// Images are on TomoGAN's 0…255 scale (the noisy image's 0.05/99.95 percentile map, applied to both); every output
// is clipped to [0, 255] (the classic filters never leave it; TomoGAN may overshoot slightly). Metrics: ssim(…,
// { dataRange: 255, window: 'gaussian11' }) and psnr(…, { dataRange: 255 }), both equal to scikit-image's.
//
// Usage: node bench/tomogan/quality.mjs --weights <model.json> [--count 2] [--size 256] [--seed 1000]
//          [--json out.json] [--backend native|wasm|cpu] [--threads n]
// Needs a built dist/ (npm run build).
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gaussianFilter, nlMeansMulti } from './filters.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const flag = (k, d) => {
  const i = argv.indexOf(k);
  if (i < 0) return d;
  if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) fail(`${k} needs a value`);
  return argv[i + 1];
};
function fail(msg) {
  console.error(`quality.mjs: ${msg}`);
  console.error('usage: node bench/tomogan/quality.mjs --weights <model.json> [--count 2] [--size 256] [--seed 1000] [--json out.json] [--backend native|wasm|cpu] [--threads n]');
  process.exit(2);
}
const known = new Set(['--weights', '--count', '--size', '--seed', '--json', '--backend', '--threads']);
for (const a of argv) if (a.startsWith('--') && !known.has(a)) fail(`unknown flag ${a}`);
const weightsPath = flag('--weights');
if (!weightsPath) fail('--weights <model.json> is required: the TomoGAN weights to evaluate (e.g. a training run\'s model.json)');
if (!existsSync(weightsPath)) fail(`--weights ${weightsPath}: no such file`);
const count = Number(flag('--count', 2));
const size = Number(flag('--size', 256));
const seed = Number(flag('--seed', 1000));
const jsonOut = flag('--json');
const threadsFlag = flag('--threads');
const threads = threadsFlag === undefined ? undefined : Number(threadsFlag);
if (!Number.isInteger(count) || count < 1) fail(`--count ${count}: expected a positive integer`);
if (!Number.isInteger(size) || size < 16) fail(`--size ${size}: expected an integer ≥ 16`);
if (!Number.isInteger(seed) || seed < 0) fail(`--seed ${seed}: expected a non-negative integer`);

for (const f of ['index.js', 'tomogan/index.js'])
  if (!existsSync(join(root, 'dist', f))) fail(`dist/${f} is missing: run npm run build first`);
const a = { ...(await import('anyml')), ...(await import('anyml/tomogan')) };
const { simulatedPairs } = a;

const KINDS = ['shepp-logan', 'ellipses', 'foam', 'smooth'];
const PHOTONS = [500, 1000, 5000];
const SIGMAS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3];
const NLM_K = [0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5];
const NLM = { patchRadius: 2, searchRadius: 5 };
const log = (s) => process.stderr.write(s);
const now = () => performance.now();

// --- model -------------------------------------------------------------------------------------------------------
// The weights may be rewritten by a running training job (atomically, but model.json and weights.bin separately):
// retry a failed load once.
const weightsAbs = resolve(weightsPath);
const weightsMtime = statSync(weightsAbs).mtime.toISOString();
let model;
try {
  model = await a.loadWeights(weightsAbs);
} catch (e) {
  log(`loading ${weightsPath} failed (${e.message}); retrying once\n`);
  await new Promise((r) => setTimeout(r, 2000));
  model = await a.loadWeights(weightsAbs);
}
const backend = flag('--backend') ?? ((await a.nativeAvailable()) ? 'native' : 'wasm');
const denoiseOpts = { model, backend, ...(threads !== undefined ? { threads } : {}) };
{
  const w = { width: 64, height: 64, depth: model.depth, data: new Float32Array(64 * 64 * model.depth).fill(100) };
  await a.denoise(w, denoiseOpts); // warm-up: session / kernels
}

// --- test set ----------------------------------------------------------------------------------------------------
const t0 = now();
const cells = [];
for (let k = 0; k < KINDS.length; k++)
  for (let p = 0; p < PHOTONS.length; p++) cells.push({ kind: KINDS[k], photons: PHOTONS[p], seed: 100 * seed + k * PHOTONS.length + p });
const items = [];
for (const [ci, c] of cells.entries()) {
  log(`\rsimulating cell ${ci + 1}/${cells.length} (${c.kind}, I0 ${c.photons})   `);
  const pairs = simulatedPairs({ count, size, kinds: [c.kind], photons: [c.photons], depth: model.depth, seed: c.seed });
  for (const pr of pairs) {
    // The classic filters and the fbp row see the middle slice of a depth-3 input.
    const plane = size * size;
    const mid = pr.noisy.depth === 3 ? 1 : 0;
    const noisySlice = { width: size, height: size, depth: 1, data: pr.noisy.data.slice(mid * plane, (mid + 1) * plane) };
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < plane; i++) {
      const d = noisySlice.data[i] - pr.clean.data[i];
      s += d;
      s2 += d * d;
    }
    const noiseStd = Math.sqrt(Math.max(0, s2 / plane - (s / plane) ** 2));
    items.push({ kind: pr.kind, photons: pr.photons, pairSeed: pr.seed, cellSeed: c.seed, noisy: pr.noisy, noisySlice, clean: pr.clean, noiseStd, res: {} });
  }
}
const simSeconds = (now() - t0) / 1000;
log(`\rsimulated ${items.length} pairs in ${simSeconds.toFixed(1)} s\n`);

const clip = (img) => {
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 255 ? 255 : d[i];
  return img;
};
// SSIM over the whole image (as scikit-image reports it) and over the reconstruction circle only ("FOV"): FBP with
// circle=True is exactly 0 outside it in every image, which lifts every method's whole-image SSIM alike.
const score = (img, clean) => {
  const r = a.ssim(img, clean, { dataRange: 255, window: 'gaussian11', full: true });
  const c = (r.width - 1) / 2;
  const rad2 = (r.width / 2 - 1) ** 2;
  let sum = 0;
  let n = 0;
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++)
      if ((x - c) ** 2 + (y - c) ** 2 <= rad2) {
        sum += r.map[y * r.width + x];
        n++;
      }
  return { ssim: r.mean, ssimFov: sum / n, psnr: a.psnr(img, clean, { dataRange: 255 }) };
};
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const timing = {};

// fbp
for (const it of items) it.res.fbp = score(it.noisySlice, it.clean);
timing.fbp = { searchSeconds: 0, secondsPerImage: 0 };

// gaussian: grid search
let t = now();
const gGrid = SIGMAS.map(() => []);
for (const [n, it] of items.entries()) {
  log(`\rgaussian ${n + 1}/${items.length}   `);
  SIGMAS.forEach((sg, j) => gGrid[j].push(score(clip(gaussianFilter(it.noisySlice, sg)), it.clean)));
}
const gSearch = (now() - t) / 1000;
const gMeans = gGrid.map((rs) => mean(rs.map((r) => r.ssim)));
const gBest = gMeans.indexOf(Math.max(...gMeans));
items.forEach((it, n) => (it.res.gaussian = gGrid[gBest][n]));
t = now();
for (const it of items) gaussianFilter(it.noisySlice, SIGMAS[gBest]);
timing.gaussian = { searchSeconds: gSearch, secondsPerImage: (now() - t) / 1000 / items.length };
log(`\rgaussian: best σ ${SIGMAS[gBest]} (grid ${gSearch.toFixed(1)} s)\n`);

// nlm: grid search over k (h = k·σ_noise), all k at once per image (shared patch distances)
t = now();
const nGrid = NLM_K.map(() => []);
for (const [n, it] of items.entries()) {
  log(`\rnlm ${n + 1}/${items.length}   `);
  const outs = nlMeansMulti(it.noisySlice, { hs: NLM_K.map((k) => k * it.noiseStd), sigma: it.noiseStd, ...NLM });
  outs.forEach((o, j) => nGrid[j].push(score(clip(o), it.clean)));
}
const nSearch = (now() - t) / 1000;
const nMeans = nGrid.map((rs) => mean(rs.map((r) => r.ssim)));
const nBest = nMeans.indexOf(Math.max(...nMeans));
items.forEach((it, n) => (it.res.nlm = nGrid[nBest][n]));
t = now();
const nTimed = items.slice(0, Math.min(items.length, 6));
for (const it of nTimed) nlMeansMulti(it.noisySlice, { hs: [NLM_K[nBest] * it.noiseStd], sigma: it.noiseStd, ...NLM });
timing.nlm = { searchSeconds: nSearch, secondsPerImage: (now() - t) / 1000 / nTimed.length };
log(`\rnlm: best k ${NLM_K[nBest]} (grid ${nSearch.toFixed(1)} s)\n`);

// tomogan
t = now();
let tgMs = 0;
let tgBackend = backend;
const tgWarnings = new Set();
for (const [n, it] of items.entries()) {
  log(`\rtomogan ${n + 1}/${items.length}   `);
  const r = await a.denoise(it.noisy, denoiseOpts);
  tgMs += r.ms;
  tgBackend = r.backend;
  for (const w of r.warnings) tgWarnings.add(w);
  it.res.tomogan = score(clip(r.image), it.clean);
}
timing.tomogan = { searchSeconds: 0, secondsPerImage: tgMs / 1000 / items.length, totalSeconds: (now() - t) / 1000 };
log(`\rtomogan: ${timing.tomogan.totalSeconds.toFixed(1)} s on ${tgBackend}\n`);

// --- report ------------------------------------------------------------------------------------------------------
const METHODS = ['fbp', 'gaussian', 'nlm', 'tomogan'];
const setting = {
  fbp: '—',
  gaussian: `σ = ${SIGMAS[gBest]} px`,
  nlm: `h = ${NLM_K[nBest]}·σₙ`,
  tomogan: `${tgBackend}`,
};
const sel = (pred) => items.filter(pred);
const summary = {};
for (const m of METHODS) {
  const s = { ssim: mean(items.map((it) => it.res[m].ssim)), ssimFov: mean(items.map((it) => it.res[m].ssimFov)), psnr: mean(items.map((it) => it.res[m].psnr)), ssimByI0: {}, psnrByI0: {}, ssimByKind: {} };
  for (const p of PHOTONS) {
    s.ssimByI0[p] = mean(sel((it) => it.photons === p).map((it) => it.res[m].ssim));
    s.psnrByI0[p] = mean(sel((it) => it.photons === p).map((it) => it.res[m].psnr));
  }
  for (const k of KINDS) s.ssimByKind[k] = mean(sel((it) => it.kind === k).map((it) => it.res[m].ssim));
  summary[m] = s;
}
const bestClassic = summary.gaussian.ssim >= summary.nlm.ssim ? 'gaussian' : 'nlm';
const delta = summary.tomogan.ssim - summary[bestClassic].ssim;
const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}-${process.arch}`;
const f3 = (x) => x.toFixed(3);
const f2 = (x) => x.toFixed(2);
const sec = (x) => (x >= 1 ? `${x.toFixed(2)} s` : `${(x * 1000).toFixed(0)} ms`);

const out = [];
out.push(`## TomoGAN denoising quality (held-out simulated test set)`);
out.push('');
out.push(`- date: ${new Date().toISOString()}; machine: ${machine}; load average at end: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
out.push(`- weights: ${weightsPath} (model.json modified ${weightsMtime}; depth ${model.depth})`);
out.push(`- test set: ${KINDS.join(', ')} × I0 ∈ {${PHOTONS.join(', ')}} × ${count} = ${items.length} pairs, ${size}², seed ${seed} (cell seeds ${cells[0].seed}…${cells[cells.length - 1].seed}); simulated in ${simSeconds.toFixed(1)} s`);
out.push(`- reference: the noise-free FBP; SSIM gaussian11 (dataRange 255), PSNR (dataRange 255); outputs clipped to [0, 255]`);
out.push(`- gaussian: σ grid [${SIGMAS.join(', ')}], truncate 4σ, reflect; best mean SSIM σ = ${SIGMAS[gBest]}`);
out.push(
  `- nlm: patch ${2 * NLM.patchRadius + 1}², search ${2 * NLM.searchRadius + 1}², w = exp(−max(d² − 2σₙ², 0)/h²), σₙ = std(noisy − clean) per image (mean ${f2(mean(items.map((it) => it.noiseStd)))}), h = k·σₙ, k grid [${NLM_K.join(', ')}]; best k = ${NLM_K[nBest]}`,
);
out.push(`- tomogan: denoise backend ${tgBackend}${threads !== undefined ? `, ${threads} threads` : ''}${tgWarnings.size ? `; warnings: ${[...tgWarnings].join('; ')}` : ''}`);
out.push('');
const head = ['method', 'setting', 'SSIM', 'SSIM in FOV', 'PSNR (dB)', ...PHOTONS.map((p) => `SSIM I0=${p}`), ...KINDS.map((k) => `SSIM ${k}`), 's/image'];
out.push(`| ${head.join(' | ')} |`);
out.push(`|${head.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
for (const m of METHODS) {
  const s = summary[m];
  const row = [m, setting[m], f3(s.ssim), f3(s.ssimFov), f2(s.psnr), ...PHOTONS.map((p) => f3(s.ssimByI0[p])), ...KINDS.map((k) => f3(s.ssimByKind[k])), m === 'fbp' ? '—' : sec(timing[m].secondsPerImage)];
  out.push(`| ${row.join(' | ')} |`);
}
out.push('');
out.push(`TomoGAN − best classic (mean SSIM): ${delta >= 0 ? '+' : '−'}${f3(Math.abs(delta))} (target ≥ +0.05; best classic: ${bestClassic})`);
const deltaFov = summary.tomogan.ssimFov - Math.max(summary.gaussian.ssimFov, summary.nlm.ssimFov);
out.push(`TomoGAN − best classic (mean SSIM in FOV): ${deltaFov >= 0 ? '+' : '−'}${f3(Math.abs(deltaFov))}`);
out.push('');
out.push(`Grid search (mean SSIM): gaussian ${SIGMAS.map((sg, j) => `σ ${sg}: ${f3(gMeans[j])}`).join(', ')}`);
out.push(`Grid search (mean SSIM): nlm ${NLM_K.map((k, j) => `k ${k}: ${f3(nMeans[j])}`).join(', ')}`);
out.push(
  `Wall time: simulation ${simSeconds.toFixed(1)} s; gaussian grid ${gSearch.toFixed(1)} s (${SIGMAS.length} σ), ${sec(timing.gaussian.secondsPerImage)}/image at the chosen σ; ` +
    `nlm grid ${nSearch.toFixed(1)} s (${NLM_K.length} h at once), ${sec(timing.nlm.secondsPerImage)}/image at the chosen h; ` +
    `tomogan ${timing.tomogan.totalSeconds.toFixed(1)} s, ${sec(timing.tomogan.secondsPerImage)}/image (denoise ms); total ${((now() - t0) / 1000).toFixed(1)} s`,
);
console.log(out.join('\n'));

if (jsonOut) {
  const doc = {
    date: new Date().toISOString(),
    machine,
    settings: { weights: weightsPath, weightsModified: weightsMtime, depth: model.depth, count, size, seed, kinds: KINDS, photons: PHOTONS, backend: tgBackend, threads: threads ?? null },
    gaussian: { grid: SIGMAS, meanSsim: gMeans, sigma: SIGMAS[gBest] },
    nlm: { ...NLM, weight: 'exp(-max(d2 - 2 sigma^2, 0) / h^2), d2 = mean squared patch difference, sigma = std(noisy - clean)', kGrid: NLM_K, meanSsim: nMeans, k: NLM_K[nBest] },
    summary,
    bestClassic,
    tomoganMinusBestClassicSsim: delta,
    timing: { simulationSeconds: simSeconds, ...timing },
    images: items.map((it) => ({ kind: it.kind, photons: it.photons, cellSeed: it.cellSeed, pairSeed: it.pairSeed, noiseStd: it.noiseStd, ...it.res })),
  };
  writeFileSync(jsonOut, `${JSON.stringify(doc, null, 2)}\n`);
  log(`wrote ${jsonOut}\n`);
}
