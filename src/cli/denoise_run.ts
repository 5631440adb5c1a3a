// SPDX-License-Identifier: MIT
// The work behind `anyml denoise` (loaded on demand, so tfjs stays off the start-up path of the other commands).

import { AbortError, InvalidInputError } from '../errors.js';
import { checkOutputFile } from '../io/files.js';
import { IMAGE_EXTENSIONS, type WriteImageOptions, imageFormatFromPath, readImage, writeImage } from '../io/node_image.js';
import type { Image } from '../types.js';
import type { BackendChoice } from '../tomogan/types.js';
import { readFile } from 'node:fs/promises';
import { type DenoiseOptions, denoise } from '../tomogan/denoise.js';
import { DEFAULT_EDGE_NAME, type EdgeModelJson, edgeModelFromJson, loadDefaultEdgeModel } from '../tomogan/edge/model_file.js';
import type { TomoganEdgeModel } from '../tomogan/edge/pipeline.js';
import { createBar } from './progress.js';
import { DEFAULT_3SLICE_WEIGHTS_NAME, DEFAULT_WEIGHTS_NAME, generatorFor } from '../tomogan/default_weights.js';
import { edgeWeights } from './edge_base.js';
import type { Generator } from '../tomogan/model.js';

export interface DenoiseFlags {
  backend: BackendChoice;
  tile?: number;
  threads?: number;
  halo: number;
  weights?: string;
  slices: number;
  scale: 'auto' | 'percentile' | 'none';
  json?: boolean;
  edge?: boolean;
  edgeModel?: string;
  runtime: string;
  finetune: boolean;
  range?: [number, number];
  dataset?: string;
  resume?: boolean;
}

/** --edge: the edge model for the chosen weights, and the options `denoise` takes with it. */
export async function edgeSetup(f: DenoiseFlags, model: Generator): Promise<{ model: TomoganEdgeModel; opts: Partial<DenoiseOptions> }> {
  for (const [flag, set] of [['--backend', f.backend !== 'auto'], ['--tile', f.tile !== undefined], ['--threads', f.threads !== undefined], ['--halo', f.halo !== 56]] as const)
    if (set) throw new InvalidInputError(`anyml denoise: ${flag}`, 'a value with --edge', 'nothing (the edge path has fixed 64² tiles, no halo; --runtime picks its int8 runtime)');
  let edge: TomoganEdgeModel;
  if (f.edgeModel) edge = edgeModelFromJson(JSON.parse(await readFile(f.edgeModel, 'utf8')) as EdgeModelJson, model, f.edgeModel);
  else if (f.weights) throw new InvalidInputError('anyml denoise: --edge-model', 'nothing with --weights and --edge', 'the edge.json that anyml tomogan quantize wrote for those weights');
  else edge = await loadDefaultEdgeModel(model);
  return { model: edge, opts: { runtime: f.runtime, finetune: f.finetune && edge.finetune !== undefined } };
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
  const { isVolumeRun } = await import('./denoise_volume.js');
  if (await isVolumeRun(input, output, f)) return runVolume(input, output, f);
  await checkOutputFile(output, 'anyml denoise: output', IMAGE_EXTENSIONS);
  // Without --weights: the generator anyml trained on its simulated low-dose FBP data (docs/tomogan-model-card.md).
  const weights = await weightsOf(f);
  const model = await generatorFor(weights);
  const image = await readImage(input);
  if (image.depth !== f.slices) {
    throw new InvalidInputError(`anyml denoise: ${input}`, `${image.depth} slice(s)`, `${f.slices} (--slices; a 3-slice stack gives its middle slice)`);
  }
  if (!f.edge && (f.edgeModel || f.runtime !== 'auto' || !f.finetune))
    throw new InvalidInputError(`anyml denoise: ${f.edgeModel ? '--edge-model' : f.runtime !== 'auto' ? '--runtime' : '--no-finetune'}`, 'a value without --edge', '--edge (these choose how the int8 edge path runs)');
  const bar = await createBar(!f.json, 'denoise |{bar}| {value}/{total} tiles');
  const floatOpts = { model, backend: f.backend, scale: f.scale, tile: f.tile, halo: f.halo, threads: f.threads };
  const edge = f.edge ? await edgeSetup(f, model) : undefined;
  const result = await denoise(image, {
    ...(edge ? { model: edge.model, scale: f.scale, ...edge.opts } : floatOpts),
    onProgress: (done, total) => bar.update(done, total),
  }).finally(() => bar.stop());
  await writeImage(output, result.image, pngOptions(image, output));
  model.dispose();
  const summary = {
    input, output, weights, width: image.width, height: image.height, backend: result.backend, ms: result.ms, tiles: result.tiles, scaled: result.scaled, warnings: result.warnings,
    ...(edge ? { edge: f.edgeModel ?? DEFAULT_EDGE_NAME, runtime: result.backend, finetune: edge.opts.finetune, stages: result.stages } : {}),
  };
  if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else if (edge && result.stages) {
    const st = result.stages;
    process.stdout.write(`denoised ${image.width}×${image.height} (int8 edge, ${result.backend}) in ${st.total.toFixed(0)} ms: model ${st.model.toFixed(0)}, stitch ${(st.stitch ?? 0).toFixed(0)}, fine-tune ${(st.finetune ?? 0).toFixed(0)} ms (${result.tiles} tiles) → ${output}\n`);
  } else process.stdout.write(`denoised ${image.width}×${image.height} on ${result.backend} in ${result.ms.toFixed(0)} ms (${result.tiles} tiles) → ${output}\n`);
}


/** The float weights of a run: --weights; else with --edge the edge model's base; else the default for --slices. */
async function weightsOf(f: DenoiseFlags): Promise<string> {
  if (f.edge) return edgeWeights('anyml denoise: --edge-model', f.weights, f.edgeModel);
  return f.weights ?? (f.slices === 3 ? DEFAULT_3SLICE_WEIGHTS_NAME : DEFAULT_WEIGHTS_NAME);
}

/** A volume run (src/cli/denoise_volume.ts): the same model and options, slice by slice. */
async function runVolume(input: string, output: string, f: DenoiseFlags): Promise<void> {
  if (!f.edge && (f.edgeModel || f.runtime !== 'auto' || !f.finetune))
    throw new InvalidInputError(`anyml denoise: ${f.edgeModel ? '--edge-model' : f.runtime !== 'auto' ? '--runtime' : '--no-finetune'}`, 'a value without --edge', '--edge (these choose how the int8 edge path runs)');
  const weights = await weightsOf(f);
  const model = await generatorFor(weights);
  const edge = f.edge ? await edgeSetup(f, model) : undefined;
  const opts = edge ? { model: edge.model, scale: f.scale, ...edge.opts } : { model, backend: f.backend, scale: f.scale, tile: f.tile, halo: f.halo, threads: f.threads };
  const { runDenoiseVolume } = await import('./denoise_volume.js');
  const s = await runDenoiseVolume(input, output, f, opts);
  model.dispose();
  if (f.json) process.stdout.write(JSON.stringify({ ...s, weights }) + '\n');
  if (s.interrupted) throw new AbortError(s.interrupted); // exit 130 / 143 by signal, the message on stderr (src/cli/main.ts)
  if (!f.json)
    process.stdout.write(`denoised ${s.slices} slices of ${s.width}×${s.height} on ${s.backend || '-'} in ${s.seconds.toFixed(1)} s (${s.slicesPerSecond.toFixed(2)} slices/s${s.resumed ? `, ${s.resumed} resumed` : ''}) → ${output}\n`);
}
