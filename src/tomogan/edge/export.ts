// SPDX-License-Identifier: MIT
// exportTflite: the float generator or an edge model's int8 networks as .tflite files with fixed input shapes
// (src/quant/tflite.ts), for TFLite, LiteRT.js and, after edgetpu_compiler, the Edge TPU (docs/edgetpu.md).
import { InvalidInputError } from '../../errors.js';
import { writeTflite } from '../../quant/tflite.js';
import { generatorGraph } from '../graph.js';
import type { Generator } from '../model.js';
import { finetuneGraph } from './finetune.js';
import { isEdgeModel, type TomoganEdgeModel } from './pipeline.js';

export interface ExportTfliteOptions {
  /** Write the int8 network (default: true for an edge model; a float Generator can only be written in float). */
  quantized?: boolean;
  /** Fixed input [height, width] (or one side): default the edge model's tile, 64 for a Generator. */
  inputShape?: number | [number, number];
  /** Which network of an edge model: the generator (default) or the fine-tune network. */
  network?: 'tomogan' | 'finetune';
}

function shape(s: ExportTfliteOptions['inputShape'], dflt: number): [number, number] {
  const [h, w] = s === undefined ? [dflt, dflt] : typeof s === 'number' ? [s, s] : s;
  return [h, w];
}

/** The .tflite bytes of `model` (see ExportTfliteOptions); sizes must be positive multiples of 8 for the generator. */
export function exportTflite(model: Generator | TomoganEdgeModel, opts: ExportTfliteOptions = {}): Uint8Array {
  const edge = isEdgeModel(model);
  const network = opts.network ?? 'tomogan';
  const quantized = opts.quantized ?? edge;
  const [height, width] = shape(opts.inputShape, edge ? model.tile : 64);
  if (!edge) {
    if (quantized) throw new InvalidInputError('exportTflite: options.quantized', 'true with a float Generator', 'an edge model (quantizeTomogan) for an int8 file');
    if (network !== 'tomogan') throw new InvalidInputError('exportTflite: options.network', network, "'tomogan' (a Generator has no fine-tune network)");
    return writeTflite(generatorGraph(model), { height, width });
  }
  if (network === 'finetune') {
    if (!model.finetune) throw new InvalidInputError('exportTflite: options.network', "'finetune'", 'an edge model with a fine-tune network');
    const q = model.finetune.quantized;
    return quantized ? writeTflite(q.graph, { height, width, quantized: q }) : writeTflite(finetuneGraph(model.finetune.weights), { height, width });
  }
  const q = model.tomogan.quantized;
  return writeTflite(q.graph, { height, width, ...(quantized ? { quantized: q } : {}) });
}
