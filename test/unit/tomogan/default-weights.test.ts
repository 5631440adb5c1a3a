// SPDX-License-Identifier: MIT
// The shipped TomoGAN weights (issue 6 "Default weights"): they load, and they restore a seeded simulated low-dose
// slice of a phantom kind they were not trained on (Shepp–Logan) far better than the FBP input, by SSIM and PSNR.
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTS_NAME, loadDefaultWeights } from '../../../src/tomogan/default-weights.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { psnr, ssim } from '../../../src/tomogan/metrics.js';
import { simulatedPairs } from '../../../src/tomogan/train/dataset.js';

describe(`shipped weights ${DEFAULT_WEIGHTS_NAME}`, () => {
  it('load as a depth-1, repo-width generator', async () => {
    const g = await loadDefaultWeights();
    expect([g.depth, g.widths, g.paramCount]).toEqual([1, 'repo', 694897]);
  });

  it('raise SSIM and PSNR on a held-out seeded Shepp–Logan slice at I0 = 1000 (256², wasm)', async () => {
    const model = await loadDefaultWeights();
    const [p] = simulatedPairs({ count: 1, size: 256, kinds: ['shepp-logan'], photons: [1000], seed: 4242 });
    const r = await denoise(p.noisy, { model, backend: 'wasm' });
    const score = (x: typeof p.clean) => ({ ssim: ssim(x, p.clean, { dataRange: 255, window: 'gaussian11' }), psnr: psnr(x, p.clean, { dataRange: 255 }) });
    const before = score(p.noisy);
    const after = score(r.image);
    console.log(`Shepp–Logan 256², I0 1000: SSIM ${before.ssim.toFixed(3)} → ${after.ssim.toFixed(3)}, PSNR ${before.psnr.toFixed(2)} → ${after.psnr.toFixed(2)} dB`);
    expect(after.ssim).toBeGreaterThan(before.ssim + 0.1);
    expect(after.psnr).toBeGreaterThan(before.psnr + 3);
  });
});

