// SPDX-License-Identifier: MIT
// quantizeTomogan: the int8 generator (src/tomogan/edge/quantize.ts) plus, unless turned off, the fine-tune network
// trained on its stitched tile outputs and quantized to read those codes as they are.
import { InvalidInputError } from '../../errors.js';
import type { QuantizedGraph } from '../../quant/quantize.js';
import type { TensorRange } from '../../quant/ranges.js';
import type { Image } from '../../types.js';
import { useBackend } from '../backends/index.js';
import { denoise } from '../denoise.js';
import type { Generator } from '../model.js';
import { simulatedPairs } from '../train/dataset.js';
import { type FinetuneWeights, finetuneGraph } from './finetune.js';
import { type FinetunePair, type TrainFinetuneOptions, trainFinetune } from './finetune_train.js';
import { type TomoganEdgeModel, runEdge } from './pipeline.js';
import { graphRanges, measureRanges, type QuantizeTomoganOptions, quantizeGenerator, quantizeWithRanges, type SimulatedCalibration } from './quantize.js';

export interface FinetuneOptions extends Omit<TrainFinetuneOptions, 'onStep'> {
  /** Simulated training images (default 12 of 256², seed 11: apart from the calibration's seed 7). */
  images?: number;
  size?: number;
  imageSeed?: number;
  /** What the network learns to reproduce: the float generator's full-frame output (default) or the clean image. */
  target?: 'float' | 'clean';
  /** Edge runtime for the int8 tile outputs (default 'auto'). */
  runtime?: string;
}

export interface QuantizeTomoganFullOptions extends QuantizeTomoganOptions {
  /** Train and quantize the fine-tune network (default: on, with FinetuneOptions' defaults); false: int8 tiles only. */
  finetune?: false | FinetuneOptions;
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** Training pairs: stitched int8 tile outputs of simulated slices, and their targets. */
async function finetunePairs(edge: TomoganEdgeModel, o: FinetuneOptions, progress?: QuantizeTomoganFullOptions['onProgress']): Promise<FinetunePair[]> {
  const sims = simulatedPairs({ count: o.images ?? 12, size: o.size ?? 256, seed: o.imageSeed ?? 11, depth: edge.depth });
  const out: FinetunePair[] = [];
  for (const [i, s] of sims.entries()) {
    const int8 = await runEdge(edge, s.noisy, { runtime: o.runtime, finetune: false });
    const target = o.target === 'clean' ? s.clean.data : (await denoise(s.noisy, { model: edge.generator, scale: 'none', backend: 'wasm' })).image.data;
    out.push({ input: int8.data, target, width: s.noisy.width, height: s.noisy.height });
    progress?.('finetune data', i + 1, sims.length);
  }
  return out;
}

/** Quantizes trained fine-tune weights: input codes = the generator's output codes, other ranges from `pairs`. */
export async function quantizeFinetune(weights: FinetuneWeights, generatorOut: QuantizedGraph, pairs: FinetunePair[], o: QuantizeTomoganOptions = {}): Promise<{ quantized: QuantizedGraph; ranges: TensorRange[] }> {
  const g = finetuneGraph(weights);
  await useBackend(o.backend ?? 'wasm');
  const stats = measureRanges(g, pairs.map((p) => ({ data: p.input, n: 1, h: p.height, w: p.width })), o.seed ?? 1);
  const outParams = generatorOut.params[generatorOut.graph.output];
  const ranges = graphRanges(g, stats, o, new Map());
  const meta = { method: o.method ?? 'percentile', percentile: o.percentile ?? 99.99, images: pairs.length } as const;
  return { quantized: quantizeWithRanges(g, ranges, meta, new Map([[g.input, outParams]])), ranges };
}

/**
 * TomoGAN as a full-int8 edge model: ranges calibrated on 64² tiles of `calibration` (default: 8 simulated 256²
 * slices, seed 7), then the fine-tune network trained on the int8 tiles' stitched output and quantized.
 */
export async function quantizeTomogan(model: Generator, calibration?: Image[] | SimulatedCalibration, options: QuantizeTomoganFullOptions = {}): Promise<TomoganEdgeModel> {
  if (!model || typeof model.forward !== 'function') throw new InvalidInputError('quantizeTomogan: model', String(model), 'a Generator (loadDefaultWeights, loadWeights or createGenerator)');
  const tile = options.tile ?? 64;
  options.onProgress?.('calibration', 0, 1);
  const tomogan = await quantizeGenerator(model, calibration, options);
  options.onProgress?.('calibration', 1, 1);
  const base: TomoganEdgeModel = { kind: 'tomogan-edge', tile, depth: model.depth, generator: model, tomogan };
  if (options.finetune === false) return base;
  const fo = options.finetune ?? {};
  const pairs = await finetunePairs(base, fo, options.onProgress);
  const trained = await trainFinetune(pairs, { ...fo, onStep: (s) => options.onProgress?.('finetune training', s, fo.steps ?? 600) });
  return { ...base, finetune: { weights: trained.weights, ...(await quantizeFinetune(trained.weights, tomogan.quantized, pairs, options)) } };
}
