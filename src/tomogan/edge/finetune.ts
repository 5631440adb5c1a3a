// SPDX-License-Identifier: MIT
// The fine-tune network of the edge path: a shallow residual CNN over the stitched output of the int8 64² tiles
// that restores what quantization and the tiles' seams lost. y = x + f(x), f = `layers` 3×3 convolutions of `width`
// channels (ReLU between, the last linear and zero-initialised, so training starts from the identity). Its reach is
// one pixel per layer, so it tiles exactly with a halo of `layers` px.
import { InvalidInputError } from '../../errors.js';
import { checkGraph, type Graph, type GraphOp, type GraphTensor } from '../../quant/graph.js';
import { nextU32, seedState } from '../../rng.js';

export interface FinetuneConfig {
  /** 3×3 convolutions (default 4). */
  layers: number;
  /** Channels of the hidden convolutions (default 16). */
  width: number;
}

export const DEFAULT_FINETUNE: FinetuneConfig = { layers: 4, width: 16 };

/** The fine-tune network's weights: per layer an HWIO [3, 3, cin, cout] kernel and a bias. */
export interface FinetuneWeights {
  config: FinetuneConfig;
  kernels: Float32Array[];
  biases: Float32Array[];
}

/** [cin, cout] of each layer: 1 → width → … → width → 1. */
export function finetuneShapes(cfg: FinetuneConfig): [number, number][] {
  if (!Number.isInteger(cfg.layers) || cfg.layers < 2 || cfg.layers > 16) throw new InvalidInputError('finetune: layers', String(cfg.layers), 'an integer in 2…16');
  if (!Number.isInteger(cfg.width) || cfg.width < 1 || cfg.width > 256) throw new InvalidInputError('finetune: width', String(cfg.width), 'an integer in 1…256');
  return Array.from({ length: cfg.layers }, (_, i) => [i === 0 ? 1 : cfg.width, i === cfg.layers - 1 ? 1 : cfg.width]);
}

/** Seeded glorot-uniform kernels (Glorot & Bengio 2010), zero biases, the last kernel zero: f(x) = 0 at the start. */
export function createFinetune(config: Partial<FinetuneConfig> = {}, seed = 1): FinetuneWeights {
  const cfg = { ...DEFAULT_FINETUNE, ...config };
  const state = seedState(seed);
  const shapes = finetuneShapes(cfg);
  const kernels = shapes.map(([cin, cout], i) => {
    const k = new Float32Array(9 * cin * cout);
    if (i === shapes.length - 1) return k;
    const limit = Math.sqrt(6 / (9 * cin + 9 * cout));
    for (let j = 0; j < k.length; j++) k[j] = ((nextU32(state) / 2 ** 32) * 2 - 1) * limit;
    return k;
  });
  return { config: cfg, kernels, biases: shapes.map(([, cout]) => new Float32Array(cout)) };
}

/** The network as a quant/graph.ts Graph (input 'stitched', output 'finetuned' = input + the last conv). */
export function finetuneGraph(w: FinetuneWeights, name = 'tomogan-finetune'): Graph {
  const shapes = finetuneShapes(w.config);
  const tensors: GraphTensor[] = [{ name: 'stitched', channels: 1, stride: 1 }];
  const ops: GraphOp[] = [];
  shapes.forEach(([, cout], i) => {
    tensors.push({ name: `ft_conv${i + 1}`, channels: cout, stride: 1 });
    const last = i === shapes.length - 1;
    ops.push({ kind: 'conv', name: `ft_conv${i + 1}`, input: i, output: i + 1, k: 3, relu: !last, kernel: w.kernels[i], bias: w.biases[i] });
  });
  tensors.push({ name: 'finetuned', channels: 1, stride: 1 });
  ops.push({ kind: 'add', inputs: [0, shapes.length], output: shapes.length + 1, relu: false });
  return checkGraph({ name, tensors, input: 0, output: shapes.length + 1, ops });
}

/** Pixels of context the network reads on each side (its receptive-field reach): one per 3×3 layer. */
export function finetuneReach(cfg: FinetuneConfig): number {
  return cfg.layers;
}
