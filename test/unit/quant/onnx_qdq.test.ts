// SPDX-License-Identifier: MIT
// The full-int8 QDQ ONNX export run in onnxruntime-node against the int8 reference (runInt8): the model's
// structure, what onnxruntime fuses it into, every operator's int8 result on onnxruntime's own inputs (within 1 LSB
// of the reference kernel), and end to end on a small seeded graph and on the shipped TomoGAN weights.
// onnxruntime-node is an optional dependency: without it those tests skip with the reason, except under CI=true.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { checkGraph, type Graph, type GraphOp, opInputs } from '../../../src/quant/graph.js';
import { addInt8, concatInt8, type ConvInt8, convInt8, maxPoolInt8, upsample2xInt8 } from '../../../src/quant/kernels.js';
import { onnxNodeCounts, type OnnxQdqOptions, qdqTensorName, writeOnnxQdq } from '../../../src/quant/onnx_qdq.js';
import { type QuantizedGraph } from '../../../src/quant/quantize.js';
import { type PreparedOp, prepareOps, quantizeArray, runInt8 } from '../../../src/quant/reference.js';
import type { AddParams } from '../../../src/quant/spec.js';
import { nextU32, seedState } from '../../../src/rng.js';
import { loadOrtNode } from '../../../src/tomogan/backends/native.js';
import { useBackend } from '../../../src/tomogan/backends/index.js';
import { loadDefaultWeights } from '../../../src/tomogan/default_weights.js';
import { generatorGraph } from '../../../src/tomogan/graph.js';
import { runGraphTf } from '../../../src/tomogan/graph_tf.js';
import { tf } from '../../../src/tomogan/tf.js';
import { randomImage } from '../../helpers/tomogan.js';
import { calibrate } from '../../helpers/quant.js';

const missing = await loadOrtNode().then(
  () => null,
  (e: Error) => e.message,
);
if (missing) {
  if (process.env.CI === 'true') throw new Error(`CI=true requires the optional dependency onnxruntime-node: ${missing}`);
  console.warn(`skipping the onnxruntime-node QDQ tests: ${missing}`);
}
const ortIt = it.skipIf(!!missing);

beforeAll(async () => {
  await useBackend('cpu');
});

// ---------------------------------------------------------------------------------------------------------------
// Graphs and calibration.

/** input (2 ch) → conv3×3+relu (8) → pool → conv1×1+relu (8) → upsample → concat with the first conv → conv3×3 (8) → add the first conv, relu. */
function smallGraph(seed: number): Graph {
  const s = seedState(seed);
  const u = () => nextU32(s) / 2 ** 32 - 0.5;
  const w = (n: number, fanIn: number) => Float32Array.from({ length: n }, () => u() * 2 * Math.sqrt(6 / fanIn));
  const conv = (name: string, input: number, output: number, k: 1 | 3, cin: number, cout: number, relu: boolean): GraphOp => ({ kind: 'conv', name, input, output, k, relu, kernel: w(k * k * cin * cout, k * k * cin), bias: Float32Array.from({ length: cout }, () => u() * 0.2) });
  const t = (name: string, channels: number, stride: number) => ({ name, channels, stride });
  return checkGraph({
    name: 'small',
    tensors: [t('in', 2, 1), t('c1', 8, 1), t('pool', 8, 2), t('c2', 8, 2), t('up', 8, 1), t('cat', 16, 1), t('c3', 8, 1), t('sum', 8, 1)],
    input: 0,
    output: 7,
    ops: [
      conv('c1', 0, 1, 3, 2, 8, true),
      { kind: 'maxpool', input: 1, output: 2 },
      conv('c2', 2, 3, 1, 8, 8, true),
      { kind: 'upsample', input: 3, output: 4 },
      { kind: 'concat', inputs: [1, 4], output: 5 },
      conv('c3', 5, 6, 3, 16, 8, false),
      { kind: 'add', inputs: [6, 1], output: 7, relu: true },
    ],
  });
}

/** A seeded NHWC image of h × w × c in [0, 1). */
function image(h: number, w: number, c: number, seed: number): Float32Array {
  const s = seedState(seed);
  return Float32Array.from({ length: h * w * c }, () => nextU32(s) / 2 ** 32);
}

// ---------------------------------------------------------------------------------------------------------------
// Layouts, onnxruntime, histograms.

function toNchw(x: Int8Array, hw: number, c: number): Int8Array {
  const out = new Int8Array(x.length);
  for (let p = 0; p < hw; p++) for (let ch = 0; ch < c; ch++) out[ch * hw + p] = x[p * c + ch];
  return out;
}

/** NCHW int8 (or uint8 codes of the 'uint8' activations, shifted back by 128) → NHWC int8. */
function toNhwc(x: Int8Array | Uint8Array, hw: number, c: number): Int8Array {
  const out = new Int8Array(x.length);
  const shift = x instanceof Uint8Array ? 128 : 0;
  for (let p = 0; p < hw; p++) for (let ch = 0; ch < c; ch++) out[p * c + ch] = x[ch * hw + p] - shift;
  return out;
}

/** The part of onnxruntime-node's API used here (the package is optional: no static import of its types). */
interface Tensor {
  type: string;
  data: unknown;
  dims: readonly number[];
}
interface Session {
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
}
interface Ort {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<Session> };
  Tensor: new (type: 'int8', data: Int8Array, dims: readonly number[]) => Tensor;
}
const ortNode = async () => (await loadOrtNode()) as unknown as Ort;

/** A CPU session with every optimization (optionally saving the optimized model) and one intra-op thread. */
async function session(model: Uint8Array, optimizedModelFilePath?: string, extra?: Record<string, string>): Promise<Session> {
  const ort = await ortNode();
  return ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    ...(optimizedModelFilePath ? { optimizedModelFilePath } : {}),
    ...(extra ? { extra: { session: extra } } : {}),
  });
}

/** Runs the model on NHWC int8 `x` of h × w; every output back as NHWC int8 by name. */
async function runOrt(s: Session, g: Graph, x: Int8Array, h: number, w: number): Promise<Map<string, Int8Array>> {
  const ort = await ortNode();
  const c = g.tensors[g.input].channels;
  const out = await s.run({ input: new ort.Tensor('int8', toNchw(x, h * w, c), [1, c, h, w]) });
  const res = new Map<string, Int8Array>();
  for (const [k, t] of Object.entries(out)) {
    if (k === 'output') expect(t.type).toBe('int8');
    res.set(k, toNhwc(t.data as Int8Array | Uint8Array, t.dims[2] * t.dims[3], t.dims[1]));
  }
  return res;
}

/** Histogram of a − b: difference → count. */
function histogram(a: Int8Array, b: Int8Array): Map<number, number> {
  const h = new Map<number, number>();
  for (let i = 0; i < a.length; i++) h.set(a[i] - b[i], (h.get(a[i] - b[i]) ?? 0) + 1);
  return new Map([...h].sort((x, y) => x[0] - y[0]));
}

function summary(h: Map<number, number>): { n: number; exact: number; within1: number; maxAbs: number } {
  const n = [...h.values()].reduce((a, b) => a + b, 0);
  const at = (d: number) => h.get(d) ?? 0;
  return { n, exact: at(0) / n, within1: (at(-1) + at(0) + at(1)) / n, maxAbs: Math.max(...[...h.keys()].map(Math.abs)) };
}

const show = (h: Map<number, number>) => [...h].map(([d, n]) => `${d > 0 ? '+' : ''}${d}: ${n}`).join(', ');

// ---------------------------------------------------------------------------------------------------------------
// The reference kernels on onnxruntime's own int8 inputs: each op's local error, apart from what it inherits.

function referenceOp(g: Graph, op: GraphOp, p: PreparedOp, ins: Int8Array[], h: number, w: number): Int8Array {
  const s = g.tensors[opInputs(op)[0]].stride;
  const [hh, ww] = [h / s, w / s];
  if (op.kind === 'conv') return convInt8(ins[0], hh, ww, (p as { conv: ConvInt8 }).conv);
  if (op.kind === 'maxpool') return maxPoolInt8(ins[0], hh, ww, g.tensors[op.input].channels);
  if (op.kind === 'upsample') return upsample2xInt8(ins[0], hh, ww, g.tensors[op.input].channels);
  const so = g.tensors[op.output].stride;
  if (op.kind === 'concat') return concatInt8(ins, op.inputs.map((j) => g.tensors[j].channels), (h / so) * (w / so));
  const a = p as { add: AddParams; lo: number; hi: number };
  return addInt8(ins[0], ins[1], a.add, a.lo, a.hi);
}

/** Per op: histogram of onnxruntime's int8 output − the reference kernel applied to onnxruntime's int8 inputs. */
function localHistograms(q: QuantizedGraph, outs: Map<string, Int8Array>, x: Int8Array, h: number, w: number): { op: string; h: Map<number, number> }[] {
  const g = q.graph;
  const prep = prepareOps(q);
  const tensor = (t: number) => (t === g.input ? x : outs.get(qdqTensorName(g, t))!);
  return g.ops.map((op, i) => ({
    op: `${i} ${op.kind}${op.kind === 'conv' ? ` ${op.name} ${op.k}×${op.k}` : ''}`,
    h: histogram(tensor(op.output), referenceOp(g, op, prep[i], opInputs(op).map(tensor), h, w)),
  }));
}

/** Every op within 1 LSB of the reference on its own inputs; max-pool and concatenation exact. */
function expectLocal(q: QuantizedGraph, outs: Map<string, Int8Array>, x: Int8Array, h: number, w: number, label: string): void {
  const lines: string[] = [];
  for (const { op, h: hist } of localHistograms(q, outs, x, h, w)) {
    const s = summary(hist);
    lines.push(`  ${op}: ${show(hist)} (exact ${(100 * s.exact).toFixed(2)} %)`);
    expect(s.maxAbs, `${label} op ${op}`).toBeLessThanOrEqual(1);
    if (/maxpool|concat/.test(op)) expect(s.exact, `${label} op ${op}`).toBe(1);
  }
  console.log(`${label}: per-op onnxruntime − reference on the same int8 inputs\n${lines.join('\n')}`);
}

// ---------------------------------------------------------------------------------------------------------------

function smallQuantized(): QuantizedGraph {
  const g = smallGraph(11);
  return calibrate(g, [image(16, 16, 2, 1), image(16, 16, 2, 2), image(16, 16, 2, 3)], 16, 16);
}

describe('writeOnnxQdq: the QDQ model', () => {
  it('one QuantizeLinear per op, a DequantizeLinear per activation read and per weight and bias, ReLU folded into Q', () => {
    const q = smallQuantized();
    // Every ReLU output of a min/max calibration starts at 0: zero point −128, the int8 floor.
    expect([1, 3, 7].map((t) => q.params[t].zeroPoint)).toEqual([-128, -128, -128]);
    const c = onnxNodeCounts(writeOnnxQdq(q, { height: 16, width: 16 }));
    expect(Object.fromEntries(c)).toEqual({ DequantizeLinear: 15, QuantizeLinear: 7, Conv: 3, MaxPool: 1, Resize: 1, Concat: 1, Add: 1 });
    expect(onnxNodeCounts(writeOnnxQdq(q, { relu: 'emit' })).get('Relu')).toBe(3);
    const u8 = onnxNodeCounts(writeOnnxQdq(q, { activations: 'uint8' }));
    expect([u8.get('DequantizeLinear'), u8.get('QuantizeLinear')]).toEqual([17, 9]); // + DQ → Q at the input and at the output
    expect(onnxNodeCounts(writeOnnxQdq(q, { bias: 'float' })).get('DequantizeLinear')).toBe(12);
  });

  it('keeps a Relu where the output zero point is above −128 (the Q alone would not clamp at real 0)', () => {
    const q = smallQuantized();
    const params = q.params.map((p, i) => (i === 1 ? { ...p, zeroPoint: -100 } : p));
    expect(onnxNodeCounts(writeOnnxQdq({ ...q, params })).get('Relu')).toBe(1);
  });

  it('rejects sizes off the stride grid and unknown options with the value and what is expected', () => {
    const q = smallQuantized();
    expect(() => writeOnnxQdq(q, { height: 15, width: 16 })).toThrow(InvalidInputError);
    expect(() => writeOnnxQdq(q, { height: 15, width: 16 })).toThrow(/height: got 15, expected a positive multiple of 2/);
    expect(() => writeOnnxQdq(q, { opset: 12 })).toThrow(/opset: got 12, expected an integer 13–21/);
    expect(() => writeOnnxQdq(q, { activations: 'int16' as OnnxQdqOptions['activations'] })).toThrow(/activations/);
  });
});

describe('writeOnnxQdq in onnxruntime-node (CPU, graphOptimizationLevel all)', () => {
  ortIt('small graph: every op within 1 LSB of the reference on its inputs, end to end within 2 LSB of runInt8, both storages', async () => {
    const q = smallQuantized();
    const g = q.graph;
    const [h, w] = [32, 48];
    const x = quantizeArray(image(h, w, 2, 9), q.params[g.input]);
    const ref = runInt8(q, x, h, w);
    for (const activations of ['int8', 'uint8'] as const) {
      const outs = await runOrt(await session(writeOnnxQdq(q, { activations, allTensors: true })), g, x, h, w);
      expectLocal(q, outs, x, h, w, `small graph (${activations})`);
      const hist = histogram(outs.get('output')!, ref);
      const s = summary(hist);
      console.log(`small graph (${activations}) end to end, onnxruntime − runInt8: ${show(hist)}`);
      // The add's input c3 has a coarser grid than its output (LSB ratio ≈ 1.5): a 1-LSB local difference in c3
      // is 1–2 LSB at the output, so end to end is bounded by 2, not 1.
      expect(s.maxAbs).toBeLessThanOrEqual(2);
      expect(s.within1).toBeGreaterThanOrEqual(0.98);
    }
  });

  ortIt('small graph: int32 or float bias, Relu folded or emitted, int8 or uint8 storage, all tensors or not: the same output', async () => {
    const q = smallQuantized();
    const g = q.graph;
    const [h, w] = [16, 32];
    const x = quantizeArray(image(h, w, 2, 4), q.params[g.input]);
    const base = (await runOrt(await session(writeOnnxQdq(q)), g, x, h, w)).get('output')!;
    const variants: OnnxQdqOptions[] = [{ bias: 'float' }, { relu: 'emit' }, { activations: 'uint8' }, { allTensors: true }, { height: h, width: w, opset: 13 }, { opset: 21 }];
    for (const opts of variants) expect((await runOrt(await session(writeOnnxQdq(q, opts)), g, x, h, w)).get('output'), JSON.stringify(opts)).toEqual(base);
  });

  ortIt('TomoGAN: fuses to 16 QLinearConv with uint8 activations; int8 activations keep 5 float Conv on x86', async () => {
    const q = await tomoganQuantized();
    const dir = join(tmpdir(), `anyml-qdq-${process.pid}`);
    const counts: Record<string, Record<string, number>> = {};
    for (const [label, opts, extra] of [
      ['uint8', { activations: 'uint8' }, undefined],
      ['int8', { activations: 'int8' }, undefined],
      ['int8, qdqisint8allowed', { activations: 'int8' }, { qdqisint8allowed: '1' }],
    ] as const) {
      const file = `${dir}-${label.replace(/\W+/g, '_')}.onnx`;
      await session(writeOnnxQdq(q, opts), file, extra);
      counts[label] = Object.fromEntries(onnxNodeCounts(readFileSync(file)));
      rmSync(file, { force: true });
    }
    console.log(`TomoGAN QDQ after onnxruntime's optimizations:\n${JSON.stringify(counts, null, 1)}`);
    const u8 = counts.uint8;
    expect(u8['com.microsoft::QLinearConv']).toBe(16);
    expect(u8.Conv ?? 0).toBe(0);
    expect(u8['com.microsoft::QLinearConcat']).toBe(3);
    expect((u8['com.microsoft::NhwcMaxPool'] ?? 0) + (u8.MaxPool ?? 0)).toBe(3); // int8 MaxPool: its DQ / Q dropped
    expect(u8.Resize).toBe(3); // linear Resize stays float between a DQ and a Q (onnxruntime drops them for nearest only)
    expect(counts.int8['com.microsoft::QLinearConv']).toBeLessThan(16);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// TomoGAN with the shipped weights.

let tomogan: Promise<QuantizedGraph> | undefined;
/** The shipped generator quantized from min/max over two seeded 64² images (0…255 input scale). */
function tomoganQuantized(): Promise<QuantizedGraph> {
  tomogan ??= (async () => {
    const g = generatorGraph(await loadDefaultWeights());
    return calibrate(g, [100, 101].map((seed) => randomImage(64, 64, 1, seed).data), 64, 64);
  })();
  return tomogan;
}

/** Root-mean-square of the dequantized int8 output − the float output. */
function rmsVsFloat(y: Int8Array, q: QuantizedGraph, float: Float32Array): number {
  const p = q.params[q.graph.output];
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p.scale * (y[i] - p.zeroPoint) - float[i]) ** 2;
  return Math.sqrt(s / y.length);
}

describe('TomoGAN (shipped weights) in onnxruntime-node against runInt8', () => {
  ortIt('64×64 and 128×96 from one dynamic-size model: every op within 1 LSB on its inputs; end-to-end histogram', async () => {
    const q = await tomoganQuantized();
    const g = q.graph;
    const s = await session(writeOnnxQdq(q, { activations: 'uint8', allTensors: true }));
    for (const [w, h, seed] of [[64, 64, 5], [128, 96, 6]]) {
      const img = randomImage(w, h, 1, seed).data;
      const x = quantizeArray(img, q.params[g.input]);
      const outs = await runOrt(s, g, x, h, w);
      expectLocal(q, outs, x, h, w, `TomoGAN ${w}×${h}`);
      const y = outs.get('output')!;
      const ref = runInt8(q, x, h, w);
      const hist = histogram(y, ref);
      const st = summary(hist);
      const xt = tf.tensor4d(img, [1, h, w, 1]);
      const yt = runGraphTf(g, xt);
      const float = yt.dataSync() as Float32Array;
      xt.dispose();
      yt.dispose();
      const [rmsOrt, rmsRef] = [rmsVsFloat(y, q, float), rmsVsFloat(ref, q, float)];
      console.log(`TomoGAN ${w}×${h} end to end, onnxruntime − runInt8 (LSB: count): ${show(hist)}; within 1 LSB ${(100 * st.within1).toFixed(2)} %, exact ${(100 * st.exact).toFixed(2)} %; RMS vs float: onnxruntime ${rmsOrt.toFixed(4)}, runInt8 ${rmsRef.toFixed(4)} (output LSB ${q.params[g.output].scale.toFixed(4)})`);
      // Each op is within 1 LSB of the reference on its own inputs (above), but the reference's requantization is
      // gemmlowp's fixed point (two roundings) and its resize rounds halves away from zero, where onnxruntime
      // rounds the float product once, halves to even: ~0.05 % of conv outputs and ~1.7 % of resize outputs differ
      // by 1, and 16 convolutions turn those into ±3–4 LSB at the output (≈ 89.5 % within 1 LSB here, not 99.9 %).
      // Both are equally far from the float model.
      expect(st.maxAbs).toBeLessThanOrEqual(6);
      expect(st.within1).toBeGreaterThanOrEqual(0.85);
      expect(rmsOrt).toBeLessThanOrEqual(1.05 * rmsRef);
    }
  });
});

describe('TomoGAN QDQ in onnxruntime-web (wasm) against runInt8', () => {
  it('64×64: the same rounding picture as onnxruntime-node (≥ 85 % within 1 LSB, max ≤ 6)', async () => {
    const ortWeb = await import('onnxruntime-web');
    ortWeb.env.wasm.numThreads = 1;
    const q = await tomoganQuantized();
    const g = q.graph;
    const s = await ortWeb.InferenceSession.create(writeOnnxQdq(q, { activations: 'uint8' }), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const x = quantizeArray(randomImage(64, 64, 1, 5).data, q.params[g.input]);
    const y = (await s.run({ input: new ortWeb.Tensor('int8', x, [1, 1, 64, 64]) })).output.data as Int8Array;
    const st = summary(histogram(y, runInt8(q, x, 64, 64)));
    console.log(`TomoGAN 64×64, onnxruntime-web − runInt8: ${show(histogram(y, runInt8(q, x, 64, 64)))}; within 1 LSB ${(100 * st.within1).toFixed(2)} %`);
    expect(st.maxAbs).toBeLessThanOrEqual(6);
    expect(st.within1).toBeGreaterThanOrEqual(0.85);
    await s.release();
  }, 120_000);
});
