// SPDX-License-Identifier: MIT
// Which parts of a .tflite model would keep the Coral Edge TPU compiler from mapping all of it, with one issue per
// reason. The rules are the model requirements and the supported-operations table of Coral's "TensorFlow models on
// the Edge TPU" (https://coral.ai/docs/edgetpu/models-intro/, "Model requirements", "Supported operations" and
// "Compiling"), plus one size heuristic from "Edge TPU Compiler" (https://coral.ai/docs/edgetpu/compiler/,
// "Parameter data caching"); docs/edgetpu.md explains each rule.
import { InvalidInputError } from '../errors.js';
import { BuiltinOperator as B, builtinOperatorName, readTflite, type TfliteModel, type TfliteSubgraph, tensorTypeName } from './tflite_read.js';

export type EdgeTpuIssueKind = 'type' | 'dynamic-shape' | 'rank' | 'op' | 'size' | 'quantization' | 'structure';

export interface EdgeTpuIssue {
  kind: EdgeTpuIssueKind;
  /** The tensor at fault (index into the main subgraph's tensors). */
  tensor?: { index: number; name: string };
  /** The operator at fault (index into the main subgraph's operators; name: its BuiltinOperator or custom code). */
  op?: { index: number; name: string };
  message: string;
}

export interface EdgeTpuReport {
  /** True when no issue was found: every op should map to the Edge TPU. */
  ok: boolean;
  issues: EdgeTpuIssue[];
}

export interface EdgeTpuCheckOptions {
  /** The largest activation (non-constant) tensor, in bytes; DEFAULT_MAX_ACTIVATION_BYTES when omitted. */
  maxActivationBytes?: number;
  /** Names the bytes in read errors (a file name, say). */
  name?: string;
}

/**
 * 8 MiB. Coral's compiler page says the Edge TPU has roughly 8 MB of SRAM, which caches the model's parameter data
 * after a small part is kept for the model's executable; parameters that do not fit are streamed from host memory
 * ("off-chip memory"), slower but still mapped. Coral documents no such path for activations, which use the same
 * on-chip memory, so one activation larger than all of it cannot run on the chip. The bound is generous (parameters
 * and the executable share that memory) and large activations may fail below it: lower the option for a stricter
 * check.
 */
export const DEFAULT_MAX_ACTIVATION_BYTES = 8 * 1024 * 1024;

/** One row of Coral's supported-operations table: the TFLite op, Coral's name for it, and its documented limits. */
export interface EdgeTpuOp {
  code: number;
  coral: string;
  limits?: string;
}

const NO_FUSED = 'no fused activation function';

/** Coral's supported-operations table (coral.ai/docs/edgetpu/models-intro/#supported-operations), limits paraphrased. */
export const EDGE_TPU_OPS: readonly EdgeTpuOp[] = [
  { code: B.ADD, coral: 'Add' },
  { code: B.AVERAGE_POOL_2D, coral: 'AveragePool2d', limits: NO_FUSED },
  { code: B.CONCATENATION, coral: 'Concatenation', limits: `${NO_FUSED}; a constant input only as one of exactly 2 inputs, all zeros (zero padding)` },
  { code: B.CONV_2D, coral: 'Conv2d', limits: 'the same dilation in x and y' },
  { code: B.DEPTHWISE_CONV_2D, coral: 'DepthwiseConv2d', limits: 'the same dilation in x and y' },
  { code: B.EXPAND_DIMS, coral: 'ExpandDims' },
  { code: B.FULLY_CONNECTED, coral: 'FullyConnected', limits: 'default weights format only; one-dimensional output' },
  { code: B.L2_NORMALIZATION, coral: 'L2Normalization' },
  { code: B.LOGISTIC, coral: 'Logistic' },
  { code: B.LSTM, coral: 'LSTM', limits: 'unidirectional only' },
  { code: B.UNIDIRECTIONAL_SEQUENCE_LSTM, coral: 'LSTM', limits: 'unidirectional only' },
  { code: B.MAXIMUM, coral: 'Maximum' },
  { code: B.MAX_POOL_2D, coral: 'MaxPool2d', limits: NO_FUSED },
  { code: B.MEAN, coral: 'Mean', limits: 'no reduction over the batch dimension' },
  { code: B.MINIMUM, coral: 'Minimum' },
  { code: B.MUL, coral: 'Mul' },
  { code: B.PACK, coral: 'Pack', limits: 'no packing along the batch dimension' },
  { code: B.PAD, coral: 'Pad', limits: 'no padding of the batch dimension' },
  { code: B.PRELU, coral: 'PReLU', limits: 'constant, one-dimensional alpha' },
  { code: B.QUANTIZE, coral: 'Quantize', limits: 'between 8-bit types; float → int8 runs on the CPU' },
  { code: B.REDUCE_MAX, coral: 'ReduceMax', limits: 'not over the batch dimension' },
  { code: B.REDUCE_MIN, coral: 'ReduceMin', limits: 'not over the batch dimension' },
  { code: B.RELU, coral: 'ReLU' },
  { code: B.RELU6, coral: 'ReLU6' },
  { code: B.RELU_N1_TO_1, coral: 'ReLUN1To1' },
  { code: B.RESHAPE, coral: 'Reshape', limits: 'some reshapes of large tensors may not map' },
  { code: B.RESIZE_BILINEAR, coral: 'ResizeBilinear', limits: '3-dimensional input/output; may stay on the CPU for some sizes (precision)' },
  { code: B.RESIZE_NEAREST_NEIGHBOR, coral: 'ResizeNearestNeighbor', limits: '3-dimensional input/output; may stay on the CPU for some sizes' },
  { code: B.RSQRT, coral: 'Rsqrt' },
  { code: B.SLICE, coral: 'Slice' },
  { code: B.SOFTMAX, coral: 'Softmax', limits: 'one-dimensional input of at most 16,000 elements' },
  { code: B.SPACE_TO_DEPTH, coral: 'SpaceToDepth' },
  { code: B.SPLIT, coral: 'Split' },
  { code: B.SQUEEZE, coral: 'Squeeze', limits: 'only squeezing leading 1s (no relayout)' },
  { code: B.STRIDED_SLICE, coral: 'StridedSlice', limits: 'all strides 1, no ellipsis or new-axis masks' },
  { code: B.SUB, coral: 'Sub' },
  { code: B.SUM, coral: 'Sum', limits: 'not over the batch dimension' },
  { code: B.SQUARED_DIFFERENCE, coral: 'SquaredDifference' },
  { code: B.TANH, coral: 'Tanh' },
  { code: B.TRANSPOSE, coral: 'Transpose' },
  { code: B.TRANSPOSE_CONV, coral: 'TransposeConv' },
];

const SUPPORTED = new Map(EDGE_TPU_OPS.map((o) => [o.code, o]));

const T = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT8: 9, FLOAT64: 10, BFLOAT16: 18 } as const;
const FLOAT_TYPES = new Set<number>([T.FLOAT32, T.FLOAT16, T.FLOAT64, T.BFLOAT16]);
/** Bytes per element by TensorType (0: not a fixed-size type). */
const ELEMENT_BYTES = [4, 2, 4, 1, 8, 0, 1, 2, 8, 1, 8, 16, 8, 0, 0, 4, 2, 0.5, 2];

/** Inputs that must be constant (weights, bias, PReLU alpha) and, of those, the int32 bias positions. */
const PARAMETERS: Readonly<Record<number, number[]>> = {
  [B.CONV_2D]: [1, 2],
  [B.DEPTHWISE_CONV_2D]: [1, 2],
  [B.FULLY_CONNECTED]: [1, 2],
  [B.TRANSPOSE_CONV]: [1, 3],
  [B.PRELU]: [1],
};
const BIAS: Readonly<Record<number, number>> = { [B.CONV_2D]: 2, [B.DEPTHWISE_CONV_2D]: 2, [B.FULLY_CONNECTED]: 2, [B.TRANSPOSE_CONV]: 3 };
/** Int32 operands that describe an op rather than carry data (sizes, shapes, axes, paddings, slice bounds, perm). */
const INT32_OPERANDS: Readonly<Record<number, number[]>> = {
  [B.TRANSPOSE_CONV]: [0],
  [B.RESIZE_BILINEAR]: [1],
  [B.RESIZE_NEAREST_NEIGHBOR]: [1],
  [B.RESHAPE]: [1],
  [B.PAD]: [1],
  [B.MEAN]: [1],
  [B.SUM]: [1],
  [B.REDUCE_MAX]: [1],
  [B.REDUCE_MIN]: [1],
  [B.SLICE]: [1, 2],
  [B.STRIDED_SLICE]: [1, 2, 3],
  [B.TRANSPOSE]: [1],
  [B.EXPAND_DIMS]: [1],
  [B.SPLIT]: [0],
};

/** What the checks share: the model, its main subgraph and the issues found so far. */
interface Ctx {
  m: TfliteModel;
  sg: TfliteSubgraph;
  issues: EdgeTpuIssue[];
  maxActivationBytes: number;
  /** Tensors allowed to be int32 (constant biases and op-describing operands). */
  int32Ok: Set<number>;
}

const validTensor = (c: Ctx, i: number) => Number.isInteger(i) && i >= 0 && i < c.sg.tensors.length;
const tensorRef = (c: Ctx, i: number) => ({ index: i, name: c.sg.tensors[i].name });
const tensorLabel = (c: Ctx, i: number) => `tensor ${i} '${c.sg.tensors[i].name}'`;
const typeName = (type: number) => tensorTypeName(type).toLowerCase();
const isConstant = (c: Ctx, i: number) => {
  const t = c.sg.tensors[i];
  return t.buffer > 0 && (c.m.buffers[t.buffer]?.byteLength ?? 0) > 0;
};

function opCode(c: Ctx, j: number): { code: number; name: string; custom?: string } | undefined {
  const oc = c.m.operatorCodes[c.sg.operators[j].opcodeIndex];
  if (!oc) return undefined;
  if (oc.customCode !== undefined || oc.builtinCode === B.CUSTOM) return { code: B.CUSTOM, name: oc.customCode ?? 'CUSTOM', custom: oc.customCode ?? '' };
  return { code: oc.builtinCode, name: builtinOperatorName(oc.builtinCode) };
}

const opRef = (c: Ctx, j: number) => ({ index: j, name: opCode(c, j)?.name ?? '?' });
function opLabel(c: Ctx, j: number): string {
  const out = c.sg.operators[j].outputs.find((i) => validTensor(c, i));
  return `op ${j} ${opRef(c, j).name}${out === undefined ? '' : ` (output '${c.sg.tensors[out].name}')`}`;
}

function structure(c: Ctx, message: string, extra: Partial<EdgeTpuIssue> = {}): void {
  c.issues.push({ kind: 'structure', ...extra, message });
}

/** Subgraph count, dangling tensor / buffer / operator-code references. */
function checkStructure(c: Ctx): void {
  const { m, sg } = c;
  if (m.subgraphs.length > 1)
    structure(c, `the model has ${m.subgraphs.length} subgraphs: the Edge TPU compiler maps only one subgraph (others need the experimental --enable_multiple_subgraphs), expected 1`);
  if (!sg.operators.length) structure(c, 'the main subgraph has no operators: there is nothing to map, expected at least one op');
  const io = [...sg.inputs.map((i) => ['input', i] as const), ...sg.outputs.map((i) => ['output', i] as const)];
  for (const [what, i] of io) if (!validTensor(c, i)) structure(c, `model ${what} refers to tensor ${i}, expected an index below ${sg.tensors.length}`);
  sg.tensors.forEach((t, i) => {
    if (!(t.buffer >= 0 && t.buffer < Math.max(m.buffers.length, 1)))
      structure(c, `${tensorLabel(c, i)} refers to buffer ${t.buffer}, expected an index below ${m.buffers.length}`, { tensor: tensorRef(c, i) });
  });
  sg.operators.forEach((op, j) => {
    if (!m.operatorCodes[op.opcodeIndex])
      structure(c, `op ${j} refers to operator code ${op.opcodeIndex}, expected an index below ${m.operatorCodes.length}`, { op: { index: j, name: '?' } });
    const bad = [...op.inputs.filter((i) => i !== -1), ...op.outputs].filter((i) => !validTensor(c, i));
    if (bad.length) structure(c, `op ${j} refers to tensors ${bad.join(', ')}, expected indices below ${sg.tensors.length}`, { op: { index: j, name: '?' } });
  });
}

/** The tensors allowed to be int32: constant biases and the constant op-describing operands. */
function int32Operands(c: Ctx): Set<number> {
  const ok = new Set<number>();
  c.sg.operators.forEach((op, j) => {
    const code = opCode(c, j)?.code ?? -1;
    const positions = [...(INT32_OPERANDS[code] ?? []), ...(BIAS[code] === undefined ? [] : [BIAS[code]])];
    for (const p of positions) {
      const i = op.inputs[p];
      if (i !== undefined && validTensor(c, i) && isConstant(c, i)) ok.add(i);
    }
  });
  return ok;
}

/** The model's inputs and outputs must be 8-bit: a float one puts a QUANTIZE / DEQUANTIZE op on the CPU. */
function ioTypeMessage(c: Ctx, i: number): string | undefined {
  const t = c.sg.tensors[i];
  if (!FLOAT_TYPES.has(t.type)) return undefined;
  const type = typeName(t.type);
  if (c.sg.inputs.includes(i))
    return `model input ${tensorLabel(c, i)} is ${type}: the model is not int8 end to end, so the QUANTIZE op that turns it into int8 runs on the CPU, expected an int8 or uint8 input`;
  if (c.sg.outputs.includes(i))
    return `model output ${tensorLabel(c, i)} is ${type}: the model is not int8 end to end, so the DEQUANTIZE op that produces it runs on the CPU, expected an int8 or uint8 output`;
  return undefined;
}

function checkType(c: Ctx, i: number): void {
  const t = c.sg.tensors[i];
  if (t.type === T.INT8 || t.type === T.UINT8 || (t.type === T.INT32 && c.int32Ok.has(i))) return;
  const constant = isConstant(c, i);
  const type = typeName(t.type);
  let message = ioTypeMessage(c, i);
  if (message === undefined && t.type === T.INT32)
    message = constant
      ? `constant ${tensorLabel(c, i)} is int32 but is not a bias or a shape/axis operand, expected int8 or uint8 (int32 is only for bias constants)`
      : `activation ${tensorLabel(c, i)} is int32, expected int8 or uint8 (int32 is only for bias constants)`;
  message ??= constant
    ? `constant ${tensorLabel(c, i)} (a weight or other parameter) is ${type}, expected int8 or uint8: the Edge TPU needs parameters quantized to 8 bits`
    : `activation ${tensorLabel(c, i)} is ${type}, expected int8 or uint8: the Edge TPU runs only 8-bit quantized tensors`;
  c.issues.push({ kind: 'type', tensor: tensorRef(c, i), message });
}

function checkShape(c: Ctx, i: number): void {
  const t = c.sg.tensors[i];
  const shape = `[${t.shape.join(', ')}]`;
  const push = (kind: EdgeTpuIssueKind, message: string) => c.issues.push({ kind, tensor: tensorRef(c, i), message });
  if (t.shape.some((d) => !(d > 0)))
    push('dynamic-shape', `${tensorLabel(c, i)} has shape ${shape} with a size ≤ 0, expected every size positive and fixed at compile time`);
  if (t.shapeSignature?.some((d) => d < 0))
    push('dynamic-shape', `${tensorLabel(c, i)} has shape signature [${t.shapeSignature.join(', ')}] (−1: a size unknown until run time), expected sizes constant at compile time (set a fixed input shape before converting)`);
  // The rank rule is about the data the ops move: 4-D convolution filters (OHWI) map, as every Coral model shows.
  const activation = !isConstant(c, i);
  if (activation && t.shape.length > 3 && t.shape.slice(0, -3).some((d) => d > 1))
    push('rank', `activation ${tensorLabel(c, i)} has shape ${shape}: more than 3 dimensions with an outer size > 1, expected at most 3 dimensions or only the 3 innermost > 1`);
  const bytes = t.shape.reduce((n, d) => n * d, 1) * (ELEMENT_BYTES[t.type] ?? 0);
  if (activation && t.shape.every((d) => d > 0) && bytes > c.maxActivationBytes)
    push('size', `activation ${tensorLabel(c, i)} of shape ${shape} (${typeName(t.type)}) takes ${mib(bytes)}, expected at most ${mib(c.maxActivationBytes)} (maxActivationBytes; the Edge TPU has about 8 MB of on-chip memory)`);
  if (t.isVariable) push('structure', `${tensorLabel(c, i)} is a variable tensor, expected constants and activations only (parameters constant at compile time)`);
}

const mib = (n: number) => `${n} bytes (${(n / 2 ** 20).toFixed(2)} MiB)`;

/** 8-bit tensors need scales and zero points in range; per-axis parameters only on constants. */
function checkQuantization(c: Ctx, i: number): void {
  const t = c.sg.tensors[i];
  if (t.type !== T.INT8 && t.type !== T.UINT8 && t.type !== T.INT32) return;
  const q = t.quantization;
  const push = (message: string) => c.issues.push({ kind: 'quantization', tensor: tensorRef(c, i), message });
  const type = typeName(t.type);
  if (!q || !q.scale.length) {
    if (t.type !== T.INT32) push(`${type} ${tensorLabel(c, i)} has no quantization parameters, expected a scale and zero point (a fully quantized model)`);
    return;
  }
  const perAxis = q.scale.length > 1;
  const axisSize = t.shape[q.quantizedDimension];
  if (perAxis && q.scale.length !== axisSize)
    push(`${tensorLabel(c, i)} has ${q.scale.length} scales along dimension ${q.quantizedDimension} of size ${axisSize}, expected 1 or ${axisSize}`);
  if (perAxis && !isConstant(c, i)) push(`activation ${tensorLabel(c, i)} has ${q.scale.length} per-axis scales, expected one scale (per-axis quantization is for constant weights)`);
  const badScale = q.scale.find((s) => !(s > 0 && Number.isFinite(s)));
  if (badScale !== undefined) push(`${tensorLabel(c, i)} has scale ${badScale}, expected positive finite scales`);
  if (q.zeroPoint.length !== q.scale.length) push(`${tensorLabel(c, i)} has ${q.zeroPoint.length} zero points for ${q.scale.length} scales, expected as many`);
  const [lo, hi] = t.type === T.INT8 ? [-128, 127] : t.type === T.UINT8 ? [0, 255] : [0, 0];
  const badZp = q.zeroPoint.find((z) => !(z >= lo && z <= hi));
  if (badZp !== undefined) push(`${type} ${tensorLabel(c, i)} has zero point ${badZp}, expected ${lo === hi ? lo : `${lo}…${hi}`}`);
}

/** Ops on float data run on the CPU, QUANTIZE from float included. */
function floatUsage(c: Ctx, j: number, name: string): string | undefined {
  const op = c.sg.operators[j];
  const floats = [...op.inputs, ...op.outputs].filter((i) => validTensor(c, i) && FLOAT_TYPES.has(c.sg.tensors[i].type));
  if (!floats.length) return undefined;
  const list = [...new Set(floats)].map((i) => `'${c.sg.tensors[i].name}' (${typeName(c.sg.tensors[i].type)})`).join(', ');
  if (name === 'QUANTIZE') return `${opLabel(c, j)} converts float to 8-bit (${list}): float → int8 quantization runs on the CPU, expected an int8/uint8 model input instead`;
  return `${opLabel(c, j)} works on float tensors ${list}: the Edge TPU runs ${name} only on 8-bit quantized tensors, so this op runs on the CPU, expected int8 or uint8`;
}

/** Whether the op is on Coral's list at all, and how it runs if not. */
function unsupportedMessage(c: Ctx, j: number): string | undefined {
  const code = opCode(c, j);
  if (!code) return undefined; // reported by checkStructure
  const after = 'it and every op after it run on the CPU (the compiler partitions the graph once)';
  if (code.custom === 'edgetpu-custom-op') return undefined; // reported as structure by checkOps
  if (code.custom !== undefined) return `${opLabel(c, j)} is the custom op '${code.custom}', expected an op from the Edge TPU's supported list: ${after}`;
  if (code.code === B.DEQUANTIZE)
    return `${opLabel(c, j)} turns 8-bit data back into float, which runs on the CPU (DEQUANTIZE is not on the Edge TPU list), expected int8 or uint8 model outputs`;
  if (!SUPPORTED.has(code.code)) return `${opLabel(c, j)} (BuiltinOperator ${code.code}) is not in the Edge TPU's supported operations, expected one of ${EDGE_TPU_OPS.length} listed ops: ${after}`;
  return undefined;
}

/** The documented limits we can see in the file: fused activations, Softmax's input, Concatenation's constants. */
function limitMessages(c: Ctx, j: number, code: number): string[] {
  const op = c.sg.operators[j];
  const out: string[] = [];
  const noFused = code === B.AVERAGE_POOL_2D || code === B.MAX_POOL_2D || code === B.CONCATENATION;
  if (noFused && op.fusedActivation) out.push(`${opLabel(c, j)} has fused activation ${op.fusedActivation}, expected none (Edge TPU: ${NO_FUSED})`);
  const ins = op.inputs.filter((i) => validTensor(c, i));
  if (code === B.SOFTMAX && ins.length) {
    const shape = c.sg.tensors[ins[0]].shape;
    const n = shape.reduce((a, d) => a * d, 1);
    if (shape.filter((d) => d > 1).length > 1 || n > 16000)
      out.push(`${opLabel(c, j)} has input shape [${shape.join(', ')}] (${n} elements), expected a one-dimensional input of at most 16000 elements`);
  }
  if (code === B.CONCATENATION && ins.some((i) => isConstant(c, i)) && ins.length !== 2)
    out.push(`${opLabel(c, j)} has a constant input among ${ins.length} inputs, expected a constant input only with exactly 2 inputs (zero padding)`);
  return out;
}

function checkOps(c: Ctx): void {
  c.sg.operators.forEach((op, j) => {
    const code = opCode(c, j);
    if (!code) return;
    if (code.custom === 'edgetpu-custom-op')
      structure(c, `${opLabel(c, j)} is an Edge TPU custom op: the model is already compiled, expected the uncompiled int8 .tflite`, { op: opRef(c, j) });
    const messages = [unsupportedMessage(c, j), floatUsage(c, j, code.name), ...limitMessages(c, j, code.code)];
    for (const message of messages) if (message) c.issues.push({ kind: 'op', op: opRef(c, j), message });
    (PARAMETERS[code.code] ?? []).forEach((p) => {
      const i = op.inputs[p];
      if (i === undefined || i === -1 || !validTensor(c, i) || isConstant(c, i)) return;
      structure(c, `${opLabel(c, j)} reads its parameter input ${p} from ${tensorLabel(c, i)}, which has no data, expected a constant (parameters constant at compile time)`, {
        op: opRef(c, j),
        tensor: tensorRef(c, i),
      });
    });
  });
}

/**
 * Every reason the Coral Edge TPU compiler would not map the whole model (`bytes` of a .tflite file, or its
 * readTflite description) to the Edge TPU. `ok` is true when there is none.
 */
export function checkEdgeTpu(model: Uint8Array | TfliteModel, opts: EdgeTpuCheckOptions = {}): EdgeTpuReport {
  const maxActivationBytes = opts.maxActivationBytes ?? DEFAULT_MAX_ACTIVATION_BYTES;
  if (!(maxActivationBytes > 0 && Number.isFinite(maxActivationBytes)))
    throw new InvalidInputError('checkEdgeTpu: options.maxActivationBytes', String(opts.maxActivationBytes), 'a positive number of bytes');
  const m = model instanceof Uint8Array ? readTflite(model, opts.name) : model;
  const issues: EdgeTpuIssue[] = [];
  const sg = m.subgraphs[0];
  if (!sg) {
    issues.push({ kind: 'structure', message: 'the model has no subgraph, expected one main subgraph' });
    return { ok: false, issues };
  }
  const c: Ctx = { m, sg, issues, maxActivationBytes, int32Ok: new Set() };
  checkStructure(c);
  c.int32Ok = int32Operands(c);
  sg.tensors.forEach((_, i) => {
    checkType(c, i);
    checkShape(c, i);
    checkQuantization(c, i);
  });
  checkOps(c);
  return { ok: issues.length === 0, issues };
}
