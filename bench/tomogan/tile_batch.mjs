#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:tomogan-tile-batch — does putting several tiles into one forward call pay on this backend? One slice cut
// into tiles, denoised with `batch` 1, 4 and 16 tiles per call, two rounds side by side (the second is the one to
// read; the first warms caches). If 16 tiles of one slice gain nothing, tiles gathered from neighbouring slices
// would not either: the call count is the only thing batching changes.
// Usage: node bench/tomogan/tile_batch.mjs [backend=native] [size=512] [tile=128]   (needs a built dist/)
const a = { ...(await import('anyml')), ...(await import('anyml/tomogan')) };
const model = await a.loadDefaultWeights();
const [be = 'native', size = 512, tile = 128] = process.argv.slice(2).map((v, i) => (i ? Number(v) : v));
// A smooth deterministic test slice on TomoGAN's 0…255 scale (the pixel values do not change the cost).
const img = { width: size, height: size, depth: 1, data: Float32Array.from({ length: size * size }, (_v, i) => (Math.sin(i * 0.37) + 1) * 100) };
const REPS = 3;
for (const round of [1, 2])
  for (const batch of [1, 4, 16]) {
    await a.denoise(img, { model, backend: be, tile, batch });
    const t0 = performance.now();
    for (let i = 0; i < REPS; i++) await a.denoise(img, { model, backend: be, tile, batch });
    console.log(`bench:tomogan-tile-batch ${be} ${size}² tile ${tile}, batch ${batch}, round ${round}: ${((performance.now() - t0) / REPS).toFixed(0)} ms/slice`);
  }
model.dispose();
