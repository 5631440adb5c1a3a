// SPDX-License-Identifier: MIT
// A 3-slice generator from a 1-slice one: the start of a 3-slice fine-tune (scripts/train-weights-v2-3slice.mjs).
import { InvalidInputError } from '../errors.js';
import { type ConvWeights, Generator } from './model.js';

/**
 * The generator with input depth 3 that computes exactly what `gen` computes on the middle slice: only the first
 * layer (a 1×1 conv, HWIO [1, 1, cin, 8]) sees the depth, so its kernel gets the middle input channel and zeros for the
 * two neighbours; every other layer is shared. Fine-tuning on 3-slice pairs then learns what the neighbours add.
 * @example const g3 = threeSliceFrom(await loadShippedWeights('tomogan-sim-v2'));
 */
export function threeSliceFrom(gen: Generator): Generator {
  if (gen.depth !== 1) throw new InvalidInputError('threeSliceFrom: gen.depth', String(gen.depth), '1 (a 1-slice generator)');
  const first = gen.specs[0];
  const w = gen.weights.get(first.name)!;
  const kernel = new Float32Array(3 * first.cout);
  kernel.set(w.kernel, first.cout); // HWIO with k = 1: index = c·cout + o; c = 1 is the middle slice.
  const weights = new Map<string, ConvWeights>();
  for (const [name, cw] of gen.weights) weights.set(name, name === first.name ? { kernel, bias: cw.bias.slice() } : { kernel: cw.kernel.slice(), bias: cw.bias.slice() });
  return new Generator({ depth: 3, widths: gen.widths }, weights);
}
