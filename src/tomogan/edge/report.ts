// SPDX-License-Identifier: MIT
// Quality of an edge model against the float generator on pairs with a clean target: SSIM (Gaussian 11×11,
// scikit-image's definition, src/tomo/metrics.ts) and PSNR on the 0…255 scale, outputs clipped to it, per variant.
import { psnr, ssim } from '../../tomo/metrics.js';
import type { Image } from '../../types.js';
import { denoise } from '../denoise.js';
import { runEdge, runEdgeFullFrame } from './pipeline.js';
import type { TomoganEdgeModel } from './pipeline.js';

export const EDGE_VARIANTS = ['fp32 full frame', 'int8 full frame', 'fp32 64² tiles', 'int8 64² tiles', 'int8 64² tiles + fine-tune'] as const;
export type EdgeVariant = (typeof EDGE_VARIANTS)[number];

export interface EdgeQuality {
  variant: EdgeVariant;
  ssim: number;
  psnr: number;
}

const clip = (d: Float32Array) => d.map((v) => (v < 0 ? 0 : v > 255 ? 255 : v));

/** Each variant's output of `noisy` (0…255 scale): float and int8, full frame and 64² tiles, with and without fine-tune. */
export async function edgeVariants(m: TomoganEdgeModel, noisy: Image, runtime?: string): Promise<Record<EdgeVariant, Float32Array>> {
  const full = await denoise(noisy, { model: m.generator, scale: 'none', backend: 'wasm' });
  const tiles = await denoise(noisy, { model: m.generator, scale: 'none', backend: 'wasm', tile: m.tile, halo: 0 });
  const int8 = await runEdge(m, noisy, { runtime, finetune: false });
  const res: Record<string, Float32Array> = {
    'fp32 full frame': full.image.data,
    'int8 full frame': await runEdgeFullFrame(m, noisy, runtime),
    'fp32 64² tiles': tiles.image.data,
    'int8 64² tiles': int8.data,
  };
  if (m.finetune) res['int8 64² tiles + fine-tune'] = (await runEdge(m, noisy, { runtime, finetune: true })).data;
  return res as Record<EdgeVariant, Float32Array>;
}

/** Mean SSIM and PSNR of each variant over `pairs` (noisy and clean on the 0…255 scale). */
export async function edgeQuality(m: TomoganEdgeModel, pairs: readonly { noisy: Image; clean: Image }[], runtime?: string): Promise<EdgeQuality[]> {
  const sums = new Map<EdgeVariant, { s: number; p: number }>();
  for (const { noisy, clean } of pairs) {
    const outs = await edgeVariants(m, noisy, runtime);
    for (const [v, d] of Object.entries(outs) as [EdgeVariant, Float32Array][]) {
      const img = { width: clean.width, height: clean.height, data: clip(d) };
      const acc = sums.get(v) ?? { s: 0, p: 0 };
      acc.s += ssim(img, clean, { dataRange: 255, window: 'gaussian11' });
      acc.p += psnr(img, clean, { dataRange: 255 });
      sums.set(v, acc);
    }
  }
  return [...sums].map(([variant, a]) => ({ variant, ssim: a.s / pairs.length, psnr: a.p / pairs.length }));
}
