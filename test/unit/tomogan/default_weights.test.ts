// SPDX-License-Identifier: MIT
// The shipped TomoGAN weights: they load, and they restore a seeded simulated low-dose
// slice of a phantom kind they were not trained on (Shepp–Logan) far better than the FBP input, by SSIM and PSNR.
import { describe, expect, it } from 'vitest';
import { DEFAULT_3SLICE_WEIGHTS_NAME, DEFAULT_WEIGHTS_NAME, loadDefaultWeights, loadShippedWeights, SHIPPED_WEIGHTS } from '../../../src/tomogan/default_weights.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { psnr, ssim } from '../../../src/tomo/metrics.js';
import { simulatedPairs } from '../../../src/tomogan/train/dataset.js';
import { phantom, simulateLowDose } from '../../../src/tomo/index.js';
import type { Image } from '../../../src/types.js';

const range = (x: Image) => x.data.reduce((m, v) => Math.max(m, v), -Infinity) - x.data.reduce((m, v) => Math.min(m, v), Infinity);

describe('shipped weights by name', () => {
  it('loads tomogan-sim-v2 (depth 1, repo widths), and refuses an unknown name listing the shipped ones', async () => {
    const g = await loadShippedWeights('tomogan-sim-v2');
    expect([g.depth, g.widths, g.paramCount]).toEqual([1, 'repo', 694897]);
    expect(SHIPPED_WEIGHTS).toEqual(['tomogan-sim-v1', 'tomogan-sim-v2', 'tomogan-sim-v2-3slice']);
    await expect(loadShippedWeights('tomogan-sim-v9' as never)).rejects.toThrow(
      'loadShippedWeights: name: got "tomogan-sim-v9", expected one of tomogan-sim-v1, tomogan-sim-v2, tomogan-sim-v2-3slice',
    );
    g.dispose();
  });
});

describe(`shipped weights ${DEFAULT_WEIGHTS_NAME}`, () => {
  it('load as a depth-1, repo-width generator, the same weights as loading the default by name', async () => {
    const g = await loadDefaultWeights();
    expect([g.depth, g.widths, g.paramCount]).toEqual([1, 'repo', 694897]);
    const named = await loadShippedWeights(DEFAULT_WEIGHTS_NAME);
    for (const s of g.specs) expect(Buffer.from(g.weights.get(s.name)!.kernel.buffer).equals(Buffer.from(named.weights.get(s.name)!.kernel.buffer))).toBe(true);
    named.dispose();
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

  it("restore simulateLowDose's output as it is (scale 'auto' maps it to 0…255 and back); 'none' gains little", async () => {
    const model = await loadDefaultWeights();
    const { lowDose, clean } = simulateLowDose(phantom('shepp-logan', 256), { photons: 1000, angles: 403, seed: 7 });
    const opts = { dataRange: range(clean), window: 'gaussian11' as const };
    const auto = await denoise(lowDose, { model, backend: 'wasm' });
    const none = await denoise(lowDose, { model, backend: 'wasm', scale: 'none' });
    const before = ssim(lowDose, clean, opts);
    const [a, n] = [ssim(auto.image, clean, opts), ssim(none.image, clean, opts)];
    console.log(`simulateLowDose → denoise, SSIM in phantom units: input ${before.toFixed(3)}, auto ${a.toFixed(3)} (range ${auto.range?.lo.toFixed(4)}…${auto.range?.hi.toFixed(4)}), none ${n.toFixed(3)}`);
    expect([auto.scaled, none.scaled, none.range]).toEqual([true, false, null]);
    expect(auto.range!.hi - auto.range!.lo).toBeGreaterThan(0.5 * range(clean)); // the output is back in phantom units
    expect(a).toBeGreaterThan(before + 0.3);
    expect(a).toBeGreaterThan(n + 0.2);
  });

  it("leave an 8-bit slice on its scale under 'auto', and scale it under 'percentile'", async () => {
    const model = await loadDefaultWeights();
    const [p] = simulatedPairs({ count: 1, size: 64, kinds: ['foam'], photons: [1000], seed: 11 });
    const u8: Image = { ...p.noisy, data: p.noisy.data.map((v) => Math.round(v)) };
    const auto = await denoise(u8, { model, backend: 'wasm' });
    const pct = await denoise(u8, { model, backend: 'wasm', scale: 'percentile' });
    expect([auto.scaled, pct.scaled]).toEqual([false, true]);
    expect(pct.range!.hi).toBeLessThanOrEqual(255);
    await expect(denoise(u8, { model, scale: 'minmax' as never })).rejects.toThrow("denoise: options.scale: got minmax, expected 'auto' | 'percentile' | 'none'");
  });
});

describe(`shipped weights ${DEFAULT_3SLICE_WEIGHTS_NAME}`, () => {
  // Slice k with k−1 and k+1 (the neighbours' channels of the first 1×1 convolution: 2 × 8 more weights).
  it('load as a depth-3 generator and restore the middle slice of a held-out 3-slice Shepp–Logan stack (256², wasm)', async () => {
    const model = await loadShippedWeights(DEFAULT_3SLICE_WEIGHTS_NAME);
    expect([model.depth, model.widths, model.paramCount]).toEqual([3, 'repo', 694897 + 16]);
    const [p] = simulatedPairs({ count: 1, size: 256, depth: 3, kinds: ['shepp-logan'], photons: [1000], seed: 4242 });
    const n = p.clean.data.length;
    const middle: Image = { ...p.clean, data: p.noisy.data.slice(n, 2 * n) };
    const r = await denoise(p.noisy, { model, backend: 'wasm' });
    const opts = { dataRange: 255, window: 'gaussian11' as const };
    const [before, after] = [ssim(middle, p.clean, opts), ssim(r.image, p.clean, opts)];
    console.log(`3-slice Shepp–Logan 256², I0 1000: SSIM ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect(after).toBeGreaterThan(before + 0.1);
    expect(after).toBeGreaterThan(0.95);
    model.dispose();
  });
});
