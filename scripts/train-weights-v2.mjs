#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The recipe of the shipped weights tomogan-sim-v2 (docs/tomogan-model-card.md): tomogan-sim-v1 fine-tuned on the
// wide simulated distribution of simulatedPairs (src/tomogan/train/dataset.ts) — 36 pairs of 256², 512² or 1024²,
// views log-uniform from N/4 to ⌈π/2·N⌉, I0 log-uniform in 200…20,000, FBP filters ramp / Shepp–Logan / Hann,
// phantoms ellipses, foam, smooth, textured and ct (data seed 21) — with the pixel loss, Adam lr 1e-4, batch 4,
// random 64² crops (crop seed 5), on tfjs-wasm. Checkpoints every 50 iterations into <out>; rerunning continues from
// the last one (the same weights as an uninterrupted run).
// --slices 3: the recipe of tomogan-sim-v2-3slice — tomogan-sim-v2 widened to 3 input slices (threeSliceFrom, exact
// on the middle slice), fine-tuned on 3-slice pairs of the same distribution (data seed 22), every fourth pair also
// as its edge form (the middle slice as its own neighbours, the volume rule at the first and last slice).
// Usage: npm run build && node scripts/train-weights-v2.mjs <out> [--iterations 1200] [--workers P] [--slices 3]
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const tg = await import('../dist/tomogan/index.js');
const out = process.argv[2];
if (!out || out.startsWith('--')) throw new Error('usage: node scripts/train-weights-v2.mjs <out> [--iterations 1200] [--workers P] [--slices 3]');
const arg = (k, d) => (process.argv.includes(k) ? Number(process.argv[process.argv.indexOf(k) + 1]) : d);
mkdirSync(out, { recursive: true });
const atomic = (path, bytes) => (writeFileSync(`${path}.tmp`, bytes), renameSync(`${path}.tmp`, path));

const depth = arg('--slices', 1);
if (depth !== 1 && depth !== 3) throw new Error(`--slices: ${depth}; expected 1 or 3`);
const t0 = performance.now();
const pairs = tg.simulatedPairs({
  count: 36, depth, sizes: [256, 512, 1024], views: [0.25, Math.PI / 2], photonRange: [200, 20000], filters: ['ramp', 'shepp-logan', 'hann'],
  kinds: ['ellipses', 'foam', 'smooth', 'textured', 'ct'], seed: depth === 1 ? 21 : 22,
  onProgress: (d, n) => process.stderr.write(`\rsimulating pairs ${d}/${n}`),
});
process.stderr.write(` in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
/** The pair with its middle slice as all three: what a volume's first and last slice look like to the model. */
const edgeForm = (p) => {
  const n = p.clean.data.length, mid = p.noisy.data.subarray(n, 2 * n), data = new Float32Array(3 * n);
  for (let k = 0; k < 3; k++) data.set(mid, k * n);
  return { noisy: { ...p.noisy, data }, clean: p.clean };
};
const data = depth === 1 ? pairs : [...pairs, ...pairs.filter((_, i) => i % 4 === 0).map(edgeForm)];
const init = async () => (depth === 1 ? tg.loadShippedWeights('tomogan-sim-v1') : tg.threeSliceFrom(await tg.loadShippedWeights('tomogan-sim-v2')));
const ck = join(out, 'checkpoint');
const resume = existsSync(`${ck}.json`) ? tg.decodeCheckpoint(readFileSync(`${ck}.json`, 'utf8'), new Uint8Array(readFileSync(`${ck}.bin`))) : undefined;
const r = await tg.trainTomogan({
  data, init: resume ? undefined : await init(), resume, iterations: arg('--iterations', 1200), workers: arg('--workers', 0),
  batch: 4, crop: 64, lr: 1e-4, lambdaAdv: 0, lambdaMse: 1, seed: 5, backend: 'wasm', checkpointEvery: 50,
  onProgress: (rec) => rec.iteration % 50 === 0 && process.stderr.write(`iteration ${rec.iteration}: crop MSE ${rec.mse.toFixed(2)}, ${rec.ms.toFixed(0)} ms\n`),
  onCheckpoint: (c) => {
    const { json, bin } = tg.encodeCheckpoint(c);
    atomic(`${ck}.bin`, bin);
    atomic(`${ck}.json`, json);
    const g = tg.generatorFromCheckpoint(c);
    const s = tg.saveWeights(g);
    g.dispose();
    atomic(join(out, 'weights.bin'), new Uint8Array(s.weightData));
    atomic(join(out, 'model.json'), JSON.stringify(s.modelJson));
  },
});
process.stderr.write(`trained to iteration ${r.checkpoint.iteration} in ${r.seconds.toFixed(0)} s → ${out}/model.json\n`);
