// SPDX-License-Identifier: MIT
// A minimal, bounds-checked TFLite flatbuffer reader: the model, its operator codes, subgraphs, tensors, operators and
// buffer sizes as a plain description, read with the `flatbuffers` ByteBuffer and the field slots of TFLite's schema
// (tensorflow/compiler/mlir/lite/schema/schema.fbs, schema version 3; a table's field n has vtable offset 4 + 2n,
// a union field takes two slots: its type, then its value). The ByteBuffer does not check offsets, so every
// table, vector and string is checked against the file's length before it is read.
import { ByteBuffer } from 'flatbuffers';
import { InvalidInputError } from '../errors.js';

/** BuiltinOperator names by code, as the schema numbers them (0 … 161). */
export const BUILTIN_OPERATOR_NAMES: readonly string[] = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR ' +
  'FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION ' +
  'LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH ' +
  'CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER ' +
  'BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE ' +
  'BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ' +
  'ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE ' +
  'TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK ' +
  'LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL ' +
  'FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL ' +
  'REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND ' +
  'HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM ' +
  'BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS ' +
  'HASHTABLE HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ' +
  'ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU ' +
  'DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 ' +
  'UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT'
).split(' ');

/** BuiltinOperator codes of the ops the Edge TPU list names, and of other common ones. */
export const BuiltinOperator = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEPTH_TO_SPACE: 5, DEQUANTIZE: 6,
  FLOOR: 8, FULLY_CONNECTED: 9, L2_NORMALIZATION: 11, L2_POOL_2D: 12, LOGISTIC: 14, LSTM: 16, MAX_POOL_2D: 17,
  MUL: 18, RELU: 19, RELU_N1_TO_1: 20, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, SOFTMAX: 25, SPACE_TO_DEPTH: 26,
  TANH: 28, CUSTOM: 32, PAD: 34, GATHER: 36, BATCH_TO_SPACE_ND: 37, SPACE_TO_BATCH_ND: 38, TRANSPOSE: 39, MEAN: 40,
  SUB: 41, DIV: 42, SQUEEZE: 43, UNIDIRECTIONAL_SEQUENCE_LSTM: 44, STRIDED_SLICE: 45, EXP: 47, SPLIT: 49,
  LOG_SOFTMAX: 50, BIDIRECTIONAL_SEQUENCE_LSTM: 52, CAST: 53, PRELU: 54, MAXIMUM: 55, ARG_MAX: 56, MINIMUM: 57,
  PADV2: 60, SLICE: 65, TRANSPOSE_CONV: 67, TILE: 69, EXPAND_DIMS: 70, SUM: 74, SQRT: 75, RSQRT: 76, ARG_MIN: 79,
  REDUCE_MAX: 82, PACK: 83, UNPACK: 88, REDUCE_MIN: 89, RESIZE_NEAREST_NEIGHBOR: 97, LEAKY_RELU: 98,
  SQUARED_DIFFERENCE: 99, MIRROR_PAD: 100, ABS: 101, SPLIT_V: 102, GATHER_ND: 107, ELU: 111, QUANTIZE: 114,
  HARD_SWISH: 117, BATCH_MATMUL: 126, GELU: 150,
} as const;

/** TensorType names by value. */
export const TENSOR_TYPE_NAMES: readonly string[] = (
  'FLOAT32 FLOAT16 INT32 UINT8 INT64 STRING BOOL INT16 COMPLEX64 INT8 FLOAT64 COMPLEX128 UINT64 RESOURCE VARIANT ' +
  'UINT32 UINT16 INT4 BFLOAT16'
).split(' ');

/** BuiltinOptions union tags whose tables have a fused_activation_function, and that field's slot. */
const FUSED_ACTIVATION_SLOT: Readonly<Record<number, number>> = { 1: 3, 2: 4, 5: 5, 8: 0, 10: 1, 11: 0 };

export const builtinOperatorName = (code: number): string => BUILTIN_OPERATOR_NAMES[code] ?? `BUILTIN_${code}`;
export const tensorTypeName = (type: number): string => TENSOR_TYPE_NAMES[type] ?? `TYPE_${type}`;

export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  name: string;
  shape: number[];
  /** The shape with −1 for unknown sizes, when the file has one. */
  shapeSignature?: number[];
  /** A TensorType value (TENSOR_TYPE_NAMES). */
  type: number;
  /** Index into the model's buffers; 0 is the empty buffer (no data). */
  buffer: number;
  /** Present (true) only for variable tensors. */
  isVariable?: true;
  /** Present when the file gives scales or zero points. */
  quantization?: TfliteQuantization;
}

export interface TfliteOperator {
  opcodeIndex: number;
  /** Tensor indices; −1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** The BuiltinOptions union tag (0: none). */
  builtinOptionsType: number;
  /** The options' fused_activation_function (ActivationFunctionType), for options that have one and set it. */
  fusedActivation?: number;
}

export interface TfliteOperatorCode {
  /** The larger of deprecated_builtin_code and builtin_code, as TFLite's reader takes it. */
  builtinCode: number;
  customCode?: string;
  version: number;
}

export interface TfliteSubgraph {
  name: string;
  inputs: number[];
  outputs: number[];
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
}

export interface TfliteModel {
  version: number;
  description: string;
  operatorCodes: TfliteOperatorCode[];
  subgraphs: TfliteSubgraph[];
  buffers: { byteLength: number }[];
}

interface Vec {
  start: number;
  length: number;
}

/** Checked access to one flatbuffer: every read is inside the file or throws InvalidInputError. */
class Reader {
  readonly bb: ByteBuffer;
  readonly size: number;
  readonly name: string;
  constructor(bytes: Uint8Array, name: string) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
    this.name = name;
  }

  fail(what: string, got: string, expected: string): never {
    throw new InvalidInputError(`readTflite: ${this.name}: ${what}`, got, expected);
  }

  need(pos: number, len: number, what: string): void {
    if (!(pos >= 0 && len >= 0 && pos + len <= this.size))
      this.fail(what, `${len} bytes at offset ${pos}`, `data inside the ${this.size}-byte file`);
  }

  /** Follows the uoffset at `pos` to a table and checks its vtable. */
  table(pos: number, what: string): number {
    this.need(pos, 4, what);
    const t = pos + this.bb.readUint32(pos);
    this.need(t, 4, `${what} (table)`);
    const vt = t - this.bb.readInt32(t);
    this.need(vt, 4, `${what} (vtable)`);
    const vtLen = this.bb.readUint16(vt);
    const objLen = this.bb.readUint16(vt + 2);
    if (vtLen < 4 || vtLen % 2) this.fail(`${what} (vtable)`, `a vtable of ${vtLen} bytes`, 'an even length of at least 4');
    this.need(vt, vtLen, `${what} (vtable)`);
    this.need(t, objLen, `${what} (table of ${objLen} bytes)`);
    return t;
  }

  /** The absolute position of field `slot` of table `t`, or 0 when absent. */
  field(t: number, slot: number, width: number, what: string): number {
    const o = this.bb.__offset(t, 4 + 2 * slot);
    if (!o) return 0;
    this.need(t + o, width, what);
    return t + o;
  }

  int(t: number, slot: number, def: number, what: string, width: 1 | 4 = 4, signed = true): number {
    const p = this.field(t, slot, width, what);
    if (!p) return def;
    if (width === 1) return signed ? this.bb.readInt8(p) : this.bb.readUint8(p);
    return signed ? this.bb.readInt32(p) : this.bb.readUint32(p);
  }

  vector(t: number, slot: number, elem: number, what: string): Vec | null {
    const p = this.field(t, slot, 4, what);
    if (!p) return null;
    const v = p + this.bb.readUint32(p);
    this.need(v, 4, what);
    const length = this.bb.readUint32(v);
    this.need(v + 4, length * elem, `${what} (${length} elements)`);
    return { start: v + 4, length };
  }

  string(t: number, slot: number, what: string): string | undefined {
    const v = this.vector(t, slot, 1, what);
    if (!v) return undefined;
    return new TextDecoder().decode(this.bb.bytes().subarray(v.start, v.start + v.length));
  }

  numbers(t: number, slot: number, what: string, read: (p: number) => number, elem = 4): number[] | undefined {
    const v = this.vector(t, slot, elem, what);
    if (!v) return undefined;
    return Array.from({ length: v.length }, (_, i) => read(v.start + i * elem));
  }

  int32s(t: number, slot: number, what: string): number[] | undefined {
    return this.numbers(t, slot, what, (p) => this.bb.readInt32(p));
  }

  tables<T>(t: number, slot: number, what: string, read: (table: number, what: string) => T): T[] {
    const v = this.vector(t, slot, 4, what);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => read(this.table(v.start + 4 * i, `${what}[${i}]`), `${what}[${i}]`));
  }
}

function readQuantization(r: Reader, q: number, what: string): TfliteQuantization | undefined {
  const scale = r.numbers(q, 2, `${what}.scale`, (p) => r.bb.readFloat32(p)) ?? [];
  const zeroPoint = r.numbers(q, 3, `${what}.zero_point`, (p) => Number(r.bb.readInt64(p)), 8) ?? [];
  if (!scale.length && !zeroPoint.length) return undefined; // converters write empty tables for float tensors
  return { scale, zeroPoint, quantizedDimension: r.int(q, 6, 0, `${what}.quantized_dimension`) };
}

function readTensor(r: Reader, t: number, what: string): TfliteTensor {
  const out: TfliteTensor = {
    name: r.string(t, 3, `${what}.name`) ?? '',
    shape: r.int32s(t, 0, `${what}.shape`) ?? [],
    type: r.int(t, 1, 0, `${what}.type`, 1),
    buffer: r.int(t, 2, 0, `${what}.buffer`, 4, false),
  };
  const sig = r.int32s(t, 7, `${what}.shape_signature`);
  if (sig) out.shapeSignature = sig;
  if (r.int(t, 5, 0, `${what}.is_variable`, 1, false)) out.isVariable = true;
  const qPos = r.field(t, 4, 4, `${what}.quantization`);
  const quant = qPos ? readQuantization(r, r.table(qPos, `${what}.quantization`), `${what}.quantization`) : undefined;
  if (quant) out.quantization = quant;
  return out;
}

function readOperator(r: Reader, t: number, what: string): TfliteOperator {
  const op: TfliteOperator = {
    opcodeIndex: r.int(t, 0, 0, `${what}.opcode_index`, 4, false),
    inputs: r.int32s(t, 1, `${what}.inputs`) ?? [],
    outputs: r.int32s(t, 2, `${what}.outputs`) ?? [],
    builtinOptionsType: r.int(t, 3, 0, `${what}.builtin_options_type`, 1, false),
  };
  const slot = FUSED_ACTIVATION_SLOT[op.builtinOptionsType];
  const optPos = slot === undefined ? 0 : r.field(t, 4, 4, `${what}.builtin_options`);
  if (optPos) {
    const act = r.int(r.table(optPos, `${what}.builtin_options`), slot, 0, `${what}.builtin_options.fused_activation_function`, 1);
    if (act) op.fusedActivation = act;
  }
  return op;
}

function readSubgraph(r: Reader, t: number, what: string): TfliteSubgraph {
  return {
    name: r.string(t, 4, `${what}.name`) ?? '',
    inputs: r.int32s(t, 1, `${what}.inputs`) ?? [],
    outputs: r.int32s(t, 2, `${what}.outputs`) ?? [],
    tensors: r.tables(t, 0, `${what}.tensors`, (x, w) => readTensor(r, x, w)),
    operators: r.tables(t, 3, `${what}.operators`, (x, w) => readOperator(r, x, w)),
  };
}

function readOperatorCode(r: Reader, t: number, what: string): TfliteOperatorCode {
  const deprecated = r.int(t, 0, 0, `${what}.deprecated_builtin_code`, 1);
  const code: TfliteOperatorCode = {
    builtinCode: Math.max(deprecated, r.int(t, 3, 0, `${what}.builtin_code`)),
    version: r.int(t, 2, 1, `${what}.version`),
  };
  const custom = r.string(t, 1, `${what}.custom_code`);
  if (custom !== undefined) code.customCode = custom;
  return code;
}

function readBuffer(r: Reader, t: number, what: string): { byteLength: number } {
  const data = r.vector(t, 0, 1, `${what}.data`);
  if (data) return { byteLength: data.length };
  // Models over 2 GB keep the data outside the flatbuffer: offset (slot 1, > 1 when used) and size (slot 2).
  const off = r.field(t, 1, 8, `${what}.offset`);
  const size = r.field(t, 2, 8, `${what}.size`);
  const used = off && r.bb.readUint64(off) > 1n;
  return { byteLength: used && size ? Number(r.bb.readUint64(size)) : 0 };
}

function identifier(bytes: Uint8Array): string {
  const id = Array.from(bytes.subarray(4, 8));
  return id.every((c) => c >= 0x20 && c < 0x7f) ? `"${String.fromCharCode(...id)}"` : `bytes ${id.map((c) => c.toString(16).padStart(2, '0')).join(' ')}`;
}

/**
 * Reads a .tflite file (schema 3, file identifier "TFL3") into a plain description. `name` names the input in
 * errors (a file name, say). Truncated or corrupt bytes throw InvalidInputError naming the field that points outside
 * the file.
 */
export function readTflite(bytes: Uint8Array, name = 'tfliteBytes'): TfliteModel {
  if (!(bytes instanceof Uint8Array)) throw new InvalidInputError(`readTflite: ${name}`, typeof bytes, 'a Uint8Array');
  if (bytes.length < 8) throw new InvalidInputError(`readTflite: ${name}`, `${bytes.length} bytes`, 'a TFLite flatbuffer (at least 8 bytes)');
  if (identifier(bytes) !== '"TFL3"')
    throw new InvalidInputError(`readTflite: ${name}`, `file identifier ${identifier(bytes)}`, 'the TFLite file identifier "TFL3" at bytes 4–7');
  const r = new Reader(bytes, name);
  const m = r.table(0, 'model');
  return {
    version: r.int(m, 0, 0, 'model.version', 4, false),
    description: r.string(m, 3, 'model.description') ?? '',
    operatorCodes: r.tables(m, 1, 'operator_codes', (t, w) => readOperatorCode(r, t, w)),
    subgraphs: r.tables(m, 2, 'subgraphs', (t, w) => readSubgraph(r, t, w)),
    buffers: r.tables(m, 4, 'buffers', (t, w) => readBuffer(r, t, w)),
  };
}
