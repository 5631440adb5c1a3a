// SPDX-License-Identifier: MIT
// ONNX export of the TomoGAN generator (ONNX IR and operator specs: onnx/onnx.proto3, docs/Operators.md): a hand-written protobuf ModelProto encoder.
import { InvalidInputError } from '../errors.js';
import { type ConvSpec, type Generator, weightShapes } from './model.js';
import { type Attr, type Dim, node, onnxIrVersion, Writer } from '../io/onnx_proto.js';

export { onnxIrVersion };

/** TensorProto.DataType FLOAT (onnx.proto3 "enum DataType"). */
const FLOAT = 1;
/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian, onnx.proto3 "raw_data"). */
function floatTensor(name: string, dims: readonly number[], data: Float32Array): Writer {
  const raw = new Uint8Array(data.length * 4);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i], true);
  return new Writer().packedInts(1, dims).int(2, FLOAT).string(8, name).bytes(9, raw);
}


/** ValueInfoProto { name = 1, type = 2 } → TypeProto { tensor_type = 1 } → Tensor { elem_type = 1, shape = 2 }. */
function valueInfo(name: string, dims: readonly Dim[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensor = new Writer().int(1, FLOAT).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensor));
}

// ---------------------------------------------------------------------------------------------------------------

export interface ExportOnnxOptions {
  /** Default-domain opset, 11–21 (default 17). Resize with half_pixel needs ≥ 11; roi becomes optional at 13. */
  opset?: number;
  /** Symbolic N, H, W dims (default true). When false, the input is fixed to [batch, depth, height, width]. */
  dynamicSize?: boolean;
  /** Fixed height (multiple of 8) when dynamicSize is false. */
  height?: number;
  /** Fixed width (multiple of 8) when dynamicSize is false. */
  width?: number;
  /** Fixed batch when dynamicSize is false (default 1). */
  batch?: number;
  /** ModelProto.producer_name (default 'anyml'). */
  producerName?: string;
}

/** Names of the graph's input and output (NCHW: input [N, depth, H, W], output [N, 1, H, W]). */
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';


/** HWIO [k, k, cin, cout] (tfjs/Keras) → OIHW [cout, cin, k, k] (ONNX Conv "W" input layout, Operators.md Conv). */
export function hwioToOihw(kernel: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let kh = 0; kh < k; kh++)
    for (let kw = 0; kw < k; kw++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) out[((co * cin + ci) * k + kh) * k + kw] = kernel[((kh * k + kw) * cin + ci) * cout + co];
  return out;
}

/** Input and output dimensions: symbolic N, H, W (dynamicSize, the default) or the fixed batch × height × width. */
function ioDims(gen: Generator, opts: ExportOnnxOptions): { inDims: Dim[]; outDims: Dim[] } {
  if (opts.dynamicSize ?? true) return { inDims: ['N', gen.depth, 'H', 'W'], outDims: ['N', 1, 'H', 'W'] };
  const { height: h, width: w, batch: n = 1 } = opts;
  const ok8 = (v: number | undefined): v is number => Number.isInteger(v) && v! > 0 && v! % 8 === 0;
  if (!ok8(h) || !ok8(w)) throw new InvalidInputError('exportOnnx: height/width', `${h}×${w}`, 'positive multiples of 8 when dynamicSize is false');
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError('exportOnnx: batch', String(n), 'a positive integer');
  return { inDims: [n, gen.depth, h, w], outDims: [n, 1, h, w] };
}

/** The generator's graph, node by node in Generator.forward's order (model.ts), with its initializers. */
class GraphBuilder {
  readonly nodes: Writer[] = [];
  readonly inits: Writer[] = [];
  private convIndex = 0;
  private seq = 0;
  private readonly roiName: string;
  private readonly scalesName = 'resize_scales';

  constructor(private readonly gen: Generator, opset: number) {
    // Resize's roi is only read for 'tf_crop_and_resize': the empty name (optional since opset 13) or, for opset
    // 11–12, an empty float tensor.
    this.inits.push(floatTensor(this.scalesName, [4], Float32Array.from([1, 1, 2, 2])));
    this.roiName = opset < 13 ? 'resize_roi' : '';
    if (opset < 13) this.inits.push(floatTensor(this.roiName, [0], new Float32Array(0)));
  }

  private fresh(base: string): string {
    return `${base}_${this.seq++}`;
  }

  /**
   * Conv (Operators.md Conv): inputs X, W [M, C/group, kH, kW], B [M]; attributes kernel_shape, pads
   * [x1_begin, x2_begin, x1_end, x2_end], strides, dilations, group. 'same' for 3×3 stride 1 = pads 1. Relu
   * (Operators.md Relu) follows every conv except the last (the linear output layer, docs/tomogan.md).
   */
  conv(x: string, last = false): string {
    const s: ConvSpec = this.gen.specs[this.convIndex++];
    const w = this.gen.weights.get(s.name)!;
    const [{ name: wName }, { name: bName }] = weightShapes([s]);
    this.inits.push(floatTensor(wName, [s.cout, s.cin, s.k, s.k], hwioToOihw(w.kernel, s.k, s.cin, s.cout)));
    this.inits.push(floatTensor(bName, [s.cout], w.bias));
    const p = (s.k - 1) / 2;
    const attrs: Attr[] = [
      { name: 'kernel_shape', ints: [s.k, s.k] },
      { name: 'strides', ints: [1, 1] },
      { name: 'dilations', ints: [1, 1] },
      { name: 'group', i: 1 },
    ];
    if (p > 0) attrs.push({ name: 'pads', ints: [p, p, p, p] });
    const y = last && !s.relu ? ONNX_OUTPUT : this.fresh(`${s.name}_out`);
    this.nodes.push(node('Conv', s.name, [x, wName, bName], [y], attrs));
    if (!s.relu) return y;
    const r = last ? ONNX_OUTPUT : this.fresh(`${s.name}_relu`);
    this.nodes.push(node('Relu', `${s.name}_relu`, [y], [r]));
    return r;
  }

  /** MaxPool 2×2 stride 2, no pads: equals tf.maxPool 2/2 'same' because H, W are multiples of 8 (every size even). */
  pool(x: string): string {
    const y = this.fresh('maxpool');
    this.nodes.push(node('MaxPool', y, [x], [y], [{ name: 'kernel_shape', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }]));
    return y;
  }

  /**
   * Resize (Operators.md, since opset 11), mode 'linear' on the two innermost axes = bilinear; coordinate
   * transformation 'half_pixel': x_original = (x_resized + 0.5) / scale − 0.5 = resizeBilinear(halfPixelCenters).
   */
  upsample(x: string): string {
    const y = this.fresh('resize');
    this.nodes.push(node('Resize', y, [x, this.roiName, this.scalesName], [y], [{ name: 'mode', s: 'linear' }, { name: 'coordinate_transformation_mode', s: 'half_pixel' }]));
    return y;
  }

  /** Concat (Operators.md) on axis 1 = channels in NCHW; skip first, like tf.concat([skip, up], 3). */
  concat(a: string, b: string): string {
    const y = this.fresh('concat');
    this.nodes.push(node('Concat', y, [a, b], [y], [{ name: 'axis', i: 1 }]));
    return y;
  }

  /** The U-Net: three conv blocks with pools, the bottleneck, three up blocks with skips, the 1×1 head. */
  build(): void {
    let y = this.conv(ONNX_INPUT); // row 1
    y = this.conv(y); // row 2
    const skip1 = this.conv(y); // row 3
    y = this.conv(this.pool(skip1)); // row 4
    const skip2 = this.conv(y); // row 5
    y = this.conv(this.pool(skip2)); // row 6
    const skip3 = this.conv(y); // row 7
    y = this.conv(this.pool(skip3)); // row 8
    for (const skip of [skip3, skip2, skip1]) {
      y = this.conv(this.concat(skip, this.upsample(y))); // rows 9, 11, 13
      y = this.conv(y); // rows 10, 12, 14
    }
    y = this.conv(y); // row 15
    this.conv(y, true); // row 16, linear → `output`
  }
}

/**
 * Exports the generator as an ONNX ModelProto (bytes of a `.onnx` file), NCHW, same graph as Generator.forward:
 * Conv (+Relu) ×16, MaxPool ×3, Resize ×3, Concat ×3. Input `input` float32 [N, depth, H, W] with H, W multiples
 * of 8; output `output` float32 [N, 1, H, W]. Browser-safe: no Node or tfjs imports.
 */
export function exportOnnx(gen: Generator, opts: ExportOnnxOptions = {}): Uint8Array {
  const opset = opts.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 11 || opset > 21) throw new InvalidInputError('exportOnnx: opset', String(opset), 'an integer 11–21');
  const { inDims, outDims } = ioDims(gen, opts);
  const g = new GraphBuilder(gen, opset);
  g.build();
  // GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12.
  const graph = new Writer();
  for (const n of g.nodes) graph.message(1, n);
  graph.string(2, `tomogan_generator_${gen.widths}_depth${gen.depth}`);
  for (const t of g.inits) graph.message(5, t);
  graph.string(10, 'TomoGAN generator (U-Net), NCHW; exported by anyml from tfjs weights (HWIO → OIHW).');
  graph.message(11, valueInfo(ONNX_INPUT, inDims));
  graph.message(12, valueInfo(ONNX_OUTPUT, outDims));
  // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, model_version = 5, graph = 7,
  // opset_import = 8 (OperatorSetIdProto: domain = 1, "" = ai.onnx; version = 2).
  return new Writer()
    .int(1, onnxIrVersion(opset))
    .string(2, opts.producerName ?? 'anyml')
    .string(3, '1')
    .int(5, 1)
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, opset))
    .finish();
}
