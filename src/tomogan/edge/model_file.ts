// SPDX-License-Identifier: MIT
// Edge models as JSON: the calibrated ranges of the generator and the fine-tune network's float weights and ranges.
// The int8 model is rebuilt from them with the float generator: quantization is deterministic, so the same file
// and weights give the same codes everywhere. The shipped one is weights/tomogan-sim-v1-edge/edge.json.
import { InvalidInputError } from '../../errors.js';
import type { Graph } from '../../quant/graph.js';
import type { RangeMethod, TensorRange } from '../../quant/ranges.js';
import { generatorGraph } from '../graph.js';
import { loadShippedWeights } from '../default_weights.js';
import { type Generator, type LoadWeightsOptions, readWeightsFile } from '../model.js';
import { type FinetuneConfig, finetuneGraph, finetuneShapes } from './finetune.js';
import type { TomoganEdgeModel } from './pipeline.js';
import { quantizeWithRanges } from './quantize.js';

export const EDGE_FORMAT = 'anyml-tomogan-edge';

interface RangesJson {
  method: RangeMethod;
  percentile?: number;
  images: number;
  /** [min, max] per graph tensor, in the graph's tensor order. */
  ranges: [number, number][];
}

export interface EdgeModelJson {
  format: typeof EDGE_FORMAT;
  version: 1;
  tile: number;
  depth: 1 | 3;
  /** The float generator's weights this was calibrated for (e.g. 'tomogan-sim-v1'). */
  base: string;
  tomogan: RangesJson;
  finetune?: RangesJson & { config: FinetuneConfig; kernels: number[][]; biases: number[][] };
}

function rangesJson(q: TomoganEdgeModel['tomogan']): RangesJson {
  const c = q.quantized.calibration;
  return { method: c.method, ...(c.percentile !== undefined ? { percentile: c.percentile } : {}), images: c.images, ranges: q.ranges.map((r) => [r.min, r.max]) };
}

/** The edge model as JSON (float32 weights written as their exact decimal doubles). */
export function edgeModelToJson(m: TomoganEdgeModel, base: string): EdgeModelJson {
  const json: EdgeModelJson = { format: EDGE_FORMAT, version: 1, tile: m.tile, depth: m.depth, base, tomogan: rangesJson(m.tomogan) };
  if (m.finetune) {
    const w = m.finetune.weights;
    json.finetune = { ...rangesJson(m.finetune), config: w.config, kernels: w.kernels.map((k) => Array.from(k)), biases: w.biases.map((b) => Array.from(b)) };
  }
  return json;
}

function ranges(where: string, r: RangesJson | undefined, g: Graph): TensorRange[] {
  if (!r || !Array.isArray(r.ranges) || r.ranges.length !== g.tensors.length)
    throw new InvalidInputError(`${where}.ranges`, r?.ranges ? `${r.ranges.length} ranges` : 'none', `${g.tensors.length} [min, max] pairs (one per tensor of '${g.name}')`);
  return r.ranges.map(([min, max], i) => {
    if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) throw new InvalidInputError(`${where}.ranges[${i}]`, JSON.stringify([min, max]), 'finite [min, max] with min ≤ max');
    return { min, max };
  });
}

function finetuneWeights(where: string, f: NonNullable<EdgeModelJson['finetune']>) {
  const shapes = finetuneShapes(f.config);
  const kernels = shapes.map(([cin, cout], i) => {
    if (f.kernels?.[i]?.length !== 9 * cin * cout) throw new InvalidInputError(`${where}.kernels[${i}]`, `${f.kernels?.[i]?.length} values`, `3·3·${cin}·${cout}`);
    return Float32Array.from(f.kernels[i]);
  });
  const biases = shapes.map(([, cout], i) => {
    if (f.biases?.[i]?.length !== cout) throw new InvalidInputError(`${where}.biases[${i}]`, `${f.biases?.[i]?.length} values`, String(cout));
    return Float32Array.from(f.biases[i]);
  });
  return { config: f.config, kernels, biases };
}

/** Rebuilds the edge model of `json` on `generator` (the float weights named by `json.base`). */
export function edgeModelFromJson(json: EdgeModelJson, generator: Generator, where = 'edge model'): TomoganEdgeModel {
  if (json?.format !== EDGE_FORMAT || json.version !== 1) throw new InvalidInputError(`${where}.format`, `${json?.format} v${json?.version}`, `'${EDGE_FORMAT}' version 1`);
  if (json.depth !== generator.depth) throw new InvalidInputError(`${where}.depth`, String(json.depth), `${generator.depth} (the generator's)`);
  if (!Number.isInteger(json.tile) || json.tile < 8 || json.tile % 8) throw new InvalidInputError(`${where}.tile`, String(json.tile), 'a multiple of 8');
  const g = generatorGraph(generator);
  const tq = quantizeWithRanges(g, ranges(`${where}.tomogan`, json.tomogan, g), json.tomogan);
  const m: TomoganEdgeModel = { kind: 'tomogan-edge', tile: json.tile, depth: json.depth, generator, tomogan: { quantized: tq, ranges: ranges(`${where}.tomogan`, json.tomogan, g) } };
  if (!json.finetune) return m;
  const weights = finetuneWeights(`${where}.finetune`, json.finetune);
  const fg = finetuneGraph(weights);
  const fr = ranges(`${where}.finetune`, json.finetune, fg);
  const fq = quantizeWithRanges(fg, fr, json.finetune, new Map([[fg.input, tq.params[g.output]]]));
  return { ...m, finetune: { weights, quantized: fq, ranges: fr } };
}

/** Name of the shipped edge model (folder under weights/): int8 tiles of tomogan-sim-v1 plus its fine-tune network. */
export const DEFAULT_EDGE_NAME = 'tomogan-sim-v1-edge';

/** URL of the shipped edge.json (src/tomogan/edge and dist/tomogan/edge are three levels below the package root). */
export function defaultEdgeUrl(): URL {
  return new URL('../../../weights/tomogan-sim-v1-edge/edge.json', import.meta.url);
}

/**
 * The float weights the shipped edge model was calibrated and fine-tuned on. Not the default float weights
 * (tomogan-sim-v2): int8 ranges and the fine-tune network belong to one generator, so the edge path keeps its base.
 */
export const DEFAULT_EDGE_BASE = 'tomogan-sim-v1';

/**
 * The shipped edge model on `generator`: by default its base, the shipped tomogan-sim-v1 (DEFAULT_EDGE_BASE); a
 * generator passed here should be those weights, as the int8 ranges were measured on them.
 */
export async function loadDefaultEdgeModel(generator?: Generator, opts: LoadWeightsOptions = {}): Promise<TomoganEdgeModel> {
  const [bytes, gen] = await Promise.all([readWeightsFile(defaultEdgeUrl(), opts), generator ?? loadShippedWeights(DEFAULT_EDGE_BASE, opts)]);
  return edgeModelFromJson(JSON.parse(new TextDecoder().decode(bytes)) as EdgeModelJson, gen, `${DEFAULT_EDGE_NAME}/edge.json`);
}
