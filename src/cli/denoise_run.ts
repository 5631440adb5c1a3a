// SPDX-License-Identifier: MIT
// The work behind `anyml denoise` (loaded on demand, so tfjs stays off the start-up path of the other commands).

import { InvalidInputError } from '../errors.js';
import { checkOutputFile } from '../io/files.js';
import { IMAGE_EXTENSIONS, type WriteImageOptions, imageFormatFromPath, readImage, writeImage } from '../io/node_image.js';
import type { Image } from '../types.js';
import type { BackendChoice } from '../tomogan/types.js';
import { denoise } from '../tomogan/denoise.js';
import { createBar } from './progress.js';
import { DEFAULT_WEIGHTS_NAME, loadDefaultWeights } from '../tomogan/default_weights.js';
import { loadWeights } from '../tomogan/model.js';

export interface DenoiseFlags {
  backend: BackendChoice;
  tile?: number;
  threads?: number;
  halo: number;
  weights?: string;
  slices: number;
  scale: 'auto' | 'percentile' | 'none';
  json?: boolean;
}


/**
 * How a PNG output keeps the input's scale: an 8-bit input (integers in 0…255) gives an 8-bit PNG and a 16-bit
 * input a 16-bit PNG, both with the values as codes; a float input gives a 16-bit PNG on which the input's
 * min…max spans 0…65535 (a PNG cannot hold floats; .tif and .npy keep them exactly).
 */
export function pngOptions(input: Image, output: string): WriteImageOptions {
  if (imageFormatFromPath(output) !== 'png16') return {};
  let lo = Infinity;
  let hi = -Infinity;
  let integral = true;
  for (const v of input.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  if (integral && lo >= 0 && hi <= 255) return { format: 'png8' };
  if (integral && lo >= 0 && hi <= 65535) return { format: 'png16' };
  return { format: 'png16', range: [lo, hi] };
}

export async function runDenoise(input: string, output: string, f: DenoiseFlags): Promise<void> {
  await checkOutputFile(output, 'anyml denoise: output', IMAGE_EXTENSIONS);
  // Without --weights: the generator anyml trained on its simulated low-dose FBP data (docs/tomogan-model-card.md).
  const model = f.weights ? await loadWeights(f.weights) : await loadDefaultWeights();
  const weights = f.weights ?? DEFAULT_WEIGHTS_NAME;
  const image = await readImage(input);
  if (image.depth !== f.slices) {
    throw new InvalidInputError(`anyml denoise: ${input}`, `${image.depth} slice(s)`, `${f.slices} (--slices; a 3-slice stack gives its middle slice)`);
  }
  const bar = await createBar(!f.json, 'denoise |{bar}| {value}/{total} tiles');
  const result = await denoise(image, {
    model, backend: f.backend, scale: f.scale, tile: f.tile, halo: f.halo, threads: f.threads,
    onProgress: (done, total) => bar.update(done, total),
  }).finally(() => bar.stop());
  await writeImage(output, result.image, pngOptions(image, output));
  model.dispose();
  const summary = { input, output, weights, width: image.width, height: image.height, backend: result.backend, ms: result.ms, tiles: result.tiles, scaled: result.scaled, warnings: result.warnings };
  if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(`denoised ${image.width}×${image.height} on ${result.backend} in ${result.ms.toFixed(0)} ms (${result.tiles} tiles) → ${output}\n`);
}

