// SPDX-License-Identifier: MIT
// quantizeTomogan: the generator as a full-int8 model for fixed 64² tiles (the Edge TPU's shape), with activation
// ranges calibrated on tiles of a set of images: by default anyml's simulated low-dose slices (seeded), or the
// user's own. The input range is fixed to TomoGAN's 0…255 scale (scale 1, zero point −128: an 8-bit slice is
// quantized exactly); every other range is measured (min/max or a percentile, src/quant/ranges.ts).
import { InvalidInputError } from '../../errors.js';
import { useBackend } from '../backends/index.js';
import { generatorGraph } from '../graph.js';
import { disposeGraphTf, runGraphTf } from '../graph_tf.js';
import type { Graph } from '../../quant/graph.js';
import { type QuantizedGraph, quantizeGraph } from '../../quant/quantize.js';
import { type RangeMethod, RangeStats, type TensorRange } from '../../quant/ranges.js';
import type { QParams } from '../../quant/spec.js';
import type { Image } from '../../types.js';
import type { Generator } from '../model.js';
import { tf } from '../tf.js';
import { simulatedPairs } from '../train/dataset.js';

/** The default calibration set: `count` simulated 256² low-dose slices from seed `seed`. */
export interface SimulatedCalibration {
  count?: number;
  size?: number;
  seed?: number;
}

export const DEFAULT_CALIBRATION = { count: 8, size: 256, seed: 7 } as const;

export interface QuantizeTomoganOptions {
  /** 'minmax' or 'percentile' (default: percentile 99.99, measured better on SSIM: docs/tomogan-edge.md). */
  method?: RangeMethod;
  percentile?: number;
  /** Tile side the ranges are measured on (default 64: the edge model's shape). */
  tile?: number;
  /** Seed of the percentile reservoirs. */
  seed?: number;
  /** tfjs backend of the float calibration passes (default 'wasm'). */
  backend?: 'wasm' | 'cpu';
}

/** A quantized network and how it was calibrated. */
export interface CalibratedGraph {
  quantized: QuantizedGraph;
  ranges: TensorRange[];
}

/** Calibration images on the 0…255 scale, depth = the model's, each at least one tile. */
export function calibrationImages(calibration: Image[] | SimulatedCalibration | undefined, depth: number, tile: number): Image[] {
  const imgs = Array.isArray(calibration)
    ? calibration
    : simulatedPairs({ ...DEFAULT_CALIBRATION, ...calibration, depth: depth as 1 | 3 }).map((p) => p.noisy);
  if (!imgs.length) throw new InvalidInputError('quantizeTomogan: calibration', 'an empty set', 'at least one image (or { count, size, seed } for simulated slices)');
  imgs.forEach((im, i) => {
    if (im.depth !== depth) throw new InvalidInputError(`quantizeTomogan: calibration[${i}].depth`, String(im.depth), `${depth} (the model's input depth)`);
    if (im.width < tile || im.height < tile)
      throw new InvalidInputError(`quantizeTomogan: calibration[${i}]`, `${im.width}×${im.height}`, `at least one ${tile}×${tile} tile`);
  });
  return imgs;
}

/** The whole tiles of a planar [depth][h][w] image as NHWC [n, tile, tile, depth] (the ragged edge is left out). */
export function imageTiles(im: Image, tile: number): { data: Float32Array; n: number } {
  const ny = Math.floor(im.height / tile);
  const nx = Math.floor(im.width / tile);
  const d = im.depth;
  const data = new Float32Array(ny * nx * tile * tile * d);
  let o = 0;
  for (let ty = 0; ty < ny; ty++)
    for (let tx = 0; tx < nx; tx++)
      for (let y = 0; y < tile; y++)
        for (let x = 0; x < tile; x++)
          for (let z = 0; z < d; z++) data[o++] = im.data[(z * im.height + ty * tile + y) * im.width + tx * tile + x];
  return { data, n: ny * nx };
}

/** Runs `g` in float over every batch of tiles and accumulates each tensor's values. */
export function measureRanges(g: Graph, batches: Iterable<{ data: Float32Array; n: number; h: number; w: number }>, seed: number): RangeStats {
  const stats = new RangeStats(seed);
  const c = g.tensors[g.input].channels;
  for (const b of batches) {
    const x = tf.tensor4d(b.data, [b.n, b.h, b.w, c]);
    const y = runGraphTf(g, x, (j, t) => stats.add(j, t.dataSync()));
    x.dispose();
    y.dispose();
  }
  disposeGraphTf(g);
  return stats;
}

/** Ranges per tensor; `fixed` ranges replace the measured ones. */
export function graphRanges(g: Graph, stats: RangeStats, o: QuantizeTomoganOptions, fixed: ReadonlyMap<number, TensorRange>): TensorRange[] {
  return g.tensors.map((_, j) => fixed.get(j) ?? stats.range(j, o.method ?? 'percentile', o.percentile));
}

/** The int8 generator for `tile`² tiles, calibrated on `calibration`. */
export async function quantizeGenerator(model: Generator, calibration: Image[] | SimulatedCalibration | undefined, o: QuantizeTomoganOptions = {}): Promise<CalibratedGraph> {
  const tile = o.tile ?? 64;
  if (!Number.isInteger(tile) || tile < 8 || tile % 8) throw new InvalidInputError('quantizeTomogan: options.tile', String(tile), 'a multiple of 8 (the generator pools three times)');
  const method = o.method ?? 'percentile';
  if (method !== 'minmax' && method !== 'percentile') throw new InvalidInputError('quantizeTomogan: options.method', String(method), "'minmax' or 'percentile'");
  const p = o.percentile ?? 99.99;
  if (!(p > 50 && p <= 100)) throw new InvalidInputError('quantizeTomogan: options.percentile', String(p), 'a number in (50, 100]');
  const imgs = calibrationImages(calibration, model.depth, tile);
  await useBackend(o.backend ?? 'wasm');
  const g = generatorGraph(model);
  const batches = imgs.map((im) => ({ ...imageTiles(im, tile), h: tile, w: tile }));
  const stats = measureRanges(g, batches, o.seed ?? 1);
  const fixed = new Map([[g.input, { min: 0, max: 255 }]]);
  const ranges = graphRanges(g, stats, { ...o, method, percentile: p }, fixed);
  return { quantized: quantizeGraph(g, ranges, { method, percentile: p, images: imgs.length, fixed }), ranges };
}

/** Re-quantizes from stored ranges (a shipped edge model): the same QuantizedGraph as the calibration gave. */
export function quantizeWithRanges(g: Graph, ranges: TensorRange[], meta: { method: RangeMethod; percentile?: number; images: number }, fixedParams?: ReadonlyMap<number, QParams>): QuantizedGraph {
  return quantizeGraph(g, ranges, { ...meta, fixedParams });
}
