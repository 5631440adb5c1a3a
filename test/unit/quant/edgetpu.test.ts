// SPDX-License-Identifier: MIT
// readTflite reads back exactly what writeTflite wrote, and checkEdgeTpu flags float models, oversized activations,
// dynamic shapes, ranks, unsupported ops and non-constant parameters, while a small full-int8 graph passes.
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { checkEdgeTpu, DEFAULT_MAX_ACTIVATION_BYTES, EDGE_TPU_OPS, type EdgeTpuIssue } from '../../../src/quant/edgetpu.js';
import { checkGraph, type ConvOp, type Graph, type GraphOp } from '../../../src/quant/graph.js';
import { quantizeGraph } from '../../../src/quant/quantize.js';
import { OP, TENSOR_TYPE, writeTflite } from '../../../src/quant/tflite.js';
import { BUILTIN_OPERATOR_NAMES, BuiltinOperator, readTflite } from '../../../src/quant/tflite_read.js';

/** Deterministic weights in [−0.5, 0.5). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}

function conv(name: string, input: number, output: number, cin: number, cout: number, k: 1 | 3, relu: boolean, rnd: () => number): ConvOp {
  const kernel = Float32Array.from({ length: k * k * cin * cout }, rnd);
  const bias = Float32Array.from({ length: cout }, () => rnd() / 10);
  return { kind: 'conv', name, input, output, k, relu, kernel, bias };
}

/** A small U-Net-like graph with all five op kinds: conv, max-pool, upsample, concat, add. */
function smallGraph(): Graph {
  const rnd = lcg(7);
  const t = (name: string, channels: number, stride: number) => ({ name, channels, stride });
  const tensors = [t('input', 3, 1), t('c1', 8, 1), t('p1', 8, 2), t('c2', 8, 2), t('u1', 8, 1), t('cat', 16, 1), t('c3', 8, 1), t('sum', 8, 1), t('out', 1, 1)];
  const ops: GraphOp[] = [
    conv('c1', 0, 1, 3, 8, 3, true, rnd),
    { kind: 'maxpool', input: 1, output: 2 },
    conv('c2', 2, 3, 8, 8, 3, true, rnd),
    { kind: 'upsample', input: 3, output: 4 },
    { kind: 'concat', inputs: [1, 4], output: 5 },
    conv('c3', 5, 6, 16, 8, 1, false, rnd),
    { kind: 'add', inputs: [6, 1], output: 7, relu: true },
    conv('out', 7, 8, 8, 1, 1, false, rnd),
  ];
  return checkGraph({ name: 'small', tensors, input: 0, output: 8, ops });
}

const quantize = (g: Graph) => quantizeGraph(g, g.tensors.map(() => ({ min: -1, max: 1 })), { method: 'minmax', images: 1 });
const kinds = (issues: EdgeTpuIssue[]) => [...new Set(issues.map((i) => i.kind))].sort();

/** A one-op int8 model written with the flatbuffers builder directly: op `code` from tensor 0 to tensor 1. */
function tinyModel(o: { code: number; shape?: number[]; signature?: number[]; custom?: string }): Uint8Array {
  const b = new Builder(1024);
  const ints = (v: number[]) => (b.startVector(4, v.length, 4), [...v].reverse().forEach((x) => b.addInt32(x)), b.endVector());
  const offs = (v: number[]) => (b.startVector(4, v.length, 4), [...v].reverse().forEach((x) => b.addOffset(x)), b.endVector());
  const tensor = (name: string) => {
    const shape = ints(o.shape ?? [1, 8, 8, 4]);
    const sig = o.signature ? ints(o.signature) : 0;
    const nm = b.createString(name);
    const scale = (b.startVector(4, 1, 4), b.addFloat32(0.1), b.endVector());
    const zp = (b.startVector(8, 1, 8), b.addInt64(0n), b.endVector());
    b.startObject(7);
    b.addFieldOffset(2, scale, 0);
    b.addFieldOffset(3, zp, 0);
    const q = b.endObject();
    b.startObject(8);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, TENSOR_TYPE.INT8, 0);
    b.addFieldOffset(3, nm, 0);
    b.addFieldOffset(4, q, 0);
    if (sig) b.addFieldOffset(7, sig, 0); // shape_signature
    return b.endObject();
  };
  const tensors = offs([tensor('x'), tensor('y')]);
  const [inputs, outputs, opInputs, opOutputs] = [ints([0]), ints([1]), ints([0]), ints([1])];
  b.startObject(3);
  b.addFieldOffset(1, opInputs, 0);
  b.addFieldOffset(2, opOutputs, 0);
  const operators = offs([b.endObject()]);
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operators, 0);
  const subgraph = b.endObject();
  const custom = o.custom === undefined ? 0 : b.createString(o.custom);
  b.startObject(4);
  b.addFieldInt8(0, Math.min(o.code, 127), 0);
  if (custom) b.addFieldOffset(1, custom, 0);
  b.addFieldInt32(3, o.code, 0);
  const opcode = b.endObject();
  b.startObject(1);
  const buffer = b.endObject();
  const [codes, subgraphs, buffers] = [offs([opcode]), offs([subgraph]), offs([buffer])];
  b.startObject(5);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, codes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(4, buffers, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}

describe('readTflite', () => {
  it('reads back the int8 writer output exactly: tensors, shapes, quantization, ops, buffers', () => {
    const g = smallGraph();
    const q = quantize(g);
    const m = readTflite(writeTflite(g, { height: 64, width: 64, quantized: q, description: 'test int8' }));
    expect([m.version, m.description, m.subgraphs.length]).toEqual([3, 'test int8', 1]);
    const sg = m.subgraphs[0];
    expect([sg.name, sg.inputs, sg.outputs]).toEqual(['small', [0], [8]]);
    g.tensors.forEach((t, j) =>
      expect(sg.tensors[j]).toEqual({
        name: t.name,
        shape: [1, 64 / t.stride, 64 / t.stride, t.channels],
        type: TENSOR_TYPE.INT8,
        buffer: 0,
        quantization: { scale: [Math.fround(q.params[j].scale)], zeroPoint: [q.params[j].zeroPoint], quantizedDimension: 0 },
      }),
    );
    const codes = m.operatorCodes.map((c) => c.builtinCode);
    expect(codes).toEqual([OP.CONV_2D, OP.MAX_POOL_2D, OP.RESIZE_BILINEAR, OP.CONCATENATION, OP.ADD]);
    const opCodes = sg.operators.map((op) => codes[op.opcodeIndex]);
    expect(opCodes).toEqual([OP.CONV_2D, OP.MAX_POOL_2D, OP.CONV_2D, OP.RESIZE_BILINEAR, OP.CONCATENATION, OP.CONV_2D, OP.ADD, OP.CONV_2D]);
    expect(sg.operators[4]).toEqual({ opcodeIndex: 3, inputs: [1, 4], outputs: [5], builtinOptionsType: 10 });
    expect(sg.operators[6]).toEqual({ opcodeIndex: 4, inputs: [6, 1], outputs: [7], builtinOptionsType: 11, fusedActivation: 1 });
    g.ops.forEach((op, i) => {
      if (op.kind !== 'conv') return;
      const [x, wi, bi] = sg.operators[i].inputs;
      const c = q.convs[i]!;
      const cin = g.tensors[op.input].channels;
      const cout = g.tensors[op.output].channels;
      expect(x).toBe(op.input);
      expect(sg.tensors[wi]).toMatchObject({ name: `${op.name}/kernel`, shape: [cout, op.k, op.k, cin], type: TENSOR_TYPE.INT8 });
      expect(sg.tensors[wi].quantization).toEqual({ scale: Array.from(c.scales), zeroPoint: new Array(cout).fill(0), quantizedDimension: 0 });
      expect(m.buffers[sg.tensors[wi].buffer].byteLength).toBe(c.weights.length);
      const biasScale = Array.from(c.scales, (s) => Math.fround(Math.fround(q.params[op.input].scale) * s));
      expect(sg.tensors[bi]).toMatchObject({ name: `${op.name}/bias`, shape: [cout], type: TENSOR_TYPE.INT32 });
      expect(sg.tensors[bi].quantization?.scale).toEqual(biasScale);
      expect(m.buffers[sg.tensors[bi].buffer].byteLength).toBe(4 * cout);
    });
    expect(m.buffers[0].byteLength).toBe(0);
  });

  it('reads a float model with no quantization and float32 weights', () => {
    const g = smallGraph();
    const sg = readTflite(writeTflite(g, { height: 32, width: 32 })).subgraphs[0];
    expect(sg.tensors[3]).toEqual({ name: 'c2', shape: [1, 16, 16, 8], type: TENSOR_TYPE.FLOAT32, buffer: 0 });
    const w = sg.tensors[sg.operators[0].inputs[1]];
    expect([w.name, w.shape, w.type, w.quantization]).toEqual(['c1/kernel', [8, 3, 3, 3], TENSOR_TYPE.FLOAT32, undefined]);
  });

  it('reads builtin codes above 127, custom codes and shape signatures', () => {
    const m = readTflite(tinyModel({ code: BuiltinOperator.GELU, signature: [-1, 8, 8, 4] }));
    expect(m.operatorCodes).toEqual([{ builtinCode: 150, version: 1 }]);
    expect(m.subgraphs[0].tensors[0].shapeSignature).toEqual([-1, 8, 8, 4]);
    expect(readTflite(tinyModel({ code: 32, custom: 'MyOp' })).operatorCodes[0]).toEqual({ builtinCode: 32, customCode: 'MyOp', version: 1 });
  });

  it('names the input, what was found and what was expected on bad bytes', () => {
    const good = writeTflite(smallGraph(), { height: 16, width: 16 });
    const bad = good.slice();
    bad.set([0x58, 0x58, 0x58, 0x58], 4);
    expect(() => readTflite(bad, 'model.tflite')).toThrow(InvalidInputError);
    expect(() => readTflite(bad, 'model.tflite')).toThrow(/readTflite: model\.tflite: got file identifier "XXXX", expected the TFLite file identifier "TFL3"/);
    expect(() => readTflite(new Uint8Array(3))).toThrow(/readTflite: tfliteBytes: got 3 bytes, expected a TFLite flatbuffer/);
    expect(() => readTflite(Uint8Array.from([1, 2, 3, 4, 0xff, 0, 7, 9]))).toThrow(/got file identifier bytes ff 00 07 09/);
    const truncated = good.slice(0, good.length >> 1);
    expect(() => readTflite(truncated, 'cut.tflite')).toThrow(InvalidInputError);
    expect(() => readTflite(truncated, 'cut.tflite')).toThrow(/readTflite: cut\.tflite: .*expected data inside the \d+-byte file/);
    const wild = good.slice();
    new DataView(wild.buffer).setUint32(0, 0x7fff0000, true); // root offset far past the end
    expect(() => readTflite(wild)).toThrow(/model \(table\): got 4 bytes at offset \d+, expected data inside/);
  });

  it('names every code of its BuiltinOperator table as the schema does', () => {
    for (const [name, code] of Object.entries(BuiltinOperator)) expect(BUILTIN_OPERATOR_NAMES[code]).toBe(name);
    for (const op of EDGE_TPU_OPS) expect(BUILTIN_OPERATOR_NAMES[op.code]).toBeDefined();
    expect([BUILTIN_OPERATOR_NAMES.length, BUILTIN_OPERATOR_NAMES[114], BUILTIN_OPERATOR_NAMES[161]]).toEqual([162, 'QUANTIZE', 'RIGHT_SHIFT']);
  });
});

describe('checkEdgeTpu', () => {
  it('passes a full-int8 64×64 graph', () => {
    const g = smallGraph();
    const r = checkEdgeTpu(writeTflite(g, { height: 64, width: 64, quantized: quantize(g) }));
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('flags a float model: activations, weights, float input/output and the ops on float data', () => {
    const g = smallGraph();
    const r = checkEdgeTpu(writeTflite(g, { height: 64, width: 64 }));
    expect(r.ok).toBe(false);
    expect(kinds(r.issues)).toEqual(['op', 'type']);
    const typed = new Set(r.issues.filter((i) => i.kind === 'type').map((i) => i.tensor!.name));
    for (const t of g.tensors) expect(typed).toContain(t.name);
    for (const n of ['c1/kernel', 'c1/bias', 'out/kernel']) expect(typed).toContain(n);
    expect(typed).not.toContain('u1/size'); // the int32 size operand of RESIZE_BILINEAR is allowed
    const msg = (name: string) => r.issues.find((i) => i.tensor?.name === name)!.message;
    expect(msg('input')).toMatch(/model input tensor 0 'input' is float32: .*QUANTIZE op .*runs on the CPU, expected an int8 or uint8 input/);
    expect(msg('out')).toMatch(/model output tensor 8 'out' is float32: .*DEQUANTIZE op .*runs on the CPU/);
    expect(msg('c2')).toMatch(/activation tensor 3 'c2' is float32, expected int8 or uint8/);
    expect(msg('c1/kernel')).toMatch(/constant tensor \d+ 'c1\/kernel' \(a weight or other parameter\) is float32, expected int8 or uint8/);
    const ops = r.issues.filter((i) => i.kind === 'op');
    expect(ops.map((i) => i.op!.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ops[0]).toMatchObject({ op: { index: 0, name: 'CONV_2D' } });
    expect(ops[0].message).toMatch(/op 0 CONV_2D \(output 'c1'\) works on float tensors 'input' \(float32\), 'c1\/kernel' \(float32\), 'c1\/bias' \(float32\), 'c1' \(float32\)/);
  });

  it('flags an activation over the default limit (1024×1024×64 int8 = 64 MiB) and honours maxActivationBytes', () => {
    const rnd = lcg(3);
    const g = checkGraph({
      name: 'wide',
      tensors: [{ name: 'input', channels: 3, stride: 1 }, { name: 'wide', channels: 64, stride: 1 }, { name: 'out', channels: 1, stride: 1 }],
      input: 0,
      output: 2,
      ops: [conv('wide', 0, 1, 3, 64, 1, true, rnd), conv('out', 1, 2, 64, 1, 1, false, rnd)],
    });
    const bytes = writeTflite(g, { height: 1024, width: 1024, quantized: quantize(g) });
    const r = checkEdgeTpu(bytes);
    expect(r.ok).toBe(false);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ kind: 'size', tensor: { index: 1, name: 'wide' } });
    expect(r.issues[0].message).toBe(
      `activation tensor 1 'wide' of shape [1, 1024, 1024, 64] (int8) takes 67108864 bytes (64.00 MiB), expected at most ${DEFAULT_MAX_ACTIVATION_BYTES} bytes (8.00 MiB) (maxActivationBytes; the Edge TPU has about 8 MB of on-chip memory)`,
    );
    expect(checkEdgeTpu(bytes, { maxActivationBytes: 64 * 2 ** 20 }).ok).toBe(true);
    expect(checkEdgeTpu(bytes, { maxActivationBytes: 2 ** 20 }).issues.map((i) => i.tensor!.name)).toEqual(['input', 'wide']); // 'out' is exactly 1 MiB
    expect(() => checkEdgeTpu(bytes, { maxActivationBytes: 0 })).toThrow(/checkEdgeTpu: options\.maxActivationBytes: got 0, expected a positive number/);
  });

  it('flags a dynamic shape signature and non-positive sizes', () => {
    const r = checkEdgeTpu(tinyModel({ code: BuiltinOperator.RELU, signature: [-1, 8, 8, 4] }));
    expect(r.ok).toBe(false);
    expect(kinds(r.issues)).toEqual(['dynamic-shape']);
    expect(r.issues.map((i) => i.tensor!.name)).toEqual(['x', 'y']);
    expect(r.issues[0].message).toMatch(/tensor 0 'x' has shape signature \[-1, 8, 8, 4\] .*expected sizes constant at compile time/);
    const zero = checkEdgeTpu(tinyModel({ code: BuiltinOperator.RELU, shape: [1, 0, 8, 4] }));
    expect(zero.issues[0]).toMatchObject({ kind: 'dynamic-shape', tensor: { index: 0, name: 'x' } });
    expect(zero.issues[0].message).toMatch(/shape \[1, 0, 8, 4\] with a size ≤ 0/);
  });

  it('flags a tensor with more than 3 dimensions greater than 1', () => {
    const r = checkEdgeTpu(tinyModel({ code: BuiltinOperator.RELU, shape: [2, 8, 8, 4] }));
    expect(kinds(r.issues)).toEqual(['rank']);
    expect(r.issues[0].message).toMatch(/activation tensor 0 'x' has shape \[2, 8, 8, 4\]: more than 3 dimensions with an outer size > 1, expected at most 3 dimensions or only the 3 innermost > 1/);
    expect(checkEdgeTpu(tinyModel({ code: BuiltinOperator.RELU, shape: [1, 1, 8, 8, 4] })).ok).toBe(true);
  });

  it('flags ops outside the Edge TPU list (codes below and above 127, custom ops) and DEQUANTIZE', () => {
    for (const [code, name] of [[BuiltinOperator.HARD_SWISH, 'HARD_SWISH'], [BuiltinOperator.GELU, 'GELU'], [BuiltinOperator.DEQUANTIZE, 'DEQUANTIZE']] as const) {
      const r = checkEdgeTpu(tinyModel({ code }));
      expect(r.ok).toBe(false);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ kind: 'op', op: { index: 0, name } });
    }
    expect(checkEdgeTpu(tinyModel({ code: BuiltinOperator.HARD_SWISH })).issues[0].message).toMatch(
      /op 0 HARD_SWISH \(output 'y'\) \(BuiltinOperator 117\) is not in the Edge TPU's supported operations, expected one of \d+ listed ops: it and every op after it run on the CPU/,
    );
    expect(checkEdgeTpu(tinyModel({ code: BuiltinOperator.DEQUANTIZE })).issues[0].message).toMatch(/runs on the CPU \(DEQUANTIZE is not on the Edge TPU list\)/);
    const custom = checkEdgeTpu(tinyModel({ code: 32, custom: 'MyOp' }));
    expect(custom.issues[0]).toMatchObject({ kind: 'op', op: { index: 0, name: 'MyOp' } });
    expect(custom.issues[0].message).toMatch(/is the custom op 'MyOp'/);
    expect(checkEdgeTpu(tinyModel({ code: 32, custom: 'edgetpu-custom-op' })).issues[0].kind).toBe('structure');
    expect(checkEdgeTpu(tinyModel({ code: BuiltinOperator.RELU })).ok).toBe(true);
  });

  it('flags non-constant parameters, fused activations on pools and missing quantization (parsed input)', () => {
    const g = smallGraph();
    const parsed = () => readTflite(writeTflite(g, { height: 64, width: 64, quantized: quantize(g) }));
    const m1 = parsed();
    const kernel = m1.subgraphs[0].operators[0].inputs[1];
    m1.subgraphs[0].tensors[kernel].buffer = 0;
    const r1 = checkEdgeTpu(m1);
    // Without data the 4-D kernel also reads as a per-axis quantized activation of rank 4.
    expect(r1.issues.map((i) => [i.kind, i.tensor?.name])).toEqual([
      ['rank', 'c1/kernel'],
      ['quantization', 'c1/kernel'],
      ['structure', 'c1/kernel'],
    ]);
    const structural = r1.issues[2];
    expect(structural).toMatchObject({ kind: 'structure', op: { index: 0, name: 'CONV_2D' }, tensor: { index: kernel, name: 'c1/kernel' } });
    expect(structural.message).toMatch(/reads its parameter input 1 from tensor \d+ 'c1\/kernel', which has no data, expected a constant/);
    const m2 = parsed();
    m2.subgraphs[0].operators[1].fusedActivation = 1;
    expect(checkEdgeTpu(m2).issues).toEqual([
      { kind: 'op', op: { index: 1, name: 'MAX_POOL_2D' }, message: "op 1 MAX_POOL_2D (output 'p1') has fused activation 1, expected none (Edge TPU: no fused activation function)" },
    ]);
    const m3 = parsed();
    delete m3.subgraphs[0].tensors[2].quantization;
    expect(checkEdgeTpu(m3).issues).toEqual([
      { kind: 'quantization', tensor: { index: 2, name: 'p1' }, message: "int8 tensor 2 'p1' has no quantization parameters, expected a scale and zero point (a fully quantized model)" },
    ]);
  });
});
