// SPDX-License-Identifier: MIT
// The convolutional graph that quantization, the int8 reference and the TFLite / ONNX writers share: NHWC tensors
// named by index, five operators (3×3 / 1×1 'same' convolution with optional fused ReLU, 2×2 max-pool, half-pixel
// bilinear ×2, channel concatenation, addition), batch 1 and sizes relative to the input (`stride`).
import { InvalidInputError } from '../errors.js';

export interface GraphTensor {
  name: string;
  channels: number;
  /** The input's height and width divided by this give the tensor's (1 for the input, 2 after one pool, …). */
  stride: number;
}

export interface ConvOp {
  kind: 'conv';
  name: string;
  input: number;
  output: number;
  k: 1 | 3;
  relu: boolean;
  /** HWIO [k, k, cin, cout], the Keras / tfjs layout. */
  kernel: Float32Array;
  bias: Float32Array;
}

export interface MaxPoolOp {
  kind: 'maxpool';
  input: number;
  output: number;
}

/** Bilinear ×2 with half-pixel centres (TF 2 `resize_images_v2`, docs/tomogan.md "Bilinear upsampling"). */
export interface UpsampleOp {
  kind: 'upsample';
  input: number;
  output: number;
}

export interface ConcatOp {
  kind: 'concat';
  inputs: number[];
  output: number;
}

export interface AddOp {
  kind: 'add';
  inputs: [number, number];
  output: number;
  relu: boolean;
}

export type GraphOp = ConvOp | MaxPoolOp | UpsampleOp | ConcatOp | AddOp;

export interface Graph {
  name: string;
  tensors: GraphTensor[];
  input: number;
  output: number;
  /** In execution order; every tensor but the input is written by exactly one op before it is read. */
  ops: GraphOp[];
}

/** The op's input tensors. */
export function opInputs(op: GraphOp): number[] {
  return op.kind === 'concat' || op.kind === 'add' ? op.inputs : [op.input];
}

/** Height and width must be multiples of the largest tensor stride (the pools must keep their grid). */
export function sizeMultiple(g: Graph): number {
  return g.tensors.reduce((m, t) => Math.max(m, t.stride), 1);
}

function fail(g: Graph, what: string, got: string, expected: string): never {
  throw new InvalidInputError(`graph '${g.name}': ${what}`, got, expected);
}

function checkOpShapes(g: Graph, op: GraphOp, i: number): void {
  const t = g.tensors;
  const out = t[op.output];
  const ins = opInputs(op).map((j) => t[j]);
  const where = `ops[${i}] (${op.kind})`;
  if (op.kind === 'conv') {
    const cin = ins[0].channels;
    if (op.kernel.length !== op.k * op.k * cin * out.channels || op.bias.length !== out.channels)
      fail(g, `${where} '${op.name}'`, `kernel of ${op.kernel.length} and bias of ${op.bias.length}`, `${op.k}·${op.k}·${cin}·${out.channels} and ${out.channels}`);
    if (out.stride !== ins[0].stride) fail(g, `${where} stride`, String(out.stride), String(ins[0].stride));
  } else if (op.kind === 'maxpool' || op.kind === 'upsample') {
    const s = op.kind === 'maxpool' ? ins[0].stride * 2 : ins[0].stride / 2;
    if (out.stride !== s || out.channels !== ins[0].channels) fail(g, `${where} output`, `${out.channels} channels at stride ${out.stride}`, `${ins[0].channels} at ${s}`);
  } else {
    const c = op.kind === 'concat' ? ins.reduce((n, x) => n + x.channels, 0) : ins[0].channels;
    if (ins.some((x) => x.stride !== out.stride) || out.channels !== c || (op.kind === 'add' && ins[1].channels !== c))
      fail(g, `${where} inputs`, ins.map((x) => `${x.channels}@${x.stride}`).join(', '), `equal strides and ${c} channels out`);
  }
}

/** Checks that every op reads written tensors and that channels and strides agree; returns the graph. */
export function checkGraph(g: Graph): Graph {
  const written = new Set<number>([g.input]);
  g.ops.forEach((op, i) => {
    for (const j of opInputs(op)) if (!written.has(j)) fail(g, `ops[${i}] (${op.kind}) input`, `tensor ${j} before it is written`, 'a tensor written by an earlier op');
    if (written.has(op.output)) fail(g, `ops[${i}] (${op.kind}) output`, `tensor ${op.output} written twice`, 'one writer per tensor');
    checkOpShapes(g, op, i);
    written.add(op.output);
  });
  if (!written.has(g.output)) fail(g, 'output', `tensor ${g.output}, never written`, 'a tensor written by an op');
  return g;
}

/** Multiply-accumulates of one forward pass on an H × W input (convolutions only, the usual count). */
export function graphMacs(g: Graph, height: number, width: number): number {
  let n = 0;
  for (const op of g.ops) {
    if (op.kind !== 'conv') continue;
    const out = g.tensors[op.output];
    const cin = g.tensors[op.input].channels;
    n += ((height / out.stride) * width) / out.stride * out.channels * op.k * op.k * cin;
  }
  return n;
}
