// SPDX-License-Identifier: MIT
// The work behind `anyml denoise` (loaded on demand, so tfjs stays off the start-up path of the other commands).

import { InvalidInputError } from '../errors.js';
import { readImage, writeImage } from '../io/node-image.js';
import type { BackendChoice } from '../tomogan/types.js';
import { denoise } from '../tomogan/denoise.js';
import { DEFAULT_WEIGHTS_NAME, loadDefaultWeights } from '../tomogan/default-weights.js';
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


export async function runDenoise(input: string, output: string, f: DenoiseFlags): Promise<void> {
  // Without --weights: the generator anyml trained on its simulated low-dose FBP data (docs/tomogan-model-card.md).
  const model = f.weights ? await loadWeights(f.weights) : await loadDefaultWeights();
  const weights = f.weights ?? DEFAULT_WEIGHTS_NAME;
  const image = await readImage(input);
  if (image.depth !== f.slices) {
    throw new InvalidInputError(`anyml denoise: ${input}`, `${image.depth} slice(s)`, `${f.slices} (--slices; a 3-slice stack gives its middle slice)`);
  }
  const bar = f.json || !process.stderr.isTTY ? undefined : new (await import('cli-progress')).default.SingleBar({ stream: process.stderr, format: 'denoise |{bar}| {value}/{total} tiles', clearOnComplete: true });
  let started = false;
  const result = await denoise(image, {
    model, backend: f.backend, scale: f.scale, tile: f.tile, halo: f.halo, threads: f.threads,
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) bar.start(total, 0), (started = true);
      bar.update(done);
    },
  }).finally(() => bar?.stop());
  await writeImage(output, result.image);
  model.dispose();
  const summary = { input, output, weights, width: image.width, height: image.height, backend: result.backend, ms: result.ms, tiles: result.tiles, scaled: result.scaled, warnings: result.warnings };
  if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(`denoised ${image.width}×${image.height} on ${result.backend} in ${result.ms.toFixed(0)} ms (${result.tiles} tiles) → ${output}\n`);
}

