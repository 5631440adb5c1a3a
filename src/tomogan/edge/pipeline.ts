// SPDX-License-Identifier: MIT
// The edge path end to end, all in int8 codes: the 0…255 image quantized (scale 1), padded to whole tiles, cut into
// tile² windows with no halo, each through the int8 generator on an edge runtime, the output codes stitched, then
// the int8 fine-tune network over the stitched image (its input shares the generator output's scale and zero point,
// so the codes pass unchanged; large images are tiled with an exact halo of its reach), dequantized at the end.
import { AbortError, InvalidInputError } from '../../errors.js';
import type { QuantizedGraph } from '../../quant/quantize.js';
import type { TensorRange } from '../../quant/ranges.js';
import { dequantizeArray } from '../../quant/reference.js';
import type { Image } from '../../types.js';
import type { Generator } from '../model.js';
import { extractWindow, padToMultiple, planTiles, roundUp8, stitchCore } from '../tiling.js';
import type { FinetuneWeights } from './finetune.js';
import { edgeRuntimes, type EdgeRuntime } from './runtimes.js';

/** The int8 generator and (optionally) the int8 fine-tune network, with the ranges they were quantized from. */
export interface TomoganEdgeModel {
  readonly kind: 'tomogan-edge';
  /** Tile side of the generator (64 by default: the Edge TPU's fixed shape). */
  readonly tile: number;
  readonly depth: 1 | 3;
  /** The float generator it was made from. */
  readonly generator: Generator;
  readonly tomogan: { quantized: QuantizedGraph; ranges: TensorRange[] };
  readonly finetune?: { weights: FinetuneWeights; quantized: QuantizedGraph; ranges: TensorRange[] };
}

export function isEdgeModel(m: unknown): m is TomoganEdgeModel {
  return typeof m === 'object' && m !== null && (m as TomoganEdgeModel).kind === 'tomogan-edge';
}

/** Milliseconds per stage of one image (the seed's table: model, stitching, fine-tune). */
export interface EdgeStageTimes {
  model: number;
  stitch: number;
  finetune: number;
  total: number;
}

/** Core size of the fine-tune network's tiles on large images (windows of core + 2·halo). */
export const FINETUNE_CORE = 256;

/** planar [depth][H][W] 0…255 → int8 codes at scale 1, zero point −128, NHWC (round half away, saturate). */
function quantizeInput(data: Float32Array, depth: number, plane: number, q: QuantizedGraph): Int8Array {
  const p = q.params[q.graph.input];
  const out = new Int8Array(data.length);
  for (let i = 0; i < plane; i++)
    for (let z = 0; z < depth; z++) {
      const v = data[z * plane + i] / p.scale;
      const r = (v < 0 ? -Math.round(-v) : Math.round(v)) + p.zeroPoint;
      out[i * depth + z] = r < -128 ? -128 : r > 127 ? 127 : r;
    }
  return out;
}

/** Tiles per runtime call: progress and cancellation points, small enough to keep one call's buffers small. */
const TILES_PER_CALL = 16;

/** The generator over no-halo tile² windows of the H × W NHWC codes; returns per-tile outputs and the tiles. */
async function runTiles(rt: EdgeRuntime, m: TomoganEdgeModel, codes: Int8Array, H: number, W: number, o: RunEdgeOptions) {
  const tiles = planTiles(H, W, m.tile, 0);
  const per = m.tile * m.tile * m.depth;
  const row = m.tile * m.depth;
  const out = new Int8Array(tiles.length * m.tile * m.tile);
  for (let t0 = 0; t0 < tiles.length; t0 += TILES_PER_CALL) {
    if (o.signal?.aborted) throw new AbortError(`denoise (edge) aborted after ${t0} of ${tiles.length} tiles`);
    const group = tiles.slice(t0, t0 + TILES_PER_CALL);
    const windows = new Int8Array(group.length * per);
    group.forEach((t, i) => {
      for (let y = 0; y < t.h; y++) windows.set(codes.subarray(((t.y + y) * W + t.x) * m.depth, ((t.y + y) * W + t.x) * m.depth + row), i * per + y * row);
    });
    out.set(await rt.run(m.tomogan.quantized, windows, group.length, m.tile, m.tile), t0 * m.tile * m.tile);
    o.onProgress?.(t0 + group.length, tiles.length);
  }
  return { tiles, out };
}

/** The fine-tune network on H × W codes, in windows of FINETUNE_CORE + its reach (rounded to 8) when larger. */
async function runFinetune(rt: EdgeRuntime, q: QuantizedGraph, reach: number, codes: Int8Array, H: number, W: number): Promise<Int8Array> {
  const tiles = planTiles(H, W, FINETUNE_CORE, roundUp8(reach));
  if (tiles.length === 1) return rt.run(q, codes, 1, H, W);
  const { h, w } = tiles[0];
  const windows = new Int8Array(tiles.length * h * w);
  tiles.forEach((t, i) => extractWindow(codes, 1, H, W, t, windows, i * h * w));
  const res = await rt.run(q, windows, tiles.length, h, w);
  const out = new Int8Array(H * W);
  tiles.forEach((t, i) => stitchCore(res, i * h * w, t, out, W));
  return out;
}

export interface RunEdgeOptions {
  /** An edge runtime's name, or 'auto' (default: the highest-priority one that loads). */
  runtime?: string;
  /** Run the fine-tune network (default: when the model has one). */
  finetune?: boolean;
  /** Called after each batch of tiles with (tiles done, tiles in all). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface RunEdgeResult {
  /** The width × height output on the 0…255 scale. */
  data: Float32Array;
  runtime: string;
  stages: EdgeStageTimes;
  tiles: number;
}

/** Runs the edge model on one image already on the 0…255 scale (planar, depth = the model's). */
export async function runEdge(m: TomoganEdgeModel, image: Image, opts: RunEdgeOptions = {}): Promise<RunEdgeResult> {
  const t0 = performance.now();
  if (image.width < m.tile || image.height < m.tile)
    throw new InvalidInputError('denoise (edge): image', `${image.width}×${image.height}`, `at least one ${m.tile}×${m.tile} tile`);
  const useFt = opts.finetune ?? m.finetune !== undefined;
  if (useFt && !m.finetune) throw new InvalidInputError('denoise (edge): options.finetune', 'true', 'an edge model with a fine-tune network (quantizeTomogan with finetune)');
  const { name, impl } = await edgeRuntimes.resolve(opts.runtime ?? 'auto', 'TomoGAN int8 inference');
  const padded = padToMultiple(image.data, m.depth, image.height, image.width, m.tile);
  const { height: H, width: W } = padded;
  const { tiles, out } = await runTiles(impl, m, quantizeInput(padded.data, m.depth, H * W, m.tomogan.quantized), H, W, opts);
  const t2 = performance.now();
  let codes: Int8Array = new Int8Array(H * W);
  tiles.forEach((t, i) => stitchCore(out, i * m.tile * m.tile, t, codes, W));
  const t3 = performance.now();
  let q = m.tomogan.quantized;
  if (opts.signal?.aborted) throw new AbortError('denoise (edge) aborted before the fine-tune network');
  if (useFt) {
    q = m.finetune!.quantized;
    codes = await runFinetune(impl, q, m.finetune!.weights.config.layers, codes, H, W);
  }
  const full = dequantizeArray(codes, q.params[q.graph.output]);
  const data = new Float32Array(image.width * image.height);
  for (let y = 0; y < image.height; y++) data.set(full.subarray(y * W, y * W + image.width), y * image.width);
  const t4 = performance.now();
  return { data, runtime: name, tiles: tiles.length, stages: { model: t2 - t0, stitch: t3 - t2, finetune: t4 - t3, total: t4 - t0 } };
}

/**
 * The int8 generator on the whole image at once (reflect-padded to multiples of 8, no tiles, no fine-tune): the
 * "int8 full frame" of the quality tables, which separates quantization from the seams of the tiles.
 */
export async function runEdgeFullFrame(m: TomoganEdgeModel, image: Image, runtime = 'auto'): Promise<Float32Array> {
  const { impl } = await edgeRuntimes.resolve(runtime, 'TomoGAN int8 inference');
  const padded = padToMultiple(image.data, m.depth, image.height, image.width, 8);
  const { height: H, width: W } = padded;
  const q = m.tomogan.quantized;
  const out = dequantizeArray(await impl.run(q, quantizeInput(padded.data, m.depth, H * W, q), 1, H, W), q.params[q.graph.output]);
  const data = new Float32Array(image.width * image.height);
  for (let y = 0; y < image.height; y++) data.set(out.subarray(y * W, y * W + image.width), y * image.width);
  return data;
}
