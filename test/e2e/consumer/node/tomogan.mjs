// SPDX-License-Identifier: MIT
// A Node user's TomoGAN script: the shipped weights, a simulated low-dose slice, denoise on `auto` and on `wasm`,
// the shipped int8 edge model on anyml's reference runtime (the wasm core's q8_conv2d) and on 'auto', and the
// simulator's SIRT on a bead pack (noise-free: it converges to the object).
// Prints one JSON line.
import { anglesFor, phantom, radon, simulateLowDose, sirt, ssim } from 'anyml';
import { denoise, loadDefaultEdgeModel, loadDefaultWeights, nativeAvailable } from 'anyml/tomogan';

const model = await loadDefaultWeights();
const { lowDose, clean } = simulateLowDose(phantom('shepp-logan', 128), { photons: 1000, angles: 201, seed: 3 });
let lo = Infinity;
let hi = -Infinity;
for (const v of clean.data) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
const score = (img) => ssim(img, clean, { dataRange: hi - lo });
const auto = await denoise(lowDose, { model });
const wasm = await denoise(lowDose, { model, backend: 'wasm' });
const edge = await loadDefaultEdgeModel(); // on its own base weights, tomogan-sim-v1
const ref = await denoise(lowDose, { model: edge, runtime: 'reference' });
const edgeAuto = await denoise(lowDose, { model: edge });
const beads = phantom('beads', 64, 1);
const sirtSsim = ssim(sirt(radon(beads, anglesFor(64)), { iterations: 60 }), beads, { dataRange: 1 });
let diff = 0;
for (let i = 0; i < wasm.image.data.length; i++) diff = Math.max(diff, Math.abs(wasm.image.data[i] - auto.image.data[i]));
console.log(JSON.stringify({
  params: model.paramCount, native: await nativeAvailable(),
  auto: { backend: auto.backend, scaled: auto.scaled, ssim: score(auto.image) },
  wasm: { backend: wasm.backend, ssim: score(wasm.image) },
  edge: { backend: ref.backend, ssim: score(ref.image), stages: ref.stages }, edgeAuto: { backend: edgeAuto.backend, ssim: score(edgeAuto.image) },
  input: { ssim: score(lowDose) }, maxDiff: diff / (hi - lo), sirt: { ssim: sirtSsim },
}));
