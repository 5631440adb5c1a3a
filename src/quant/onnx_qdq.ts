// SPDX-License-Identifier: MIT
// A full-int8 QuantizedGraph as an ONNX model in QDQ form (ONNX Operators.md QuantizeLinear / DequantizeLinear,
// per-axis since opset 13; onnxruntime "Quantize ONNX models", QDQ format): every activation is an 8-bit tensor
// that a DequantizeLinear turns into float for one float operator, whose result a QuantizeLinear with the tensor's
// scale and zero point turns back into 8 bits. Conv weights are int8 initializers with a per-output-channel
// DequantizeLinear (axis 0, zero points 0), the bias an int32 initializer with scale s_in·s_w[c]: the node units
// onnxruntime's QDQ transformers fuse into QLinearConv (MaxPool into an int8 MaxPool, Concat into QLinearConcat,
// Add into QLinearAdd; a linear Resize stays float between its DQ and Q). NCHW; the model's input and output are
// int8 with their scales in the graph. The activations keep the graph's asymmetric zero points (TFLite's scheme):
// TensorRT's explicit quantization takes zero point 0 only, so a TensorRT model needs symmetric activation ranges.
import { InvalidInputError } from '../errors.js';
import { type Attr, type Dim, node, onnxIrVersion, Writer } from '../io/onnx_proto.js';
import { type ConvOp, type Graph, type GraphOp, sizeMultiple } from './graph.js';
import type { QuantizedGraph } from './quantize.js';

/** Names of the model's int8 input [1, C, H, W] and output [1, C_out, H, W]. */
export const QDQ_INPUT = 'input';
export const QDQ_OUTPUT = 'output';

export interface OnnxQdqOptions {
  /** Fixed height and width (multiples of the graph's largest stride); symbolic H and W when not given. */
  height?: number;
  width?: number;
  /** Default-domain opset, 13–21 (default 17): per-axis DequantizeLinear needs 13. */
  opset?: number;
  /**
   * 'int32' (default): bias as int32 with DequantizeLinear scale s_in·s_w[c], which onnxruntime folds into
   * QLinearConv; 'float': the dequantized bias as a float initializer (bias_q·s_in·s_w[c]).
   */
  bias?: 'int32' | 'float';
  /**
   * 'fold' (default): a fused ReLU is written only where the output's zero point is above −128 (where the
   * QuantizeLinear's saturation at −128 = real 0 does not already clamp); 'emit': a Relu after every fused-ReLU op.
   */
  relu?: 'fold' | 'emit';
  /**
   * Storage of the activations between the model's int8 input and output. 'int8' (default): every tensor int8 with
   * the graph's zero point. 'uint8': the same codes shifted by +128 with zero point z + 128 (exactly the same
   * values; onnxruntime quantization docs: U8S8 is the x86 format), with one DequantizeLinear → QuantizeLinear
   * after the int8 input and before the int8 output. onnxruntime on x86 fuses an int8-activation Conv into
   * QLinearConv only when its Q → DQ pairs can be rewritten to uint8 (one reader each, not a graph input or output)
   * or with session option `session.qdqisint8allowed` = 1, whose S8S8 QLinearConv was ~20× slower than U8S8 here.
   */
  activations?: 'int8' | 'uint8';
  /** Also expose every other activation as a graph output named as in the model (for per-layer diagnostics). */
  allTensors?: boolean;
}

/**
 * The model's name for graph tensor `t`: `input` / `output` for the graph's input and output, t<index>_<name> for
 * the others (the names `allTensors` exposes them under).
 */
export function qdqTensorName(g: Graph, t: number): string {
  if (t === g.input) return QDQ_INPUT;
  if (t === g.output) return QDQ_OUTPUT;
  return `t${t}_${g.tensors[t].name}`;
}

/** TensorProto.DataType (onnx.proto3 "enum DataType"). */
const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6 } as const;

/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian); no dims = a scalar. */
function rawTensor(name: string, dims: readonly number[], type: number, raw: Uint8Array): Writer {
  const w = new Writer();
  if (dims.length) w.packedInts(1, dims);
  return w.int(2, type).string(8, name).bytes(9, raw);
}

/** Little-endian float32 (or int32) raw_data. */
function leBytes(v: ArrayLike<number>, int32 = false): Uint8Array {
  const b = new Uint8Array(4 * v.length);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < v.length; i++) int32 ? dv.setInt32(4 * i, v[i], true) : dv.setFloat32(4 * i, v[i], true);
  return b;
}

/** ValueInfoProto { name = 1, type = 2 } → TypeProto { tensor_type = 1 } → Tensor { elem_type = 1, shape = 2 }. */
function valueInfo(name: string, elemType: number, dims: readonly Dim[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensor = new Writer().int(1, elemType).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensor));
}

/** OHWI [cout, k, k, cin] (TFLite, QuantizedConv) → OIHW [cout, cin, k, k] (ONNX Conv "W"). */
export function ohwiToOihw(w: Int8Array, k: number, cin: number, cout: number): Int8Array {
  const out = new Int8Array(w.length);
  for (let o = 0; o < cout; o++)
    for (let kh = 0; kh < k; kh++)
      for (let kw = 0; kw < k; kw++)
        for (let ci = 0; ci < cin; ci++) out[((o * cin + ci) * k + kh) * k + kw] = w[((o * k + kh) * k + kw) * cin + ci];
  return out;
}

type Options = Required<Pick<OnnxQdqOptions, 'bias' | 'relu' | 'activations'>>;

/** The QDQ graph, node by node in the Graph's op order, with its initializers. */
class QdqBuilder {
  readonly nodes: Writer[] = [];
  readonly inits: Writer[] = [];
  private seq = 0;
  private readonly written = new Set<string>();

  constructor(private readonly q: QuantizedGraph, private readonly opts: Options) {
    // Resize "scales" [N, C, H, W] (Operators.md Resize, opset 13+: roi may be the empty name).
    this.inits.push(rawTensor('resize_scales', [4], DT.FLOAT, leBytes([1, 1, 2, 2])));
  }

  /** The tensor's name: the model input / output (int8 activations), or t<index>_<name>. */
  qName(t: number): string {
    const g = this.q.graph;
    return this.opts.activations === 'int8' || (t !== g.input && t !== g.output) ? qdqTensorName(g, t) : `t${t}_${g.tensors[t].name}`;
  }

  /**
   * The tensor's scale (float32 scalar) and zero point (scalar of the activation type; `int8` forces int8, for the
   * model's input and output), one pair of initializers per tensor and type.
   */
  private params(t: number, int8 = false): [string, string] {
    const u8 = this.opts.activations === 'uint8' && !int8;
    const s = `t${t}_scale`;
    const z = `t${t}_zero_point${u8 ? '_u8' : ''}`;
    const p = this.q.params[t];
    if (!this.written.has(s)) this.inits.push(rawTensor(s, [], DT.FLOAT, leBytes([p.scale])));
    if (!this.written.has(z)) this.inits.push(rawTensor(z, [], u8 ? DT.UINT8 : DT.INT8, Uint8Array.of(u8 ? p.zeroPoint + 128 : p.zeroPoint & 0xff)));
    this.written.add(s).add(z);
    return [s, z];
  }

  /** uint8 activations: the int8 model input requantized to uint8 (DQ → Q, an exact identity of the values). */
  inputToU8(): void {
    if (this.opts.activations !== 'uint8') return;
    const t = this.q.graph.input;
    this.nodes.push(node('DequantizeLinear', 'input_dq', [QDQ_INPUT, ...this.params(t, true)], ['input_dq']));
    this.quantize('input_dq', t);
  }

  /** uint8 activations: the graph's output tensor requantized to the int8 model output. */
  outputToS8(): void {
    if (this.opts.activations !== 'uint8') return;
    const t = this.q.graph.output;
    const f = this.dq(t);
    this.nodes.push(node('QuantizeLinear', 'output_q', [f, ...this.params(t, true)], [QDQ_OUTPUT]));
  }

  /** DequantizeLinear y = (x − zero_point)·scale, one per reader (each float op is its own QDQ node unit). */
  dq(t: number): string {
    const y = `${this.qName(t)}_dq${this.seq++}`;
    this.nodes.push(node('DequantizeLinear', y, [this.qName(t), ...this.params(t)], [y]));
    return y;
  }

  /** QuantizeLinear y = saturate(round(x / scale) + zero_point) (round half to even, Operators.md) into tensor t. */
  quantize(x: string, t: number): void {
    const y = this.qName(t);
    this.nodes.push(node('QuantizeLinear', `${y}_q`, [x, ...this.params(t)], [y]));
  }

  /** A fused ReLU: a Relu node unless folded into the output's QuantizeLinear (zero point −128 = the int8 floor). */
  relu(x: string, op: { relu: boolean; output: number }): string {
    if (!op.relu || (this.opts.relu === 'fold' && this.q.params[op.output].zeroPoint <= -128)) return x;
    const y = `${x}_relu`;
    this.nodes.push(node('Relu', y, [x], [y]));
    return y;
  }

  /** A per-channel DequantizeLinear (axis 0) of an int8 or int32 initializer with zero points 0. */
  private constDq(name: string, dims: number[], type: number, raw: Uint8Array, scales: ArrayLike<number>): string {
    const n = dims[0];
    const zeros = new Uint8Array(type === DT.INT32 ? 4 * n : n);
    this.inits.push(rawTensor(name, dims, type, raw), rawTensor(`${name}_scale`, [n], DT.FLOAT, leBytes(scales)), rawTensor(`${name}_zero_point`, [n], type, zeros));
    const y = `${name}_dq`;
    this.nodes.push(node('DequantizeLinear', y, [name, `${name}_scale`, `${name}_zero_point`], [y], [{ name: 'axis', i: 0 }]));
    return y;
  }

  /** The bias: int32 codes with DequantizeLinear scale s_in·s_w[c] (float32 product), or their float values. */
  private bias(base: string, codes: Int32Array, scales: Float32Array, inScale: number): string {
    const s = Array.from(scales, (sw) => Math.fround(Math.fround(inScale) * sw));
    if (this.opts.bias === 'int32') return this.constDq(`${base}_b`, [codes.length], DT.INT32, leBytes(codes, true), s);
    this.inits.push(rawTensor(`${base}_b`, [codes.length], DT.FLOAT, leBytes(Array.from(codes, (b, c) => b * s[c]))));
    return `${base}_b`;
  }

  /**
   * Conv (Operators.md Conv): X, W [M, C, kH, kW], B [M]; 'same' at stride 1 = pads (k − 1)/2 on every side,
   * which pads the dequantized input with real 0 = the int8 zero point (TFLite's out-of-image taps).
   */
  conv(op: ConvOp, i: number): void {
    const g = this.q.graph;
    const c = this.q.convs[i]!;
    const [cin, cout] = [g.tensors[op.input].channels, g.tensors[op.output].channels];
    const base = `conv${i}_${op.name}`;
    const w = ohwiToOihw(c.weights, op.k, cin, cout);
    const wf = this.constDq(`${base}_w`, [cout, cin, op.k, op.k], DT.INT8, new Uint8Array(w.buffer), c.scales);
    const bf = this.bias(base, c.bias, c.scales, this.q.params[op.input].scale);
    const p = (op.k - 1) / 2;
    const attrs: Attr[] = [
      { name: 'kernel_shape', ints: [op.k, op.k] },
      { name: 'strides', ints: [1, 1] },
      { name: 'dilations', ints: [1, 1] },
      { name: 'group', i: 1 },
      { name: 'pads', ints: [p, p, p, p] },
    ];
    const y = `${base}_out`;
    this.nodes.push(node('Conv', base, [this.dq(op.input), wf, bf], [y], attrs));
    this.quantize(this.relu(y, op), op.output);
  }

  /** One float op between its inputs' DequantizeLinear and its output's QuantizeLinear. */
  private simple(opType: string, op: GraphOp, ins: string[], attrs: Attr[] = []): void {
    const y = `${this.qName(op.output)}_${opType.toLowerCase()}`;
    this.nodes.push(node(opType, y, ins, [y], attrs));
    this.quantize(op.kind === 'add' ? this.relu(y, op) : y, op.output);
  }

  op(op: GraphOp, i: number): void {
    if (op.kind === 'conv') return this.conv(op, i);
    // MaxPool 2×2 stride 2 without pads (H, W are multiples of every stride: no partial windows).
    if (op.kind === 'maxpool') return this.simple('MaxPool', op, [this.dq(op.input)], [{ name: 'kernel_shape', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }]);
    // Resize mode 'linear' + 'half_pixel': x_original = (x_resized + 0.5) / 2 − 0.5 (Operators.md Resize).
    if (op.kind === 'upsample')
      return this.simple('Resize', op, [this.dq(op.input), '', 'resize_scales'], [{ name: 'mode', s: 'linear' }, { name: 'coordinate_transformation_mode', s: 'half_pixel' }]);
    if (op.kind === 'concat') return this.simple('Concat', op, op.inputs.map((j) => this.dq(j)), [{ name: 'axis', i: 1 }]);
    return this.simple('Add', op, op.inputs.map((j) => this.dq(j)));
  }
}

function checkOptions(q: QuantizedGraph, opts: OnnxQdqOptions): { opset: number; h: Dim; w: Dim } {
  const opset = opts.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) throw new InvalidInputError('writeOnnxQdq: opset', String(opset), 'an integer 13–21');
  const m = sizeMultiple(q.graph);
  const dim = (v: number | undefined, what: string, sym: string): Dim => {
    if (v === undefined) return sym;
    if (!Number.isInteger(v) || v <= 0 || v % m) throw new InvalidInputError(`writeOnnxQdq: ${what}`, String(v), `a positive multiple of ${m}`);
    return v;
  };
  if (!['int32', 'float'].includes(opts.bias ?? 'int32')) throw new InvalidInputError('writeOnnxQdq: bias', String(opts.bias), "'int32' or 'float'");
  if (!['int8', 'uint8'].includes(opts.activations ?? 'int8')) throw new InvalidInputError('writeOnnxQdq: activations', String(opts.activations), "'int8' or 'uint8'");
  if (!['fold', 'emit'].includes(opts.relu ?? 'fold')) throw new InvalidInputError('writeOnnxQdq: relu', String(opts.relu), "'fold' or 'emit'");
  return { opset, h: dim(opts.height, 'height', 'H'), w: dim(opts.width, 'width', 'W') };
}

/**
 * The quantized graph as an ONNX ModelProto in QDQ form (bytes of a `.onnx` file), NCHW: input `input` int8
 * [1, C, H, W], output `output` int8 [1, C_out, H, W], each with the graph's scale and zero point; H and W fixed by
 * `opts` or symbolic. Browser-safe: no Node imports.
 *
 * Against runInt8 (TFLite's integer arithmetic), onnxruntime's fused kernels give every op within 1 LSB on the same
 * int8 inputs (MaxPool, Concat exact), but not bit-exact: QLinearConv requantizes with one float multiply rounded
 * half to even where TFLite uses gemmlowp's two fixed-point roundings, and the float Resize's QuantizeLinear rounds
 * halves to even where TFLite rounds them away from zero. Deep graphs amplify those single-LSB differences.
 * @example const bytes = writeOnnxQdq(quantizeGraph(g, ranges, { method: 'minmax', images: 8 }), { activations: 'uint8' });
 */
export function writeOnnxQdq(q: QuantizedGraph, opts: OnnxQdqOptions = {}): Uint8Array {
  const { opset, h, w } = checkOptions(q, opts);
  const g = q.graph;
  const b = new QdqBuilder(q, { bias: opts.bias ?? 'int32', relu: opts.relu ?? 'fold', activations: opts.activations ?? 'int8' });
  b.inputToU8();
  g.ops.forEach((op, i) => b.op(op, i));
  b.outputToS8();
  // GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12.
  const graph = new Writer();
  for (const n of b.nodes) graph.message(1, n);
  graph.string(2, `${g.name}_int8_qdq`);
  for (const t of b.inits) graph.message(5, t);
  const cal = q.calibration;
  const acts = opts.activations === 'uint8' ? 'activations stored as uint8 (int8 codes + 128)' : 'int8 activations';
  graph.string(10, `${g.name}: full-int8 QDQ (int8 input and output, ${acts}, per-tensor scales, per-channel int8 weights, int32 bias), NCHW; calibrated ${cal.method} over ${cal.images} image(s); exported by anyml.`);
  graph.message(11, valueInfo(QDQ_INPUT, DT.INT8, [1, g.tensors[g.input].channels, h, w]));
  graph.message(12, valueInfo(QDQ_OUTPUT, DT.INT8, [1, g.tensors[g.output].channels, h, w]));
  const act = opts.activations === 'uint8' ? DT.UINT8 : DT.INT8;
  if (opts.allTensors)
    g.tensors.forEach((t, i) => {
      const d = (v: Dim) => (typeof v === 'number' ? v / t.stride : `${v}_${t.stride}`);
      if (i !== g.input && i !== g.output) graph.message(12, valueInfo(b.qName(i), act, [1, t.channels, d(h), d(w)]));
    });
  // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, model_version = 5, graph = 7, opset_import = 8.
  return new Writer().int(1, onnxIrVersion(opset)).string(2, 'anyml').string(3, '1').int(5, 1).message(7, graph).message(8, new Writer().string(1, '').int(2, opset)).finish();
}

// ---------------------------------------------------------------------------------------------------------------
// Reading back the node list of a model (an optimized model onnxruntime saved, say): protobuf wire format.

/** Field number → raw values of one message (varints as numbers, length-delimited as bytes; fixed skipped). */
function fields(b: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const out = new Map<number, (number | Uint8Array)[]>();
  let o = 0;
  const varint = (): number => {
    let v = 0;
    for (let mul = 1; ; mul *= 128) {
      const c = b[o++];
      v += (c & 0x7f) * mul;
      if (c < 0x80) return v;
    }
  };
  while (o < b.length) {
    const tag = varint();
    const wire = tag & 7;
    let v: number | Uint8Array;
    if (wire === 0) v = varint();
    else if (wire === 2) {
      const n = varint();
      v = b.subarray(o, (o += n));
    } else if (wire === 1 || wire === 5) {
      o += wire === 1 ? 8 : 4;
      continue;
    } else throw new InvalidInputError('onnxNodeCounts: protobuf', `wire type ${wire}`, 'an ONNX ModelProto');
    const f = Math.floor(tag / 8);
    if (!out.has(f)) out.set(f, []);
    out.get(f)!.push(v);
  }
  return out;
}

/** How many nodes of each `domain::op_type` (op_type alone in the default domain) a ModelProto's graph holds. */
export function onnxNodeCounts(model: Uint8Array): Map<string, number> {
  const dec = new TextDecoder();
  const graph = fields(fields(model).get(7)?.[0] as Uint8Array); // ModelProto.graph = 7
  const counts = new Map<string, number>();
  for (const n of graph.get(1) ?? []) {
    const f = fields(n as Uint8Array); // NodeProto: op_type = 4, domain = 7
    const op = dec.decode(f.get(4)![0] as Uint8Array);
    const domain = f.get(7) ? dec.decode(f.get(7)![0] as Uint8Array) : '';
    const key = domain && domain !== 'ai.onnx' ? `${domain}::${op}` : op;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
