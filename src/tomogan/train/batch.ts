// SPDX-License-Identifier: MIT
// Training data for trainTomogan: the pairs' checks, and seeded random crops with dihedral augmentation.
import { InvalidInputError } from '../../errors.js';
import { bounded } from '../../rng.js';
import type { TrainingPair } from './types.js';

export function validateData(data: readonly TrainingPair[], depth: number, crop: number): void {
  if (!Array.isArray(data) || data.length === 0) throw new InvalidInputError('trainTomogan: options.data', String(data?.length ?? data), 'at least one { noisy, clean } pair');
  data.forEach((p, i) => {
    const w = `trainTomogan: data[${i}]`;
    if (!p?.noisy?.data || !p?.clean?.data) throw new InvalidInputError(w, typeof p, '{ noisy: Image, clean: Image }');
    if (p.noisy.depth !== depth) throw new InvalidInputError(`${w}.noisy.depth`, String(p.noisy.depth), `${depth} (the model's input depth)`);
    if (p.clean.depth !== 1) throw new InvalidInputError(`${w}.clean.depth`, String(p.clean.depth), '1 (the clean middle slice)');
    if (p.noisy.width !== p.clean.width || p.noisy.height !== p.clean.height)
      throw new InvalidInputError(`${w}`, `noisy ${p.noisy.width}×${p.noisy.height}, clean ${p.clean.width}×${p.clean.height}`, 'the same size');
    if (p.noisy.width < crop || p.noisy.height < crop) throw new InvalidInputError(`${w}`, `${p.noisy.width}×${p.noisy.height}`, `at least the crop size ${crop}×${crop}`);
    for (const [k, img] of [['noisy', p.noisy], ['clean', p.clean]] as const)
      for (let j = 0; j < img.data.length; j++)
        if (!Number.isFinite(img.data[j])) throw new InvalidInputError(`${w}.${k}.data[${j}]`, String(img.data[j]), 'finite pixel values');
  });
}

/**
 * Draws `batch` random crops (independent offsets, docs/tomogan.md "Training") with an optional random
 * dihedral transform (flip × 90° rotation) applied to input and target alike. NHWC buffers.
 */
export function drawBatch(data: readonly TrainingPair[], rng: Uint32Array, batch: number, crop: number, depth: number, augment: boolean) {
  const x = new Float32Array(batch * crop * crop * depth);
  const y = new Float32Array(batch * crop * crop);
  for (let b = 0; b < batch; b++) {
    const p = data[bounded(rng, data.length)];
    const { width: W, height: H } = p.clean;
    const r0 = bounded(rng, H - crop + 1);
    const c0 = bounded(rng, W - crop + 1);
    const t = augment ? bounded(rng, 8) : 0;
    const flip = t >= 4;
    const rot = t % 4;
    for (let i = 0; i < crop; i++)
      for (let j = 0; j < crop; j++) {
        // Destination (i, j) reads source (si, sj): rotate by rot·90°, then flip columns.
        const jj = flip ? crop - 1 - j : j;
        let si = i;
        let sj = jj;
        if (rot === 1) [si, sj] = [crop - 1 - jj, i];
        else if (rot === 2) [si, sj] = [crop - 1 - i, crop - 1 - jj];
        else if (rot === 3) [si, sj] = [jj, crop - 1 - i];
        const src = (r0 + si) * W + (c0 + sj);
        const dst = (b * crop + i) * crop + j;
        y[dst] = p.clean.data[src];
        for (let z = 0; z < depth; z++) x[dst * depth + z] = p.noisy.data[z * W * H + src];
      }
  }
  return { x, y };
}
