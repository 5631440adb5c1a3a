// SPDX-License-Identifier: MIT
// An edge model's int8 networks as ONNX in QuantizeLinear / DequantizeLinear form (src/quant/onnx_qdq.ts): the
// explicit-int8 form TensorRT builds from and onnxruntime runs with int8 kernels; float networks via their graph.
import { InvalidInputError } from '../../errors.js';
import { writeOnnxQdq } from '../../quant/onnx_qdq.js';
import type { TomoganEdgeModel } from './pipeline.js';

export interface ExportEdgeOnnxOptions {
  network?: 'tomogan' | 'finetune';
  /** The int8 QDQ model (the float edge networks are exported by exportOnnx / exportTflite). */
  quantized?: boolean;
  /** Fixed height and width; symbolic when omitted. */
  inputShape?: number | [number, number];
}

/** The QDQ ONNX bytes of the edge model's generator (default) or fine-tune network. */
export function exportEdgeOnnx(m: TomoganEdgeModel, opts: ExportEdgeOnnxOptions = {}): Uint8Array {
  if (opts.quantized === false) throw new InvalidInputError('exportEdgeOnnx: options.quantized', 'false', 'true (for float ONNX use exportOnnx on the generator)');
  const network = opts.network ?? 'tomogan';
  if (network === 'finetune' && !m.finetune) throw new InvalidInputError('exportEdgeOnnx: options.network', "'finetune'", 'an edge model with a fine-tune network');
  const q = network === 'finetune' ? m.finetune!.quantized : m.tomogan.quantized;
  const s = opts.inputShape;
  const [height, width] = s === undefined ? [undefined, undefined] : typeof s === 'number' ? [s, s] : s;
  // uint8 storage of the same codes between the int8 input and output: the form onnxruntime's x86 kernels fuse.
  return writeOnnxQdq(q, { height, width, activations: 'uint8' });
}
