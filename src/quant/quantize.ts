// SPDX-License-Identifier: MIT
// Post-training quantization of a Graph to full int8 from calibrated ranges, following TFLite's 8-bit specification
// (src/quant/spec.ts): per-tensor activation parameters, with the tensors that MAX_POOL_2D, RESIZE_BILINEAR and
// CONCATENATION require to share one scale and zero point merged into one group; per-channel int8 weights; int32 bias.
import { InvalidInputError } from '../errors.js';
import type { ConvOp, Graph } from './graph.js';
import type { RangeMethod, TensorRange } from './ranges.js';
import { chooseParams, type QParams, roundHalfAway, weightScale } from './spec.js';

/** One convolution in int8: weights OHWI [cout, k, k, cin] (TFLite's layout), per-channel scales, int32 bias. */
export interface QuantizedConv {
  weights: Int8Array;
  scales: Float32Array;
  bias: Int32Array;
}

export interface QuantizedGraph {
  /** The float graph (ops, shapes, float weights) the int8 one was made from. */
  readonly graph: Graph;
  /** Per tensor index. */
  readonly params: readonly QParams[];
  /** Per op index (conv ops only). */
  readonly convs: readonly (QuantizedConv | undefined)[];
  /** How the ranges were measured, and the ranges per tensor before groups were merged (for reports). */
  readonly calibration: { method: RangeMethod; percentile?: number; ranges: readonly TensorRange[]; images: number };
}

/** Union–find over tensor indices. */
function groups(g: Graph): number[] {
  const parent = g.tensors.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const join = (a: number, b: number) => void (parent[find(a)] = find(b));
  for (const op of g.ops) {
    // The specification's restriction "input and outputs must all have same scale/zero_point".
    if (op.kind === 'maxpool' || op.kind === 'upsample') join(op.input, op.output);
    if (op.kind === 'concat') for (const j of op.inputs) join(j, op.output);
  }
  return g.tensors.map((_, i) => find(i));
}

/** The HWIO float kernel as OHWI int8 with one symmetric scale per output channel. */
export function quantizeConv(op: ConvOp, cin: number, cout: number, inScale: number): QuantizedConv {
  const kk = op.k * op.k;
  const scales = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    let m = 0;
    for (let j = 0; j < kk * cin; j++) m = Math.max(m, Math.abs(op.kernel[j * cout + o]));
    scales[o] = weightScale(m);
  }
  const weights = new Int8Array(cout * kk * cin);
  for (let o = 0; o < cout; o++)
    for (let j = 0; j < kk * cin; j++) {
      const q = roundHalfAway(op.kernel[j * cout + o] / scales[o]);
      weights[o * kk * cin + j] = Math.max(-127, Math.min(127, q));
    }
  const bias = new Int32Array(cout);
  for (let o = 0; o < cout; o++) {
    const q = roundHalfAway(op.bias[o] / (Math.fround(inScale) * scales[o]));
    bias[o] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, q));
  }
  return { weights, scales, bias };
}

export interface QuantizeGraphOptions {
  method: RangeMethod;
  percentile?: number;
  images: number;
  /** Fixed ranges that replace the calibrated ones (the model input's 0…255, say). */
  fixed?: ReadonlyMap<number, TensorRange>;
  /**
   * Fixed parameters for whole groups (a tensor and those tied to it): a network that reads another's int8 output
   * takes that output's scale and zero point, so the codes pass between them unchanged.
   */
  fixedParams?: ReadonlyMap<number, QParams>;
}

/** Full-int8 quantization of `g` from one calibrated range per tensor. */
export function quantizeGraph(g: Graph, ranges: readonly TensorRange[], opts: QuantizeGraphOptions): QuantizedGraph {
  if (ranges.length !== g.tensors.length)
    throw new InvalidInputError('quantizeGraph: ranges', `${ranges.length} ranges`, `one per tensor (${g.tensors.length})`);
  const used = ranges.map((r, i) => opts.fixed?.get(i) ?? r);
  const root = groups(g);
  const merged = new Map<number, TensorRange>();
  used.forEach((r, i) => {
    const m = merged.get(root[i]);
    merged.set(root[i], m ? { min: Math.min(m.min, r.min), max: Math.max(m.max, r.max) } : { ...r });
  });
  const byGroup = new Map<number, QParams>();
  for (const [k, r] of merged) byGroup.set(k, chooseParams(r.min, r.max));
  for (const [i, p] of opts.fixedParams ?? []) byGroup.set(root[i], { scale: Math.fround(p.scale), zeroPoint: p.zeroPoint });
  const params = g.tensors.map((_, i) => byGroup.get(root[i])!);
  const convs = g.ops.map((op) =>
    op.kind === 'conv' ? quantizeConv(op, g.tensors[op.input].channels, g.tensors[op.output].channels, params[op.input].scale) : undefined,
  );
  const calibration = { method: opts.method, ...(opts.method === 'percentile' ? { percentile: opts.percentile ?? 99.99 } : {}), ranges: used, images: opts.images };
  return { graph: g, params, convs, calibration };
}
