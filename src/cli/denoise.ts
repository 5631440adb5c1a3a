// SPDX-License-Identifier: MIT
// `anyml denoise <in> <out>`: TomoGAN restoration of a PNG / TIFF / NPY image, tiled, on the best backend (webgpu, native = onnxruntime-node, wasm, cpu).

import { type Command, Option } from 'commander';
import { InvalidArgumentError } from 'commander';
import { intArg } from './args.js';
import type { DenoiseFlags } from './denoise_run.js';

/** `a:b` (half-open, 0-based; `a:` runs to the last slice). */
function rangeArg(text: string): [number, number] {
  const m = /^(\d+):(\d*)$/.exec(text.trim());
  const r: [number, number] = m ? [Number(m[1]), m[2] === '' ? Infinity : Number(m[2])] : [NaN, NaN];
  if (!m || !(r[1] > r[0])) throw new InvalidArgumentError(`--range: got ${JSON.stringify(text)}, expected a:b with 0 ≤ a < b (half-open, 0-based), or a:`);
  return r;
}

export function registerDenoiseCommand(program: Command): void {
  program.command('denoise')
    .argument('<in>', 'PNG (8/16-bit grey), TIFF (stacks, float32) or NPY image; a volume: a multi-page TIFF, .h5/.hdf5, or slice_{i}.tif ({i:4} = 4-digit zero padding)')
    .argument('<out>', '.png (16-bit), .tif or .npy; a volume: a float32 .tif stack, .h5/.hdf5, or a {i} pattern (.tif/.npy)')
    .description('restore low-dose tomography slices with TomoGAN (halo-tiled); volumes stream slice by slice (docs/tomogan.md "Volumes")')
    .addOption(new Option('--backend <name>', 'webgpu | native (onnxruntime-node) | wasm | cpu; auto picks the fastest that runs').choices(['auto', 'native', 'wasm', 'cpu', 'webgpu']).default('auto'))
    .option('--tile <px>', 'tile core size (default: per backend)', intArg('--tile', 8))
    .option('--threads <n>', 'native backend: onnxruntime threads (default: one per physical core)', intArg('--threads', 1))
    .option('--halo <px>', 'context around each tile (>= 48 is exact)', intArg('--halo', 0), 56)
    .option('--weights <model.json|name>', 'TomoGAN weights: a model.json (tfjs format, + weights.bin) or a shipped name (tomogan-sim-v1, tomogan-sim-v2, tomogan-sim-v2-3slice); default: tomogan-sim-v2, with --slices 3 tomogan-sim-v2-3slice, with --edge the edge model base (docs/tomogan-model-card.md)')
    .option('--slices <n>', '1, or 3 adjacent slices (slice k with k−1 and k+1; the model must have depth 3)', intArg('--slices', 1), 1)
    .addOption(new Option('--scale <mode>', 'auto: percentile-scale to 0…255 unless the values already lie in 0…255 with a maximum above 1').choices(['auto', 'percentile', 'none']).default('auto'))
    .option('--edge', 'the int8 edge path: 64² tiles with no halo on an int8 runtime, stitched, then the fine-tune network (default edge model: the shipped tomogan-sim-v1-edge)')
    .option('--edge-model <edge.json>', 'with --edge: an edge model written by anyml tomogan quantize (for --weights)')
    .addOption(new Option('--runtime <name>', 'with --edge: the int8 runtime').choices(['auto', 'tflite', 'reference']).default('auto'))
    .option('--no-finetune', 'with --edge: skip the fine-tune network')
    .option('--range <a:b>', 'volumes: denoise slices a … b−1 only (half-open, 0-based)', rangeArg)
    .option('--dataset <path>', `HDF5: the 3-D dataset (default /exchange/data, DXchange; else the only 3-D dataset)`)
    .option('--resume', 'volumes: continue <out>.partial left by an interrupted run (checked: slice size, slices so far)')
    .option('--json', 'print one JSON object as the last stdout line (with --edge: the stage times)')
    .action(async (input: string, output: string, flags: DenoiseFlags) => (await import('./denoise_run.js')).runDenoise(input, output, flags));
}
