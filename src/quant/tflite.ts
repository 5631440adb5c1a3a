// SPDX-License-Identifier: MIT
// A minimal TFLite flatbuffer writer for quant/graph.ts graphs, float32 or full int8, with the `flatbuffers`
// builder and the field slots of TFLite's schema (tensorflow/compiler/mlir/lite/schema/schema.fbs, schema version 3):
// tables are written slot by slot, so every constant below names the schema field it stands for.
import { Builder } from 'flatbuffers';
import { InvalidInputError } from '../errors.js';
import { type Graph, type GraphOp, opInputs, sizeMultiple } from './graph.js';
import type { QuantizedGraph } from './quantize.js';

/** BuiltinOperator values. */
export const OP = { ADD: 0, CONCATENATION: 2, CONV_2D: 3, MAX_POOL_2D: 17, RESIZE_BILINEAR: 23 } as const;
/** TensorType values. */
export const TENSOR_TYPE = { FLOAT32: 0, INT32: 2, INT8: 9 } as const;
/** BuiltinOptions union tags. */
const OPTIONS = { Conv2DOptions: 1, Pool2DOptions: 5, ConcatenationOptions: 10, AddOptions: 11, ResizeBilinearOptions: 15 } as const;
const PADDING_SAME = 0;
const PADDING_VALID = 1;
const ACT_NONE = 0;
const ACT_RELU = 1;

export interface TfliteWriteOptions {
  /** The fixed input height and width (multiples of the graph's largest stride). */
  height: number;
  width: number;
  /** Write the int8 model of this quantized graph (of the same `graph`) instead of the float one. */
  quantized?: QuantizedGraph;
  description?: string;
}

/** A byte vector aligned to `align` (Buffer.data is `force_align: 16`). */
function alignedBytes(b: Builder, bytes: Uint8Array, align = 16): number {
  b.startVector(1, bytes.length, align);
  const inner = b as unknown as { space: number; bb: { setPosition(p: number): void; bytes(): Uint8Array } };
  inner.space -= bytes.length;
  inner.bb.setPosition(inner.space);
  inner.bb.bytes().set(bytes, inner.space);
  return b.endVector();
}

function int32Vector(b: Builder, v: ArrayLike<number>): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]);
  return b.endVector();
}

function floatVector(b: Builder, v: ArrayLike<number>): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addFloat32(v[i]);
  return b.endVector();
}

function int64Vector(b: Builder, v: ArrayLike<number>): number {
  b.startVector(8, v.length, 8);
  for (let i = v.length - 1; i >= 0; i--) b.addInt64(BigInt(v[i]));
  return b.endVector();
}

function offsetVector(b: Builder, v: readonly number[]): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]);
  return b.endVector();
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

interface TensorDesc {
  name: string;
  shape: number[];
  type: number;
  /** Index into the model's buffers (0 = the empty buffer: no data). */
  buffer: number;
  /** Per-tensor or per-axis (dimension 0) scales and zero points. */
  quant?: { scale: ArrayLike<number>; zeroPoint: ArrayLike<number>; axis?: number };
}

interface OpDesc {
  code: number;
  version: number;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  /** Writes the options table, returns its offset. */
  options: (b: Builder) => number;
}

/** The model being assembled: tensors, buffers and operators in the schema's terms. */
class Model {
  readonly tensors: TensorDesc[] = [];
  readonly buffers: Uint8Array[] = [new Uint8Array(0)];
  readonly ops: OpDesc[] = [];

  buffer(data: ArrayBufferView): number {
    this.buffers.push(bytesOf(data));
    return this.buffers.length - 1;
  }

  tensor(t: TensorDesc): number {
    this.tensors.push(t);
    return this.tensors.length - 1;
  }
}

function writeQuant(b: Builder, q: NonNullable<TensorDesc['quant']>): number {
  const scale = floatVector(b, q.scale);
  const zp = int64Vector(b, q.zeroPoint);
  b.startObject(7);
  b.addFieldOffset(2, scale, 0); // scale
  b.addFieldOffset(3, zp, 0); // zero_point
  b.addFieldInt32(6, q.axis ?? 0, 0); // quantized_dimension
  return b.endObject();
}

function writeTensor(b: Builder, t: TensorDesc): number {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quant ? writeQuant(b, t.quant) : 0;
  b.startObject(9);
  b.addFieldOffset(0, shape, 0); // shape
  b.addFieldInt8(1, t.type, 0); // type
  b.addFieldInt32(2, t.buffer, 0); // buffer
  b.addFieldOffset(3, name, 0); // name
  if (quant) b.addFieldOffset(4, quant, 0); // quantization
  return b.endObject();
}

function writeOperator(b: Builder, op: OpDesc, opcodeIndex: number): number {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const options = op.options(b);
  b.startObject(6);
  b.addFieldInt32(0, opcodeIndex, 0); // opcode_index
  b.addFieldOffset(1, inputs, 0); // inputs
  b.addFieldOffset(2, outputs, 0); // outputs
  b.addFieldInt8(3, op.optionsType, 0); // builtin_options_type
  b.addFieldOffset(4, options, 0); // builtin_options
  return b.endObject();
}

function writeOperatorCode(b: Builder, code: number, version: number): number {
  b.startObject(4);
  b.addFieldInt8(0, Math.min(code, 127), 0); // deprecated_builtin_code (readers take the larger of the two)
  b.addFieldInt32(2, version, 1); // version
  b.addFieldInt32(3, code, 0); // builtin_code
  return b.endObject();
}

function writeBuffer(b: Builder, data: Uint8Array): number {
  const vec = data.length ? alignedBytes(b, data) : 0;
  b.startObject(3);
  if (vec) b.addFieldOffset(0, vec, 0); // data
  return b.endObject();
}

/** Serialises `m` as a schema-3 model with one subgraph and the file identifier "TFL3". */
function finish(m: Model, input: number, output: number, name: string, description: string): Uint8Array {
  const b = new Builder(1 << 16);
  const codes: { code: number; version: number }[] = [];
  const codeIndex = (op: OpDesc) => {
    let i = codes.findIndex((c) => c.code === op.code);
    if (i < 0) codes.push({ code: op.code, version: op.version }), (i = codes.length - 1);
    codes[i].version = Math.max(codes[i].version, op.version);
    return i;
  };
  const opIdx = m.ops.map(codeIndex);
  const buffers = offsetVector(b, m.buffers.map((d) => writeBuffer(b, d)));
  const tensors = offsetVector(b, m.tensors.map((t) => writeTensor(b, t)));
  const operators = offsetVector(b, m.ops.map((op, i) => writeOperator(b, op, opIdx[i])));
  const inputs = int32Vector(b, [input]);
  const outputs = int32Vector(b, [output]);
  const sgName = b.createString(name);
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operators, 0);
  b.addFieldOffset(4, sgName, 0);
  const subgraph = b.endObject();
  const subgraphs = offsetVector(b, [subgraph]);
  const opcodes = offsetVector(b, codes.map((c) => writeOperatorCode(b, c.code, c.version)));
  const desc = b.createString(description);
  b.startObject(5);
  b.addFieldInt32(0, 3, 0); // version
  b.addFieldOffset(1, opcodes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, desc, 0);
  b.addFieldOffset(4, buffers, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}

function convOptions(relu: boolean) {
  return (b: Builder) => {
    b.startObject(6);
    b.addFieldInt8(0, PADDING_SAME, 0);
    b.addFieldInt32(1, 1, 0); // stride_w
    b.addFieldInt32(2, 1, 0); // stride_h
    b.addFieldInt8(3, relu ? ACT_RELU : ACT_NONE, 0);
    b.addFieldInt32(4, 1, 1); // dilation_w_factor
    b.addFieldInt32(5, 1, 1); // dilation_h_factor
    return b.endObject();
  };
}

function poolOptions(b: Builder): number {
  b.startObject(6);
  b.addFieldInt8(0, PADDING_VALID, 0);
  b.addFieldInt32(1, 2, 0); // stride_w
  b.addFieldInt32(2, 2, 0); // stride_h
  b.addFieldInt32(3, 2, 0); // filter_width
  b.addFieldInt32(4, 2, 0); // filter_height
  return b.endObject();
}

function resizeOptions(b: Builder): number {
  b.startObject(4);
  b.addFieldInt8(2, 0, 0); // align_corners: false
  b.addFieldInt8(3, 1, 0); // half_pixel_centers: true
  return b.endObject();
}

function concatOptions(b: Builder): number {
  b.startObject(2);
  b.addFieldInt32(0, 3, 0); // axis: channels of NHWC
  return b.endObject();
}

function addOptions(relu: boolean) {
  return (b: Builder) => {
    b.startObject(2);
    b.addFieldInt8(0, relu ? ACT_RELU : ACT_NONE, 0);
    return b.endObject();
  };
}

/** The conv's weight and bias tensors: float HWIO → OHWI, or the quantized OHWI int8 and int32 bias. */
function convConstants(m: Model, g: Graph, op: GraphOp & { kind: 'conv' }, i: number, q?: QuantizedGraph): [number, number] {
  const cin = g.tensors[op.input].channels;
  const cout = g.tensors[op.output].channels;
  const shape = [cout, op.k, op.k, cin];
  if (q) {
    const c = q.convs[i]!;
    const inScale = Math.fround(q.params[op.input].scale);
    const biasScale = Array.from(c.scales, (s) => Math.fround(inScale * s));
    const zeros = new Array<number>(cout).fill(0);
    const w = m.tensor({ name: `${op.name}/kernel`, shape, type: TENSOR_TYPE.INT8, buffer: m.buffer(c.weights), quant: { scale: c.scales, zeroPoint: zeros, axis: 0 } });
    const bias = m.tensor({ name: `${op.name}/bias`, shape: [cout], type: TENSOR_TYPE.INT32, buffer: m.buffer(c.bias), quant: { scale: biasScale, zeroPoint: zeros, axis: 0 } });
    return [w, bias];
  }
  const kk = op.k * op.k * cin;
  const ohwi = new Float32Array(cout * kk);
  for (let o = 0; o < cout; o++) for (let j = 0; j < kk; j++) ohwi[o * kk + j] = op.kernel[j * cout + o];
  const w = m.tensor({ name: `${op.name}/kernel`, shape, type: TENSOR_TYPE.FLOAT32, buffer: m.buffer(ohwi) });
  const bias = m.tensor({ name: `${op.name}/bias`, shape: [cout], type: TENSOR_TYPE.FLOAT32, buffer: m.buffer(new Float32Array(op.bias)) });
  return [w, bias];
}

/** One operator of the graph in the model's terms; `t` maps graph tensor indices to model tensor indices. */
function addOp(m: Model, g: Graph, op: GraphOp, i: number, t: number[], size: (j: number) => [number, number], q?: QuantizedGraph): void {
  const int8 = q !== undefined;
  const ins = opInputs(op).map((j) => t[j]);
  const outputs = [t[op.output]];
  if (op.kind === 'conv') {
    const [w, bias] = convConstants(m, g, op, i, q);
    m.ops.push({ code: OP.CONV_2D, version: int8 ? 3 : 1, inputs: [ins[0], w, bias], outputs, optionsType: OPTIONS.Conv2DOptions, options: convOptions(op.relu) });
  } else if (op.kind === 'maxpool') {
    m.ops.push({ code: OP.MAX_POOL_2D, version: int8 ? 2 : 1, inputs: ins, outputs, optionsType: OPTIONS.Pool2DOptions, options: poolOptions });
  } else if (op.kind === 'upsample') {
    const [h, w] = size(op.output);
    const sz = m.tensor({ name: `${g.tensors[op.output].name}/size`, shape: [2], type: TENSOR_TYPE.INT32, buffer: m.buffer(new Int32Array([h, w])) });
    m.ops.push({ code: OP.RESIZE_BILINEAR, version: 3, inputs: [ins[0], sz], outputs, optionsType: OPTIONS.ResizeBilinearOptions, options: resizeOptions });
  } else if (op.kind === 'concat') {
    m.ops.push({ code: OP.CONCATENATION, version: int8 ? 2 : 1, inputs: ins, outputs, optionsType: OPTIONS.ConcatenationOptions, options: concatOptions });
  } else {
    m.ops.push({ code: OP.ADD, version: int8 ? 2 : 1, inputs: ins, outputs, optionsType: OPTIONS.AddOptions, options: addOptions(op.relu) });
  }
}

/** `g` (or its int8 form) as a .tflite file with the fixed input shape [1, height, width, channels]. */
export function writeTflite(g: Graph, opts: TfliteWriteOptions): Uint8Array {
  const { height, width, quantized: q } = opts;
  const mult = sizeMultiple(g);
  for (const [k, v] of [['height', height], ['width', width]] as const)
    if (!Number.isInteger(v) || v <= 0 || v % mult) throw new InvalidInputError(`writeTflite: options.${k}`, String(v), `a positive multiple of ${mult} (the graph's largest stride)`);
  if (q && q.graph !== g) throw new InvalidInputError('writeTflite: options.quantized', `the quantized form of '${q.graph.name}'`, `that of '${g.name}'`);
  const m = new Model();
  const size = (j: number): [number, number] => [height / g.tensors[j].stride, width / g.tensors[j].stride];
  const t = g.tensors.map((x, j) =>
    m.tensor({
      name: x.name,
      shape: [1, ...size(j), x.channels],
      type: q ? TENSOR_TYPE.INT8 : TENSOR_TYPE.FLOAT32,
      buffer: 0,
      ...(q ? { quant: { scale: [q.params[j].scale], zeroPoint: [q.params[j].zeroPoint] } } : {}),
    }),
  );
  g.ops.forEach((op, i) => addOp(m, g, op, i, t, size, q));
  return finish(m, t[g.input], t[g.output], g.name, opts.description ?? `anyml ${g.name} ${q ? 'int8' : 'float32'} ${height}x${width}`);
}
