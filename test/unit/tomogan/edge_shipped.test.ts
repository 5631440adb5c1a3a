// SPDX-License-Identifier: MIT
// The shipped edge model (weights/tomogan-sim-v1-edge) on held-out simulated slices (seed 1000: never calibrated or
// trained on): the fine-tune network's measured SSIM gain over the stitched int8 tiles, and the distance to fp32.
import { describe, expect, it } from 'vitest';
import { loadDefaultEdgeModel } from '../../../src/tomogan/edge/model_file.js';
import { edgeQuality } from '../../../src/tomogan/edge/report.js';
import { simulatedPairs } from '../../../src/tomogan/train/dataset.js';

describe('the shipped edge model', () => {
  it('fine-tuning lifts int8 64² tiles by ≥ 0.005 SSIM, to within 0.01 of fp32 full frame', { timeout: 300_000 }, async () => {
    const edge = await loadDefaultEdgeModel();
    expect(edge.finetune?.weights.config).toEqual({ layers: 4, width: 16 });
    const pairs = simulatedPairs({ count: 2, size: 256, seed: 1000, kinds: ['shepp-logan', 'foam'] });
    const q = Object.fromEntries((await edgeQuality(edge, pairs, 'reference')).map((r) => [r.variant, r.ssim]));
    console.log('held-out SSIM', q);
    const gain = q['int8 64² tiles + fine-tune'] - q['int8 64² tiles'];
    expect(gain).toBeGreaterThanOrEqual(0.005);
    expect(q['fp32 full frame'] - q['int8 64² tiles + fine-tune']).toBeLessThanOrEqual(0.01);
    expect(q['fp32 full frame'] - q['int8 full frame']).toBeLessThanOrEqual(0.005);
  });
});
