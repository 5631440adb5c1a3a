// SPDX-License-Identifier: MIT
// `anyml tomogan train`: trains or fine-tunes the TomoGAN generator on simulated low-dose pairs.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { intArg, listArg, numArg } from './args.js';
import type { ExportFlags, QuantizeFlags } from './tomogan_edge_run.js';
import type { TrainFlags } from './tomogan_run.js';

const num = (flag: string, min: number, integer = true) => (integer ? intArg(flag, min) : numArg(flag, `a number ≥ ${min}`, (x) => x >= min));
const list = (flag: string) => listArg(flag, 'a comma-separated list of numbers > 0', (x) => x > 0);
/** `lo:hi` with 0 < lo ≤ hi. */
const rangeArg = (flag: string) => (v: string): [number, number] => {
  const m = /^([^:]+):([^:]+)$/.exec(v);
  const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) throw new InvalidArgumentError(`${flag}: got '${v}', expected lo:hi with 0 < lo ≤ hi`);
  return [lo, hi];
};

export function registerTomoganCommands(program: Command): void {
  const tg = program.command('tomogan').description('TomoGAN training on simulated low-dose tomography');
  tg.command('train')
    .description('train (or fine-tune with --weights) the generator; writes <out>/model.json + weights.bin and checkpoints')
    .requiredOption('--out <dir>', 'output folder (model.json, weights.bin, checkpoint.json/.bin, log.jsonl)')
    .option('--weights <model.json|name>', 'start from these weights (fine-tuning): a model.json or a shipped name (tomogan-sim-v1, tomogan-sim-v2)')
    .option('--resume', 'continue from <out>/checkpoint.json (same next step as without the interruption)')
    .option('--iterations <n>', 'generator iterations in total', num('--iterations', 1), 1000)
    .option('--batch <n>', 'minibatch', num('--batch', 1), 16)
    .option('--crop <px>', 'random crop size (multiple of 8)', num('--crop', 8), 64)
    .option('--lr <x>', 'Adam learning rate', num('--lr', 0, false), 1e-4)
    .option('--lambda-adv <x>', 'adversarial loss weight (0: no discriminator)', num('--lambda-adv', 0, false), 20)
    .option('--lambda-mse <x>', 'pixel MSE loss weight', num('--lambda-mse', 0, false), 0.5)
    .option('--itd <n>', 'discriminator steps per iteration', num('--itd', 0), 2)
    .option('--pairs <n>', 'simulated training pairs', num('--pairs', 1), 64)
    .option('--size <px>', 'simulated image size', num('--size', 16), 256)
    .option('--photons <list>', 'I0 values drawn per pair', list('--photons'), [500, 1000, 2000, 5000])
    .option('--sizes <list>', 'image sizes drawn per pair (instead of --size; crops are cut from them)', list('--sizes'))
    .option('--views <lo:hi>', 'views per pair, log-uniform from lo·N to hi·N (e.g. 0.25:1.571; default ⌈π/2·N⌉)', rangeArg('--views'))
    .option('--photon-range <lo:hi>', 'I0 per pair, log-uniform in [lo, hi] (instead of --photons)', rangeArg('--photon-range'))
    .option('--filters <list>', 'FBP filters drawn per pair: ramp, shepp-logan, cosine, hamming, hann (default ramp)')
    .addOption(new Option('--kinds <list>', 'phantom kinds: shepp-logan, ellipses, foam, smooth, textured, ct, beads').default('ellipses,foam,smooth'))
    .addOption(new Option('--depth <n>', 'input slices').choices(['1', '3']).default('1'))
    .addOption(new Option('--widths <w>', 'decoder widths').choices(['repo', 'paper']).default('repo'))
    .option('--seed <n>', 'seed of data, crops and initial weights', num('--seed', 0), 0)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'webgpu']).default('wasm'))
    .option('--checkpoint-every <n>', 'iterations between checkpoints', num('--checkpoint-every', 1), 100)
    .option('--workers <n>', 'data-parallel worker threads, each on a share of every batch (0: this thread)', num('--workers', 0), 0)
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (flags: TrainFlags) => (await import('./tomogan_run.js')).runTrain(flags));
  tg.command('quantize')
    .description('full-int8 edge model: ranges calibrated on 64² tiles, fine-tune network trained; writes <out>/edge.json and report.json')
    .requiredOption('--out <dir>', 'output folder (edge.json, report.json)')
    .option('--weights <model.json|name>', 'float TomoGAN weights: a model.json or a shipped name (default: the shipped tomogan-sim-v2)')
    .option('--calibration <n|dir>', 'n simulated 256² slices (seeded), or a folder of PNG / TIFF / NPY slices', '8')
    .addOption(new Option('--method <m>', 'activation ranges').choices(['percentile', 'minmax']).default('percentile'))
    .option('--percentile <p>', 'percentile of the percentile method', num('--percentile', 50, false), 99.99)
    .option('--tile <px>', 'tile side (a multiple of 8)', num('--tile', 8), 64)
    .option('--no-finetune', 'int8 tiles only, no fine-tune network')
    .option('--finetune-steps <n>', 'Adam steps of the fine-tune network', num('--finetune-steps', 1), 600)
    .option('--finetune-images <n>', 'simulated training images of the fine-tune network', num('--finetune-images', 1), 12)
    .addOption(new Option('--target <t>', 'fine-tune target: the float full-frame output or the clean image').choices(['float', 'clean']).default('float'))
    .option('--report <n>', 'held-out simulated 256² slices of the quality report (0: none)', num('--report', 0), 4)
    .option('--seed <n>', 'seed of the reservoirs and the fine-tune training', num('--seed', 0), 1)
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (flags: QuantizeFlags) => (await import('./tomogan_edge_run.js')).runQuantize(flags));
  tg.command('export')
    .argument('<out>', 'out.tflite or out.onnx')
    .description('write TomoGAN as .tflite (float or full int8) or .onnx (float, or int8 QDQ) with a fixed input shape')
    .option('--weights <model.json|name>', 'float TomoGAN weights: a model.json or a shipped name (default: tomogan-sim-v2; with --int8 / --finetune, the edge model\'s base)')
    .option('--edge <edge.json>', 'edge model of tomogan quantize (default with --int8: the shipped tomogan-sim-v1-edge)')
    .option('--int8', 'the full-int8 model (TFLite int8, ONNX QuantizeLinear/DequantizeLinear)')
    .option('--tile <px>', 'input height and width (a multiple of 8; default: the edge tile, 64)', num('--tile', 8))
    .option('--finetune', "the edge model's fine-tune network instead of the generator")
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (out: string, flags: ExportFlags) => (await import('./tomogan_edge_run.js')).runExport(out, flags));
}
