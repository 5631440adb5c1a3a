// SPDX-License-Identifier: MIT
// `anyml tomogan train`: trains or fine-tunes the TomoGAN generator on simulated low-dose pairs.
import { type Command, Option } from 'commander';
import { intArg, listArg, numArg } from './args.js';
import type { TrainFlags } from './tomogan_run.js';

const num = (flag: string, min: number, integer = true) => (integer ? intArg(flag, min) : numArg(flag, `a number ≥ ${min}`, (x) => x >= min));
const list = (flag: string) => listArg(flag, 'a comma-separated list of numbers > 0', (x) => x > 0);

export function registerTomoganCommands(program: Command): void {
  const tg = program.command('tomogan').description('TomoGAN training on simulated low-dose tomography');
  tg.command('train')
    .description('train (or fine-tune with --weights) the generator; writes <out>/model.json + weights.bin and checkpoints')
    .requiredOption('--out <dir>', 'output folder (model.json, weights.bin, checkpoint.json/.bin, log.jsonl)')
    .option('--weights <model.json>', 'start from these weights (fine-tuning)')
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
    .addOption(new Option('--kinds <list>', 'phantom kinds').default('ellipses,foam,smooth'))
    .addOption(new Option('--depth <n>', 'input slices').choices(['1', '3']).default('1'))
    .addOption(new Option('--widths <w>', 'decoder widths').choices(['repo', 'paper']).default('repo'))
    .option('--seed <n>', 'seed of data, crops and initial weights', num('--seed', 0), 0)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'webgpu']).default('wasm'))
    .option('--checkpoint-every <n>', 'iterations between checkpoints', num('--checkpoint-every', 1), 100)
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (flags: TrainFlags) => (await import('./tomogan_run.js')).runTrain(flags));
}
