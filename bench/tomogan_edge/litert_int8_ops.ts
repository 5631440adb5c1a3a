// SPDX-License-Identifier: MIT
// Where LiteRT.js's int8 output leaves runInt8 (src/quant/reference.ts): each op of the quantized TomoGAN alone, as a
// one-op .tflite on seeded int8 codes, LiteRT.js (wasm) against runInt8. The TFLite C library matches runInt8
// exactly (scratch/t1.mts), so a difference here is LiteRT.js's kernel (XNNPACK) rounding its own way.
import type { Graph, GraphOp } from '../../src/quant/graph.js';
import type { QuantizedGraph } from '../../src/quant/quantize.js';
import { runInt8 } from '../../src/quant/reference.js';
import { writeTflite } from '../../src/quant/tflite.js';
import { nextU32, seedState } from '../../src/rng.js';
import { compileInt8 } from './litert_int8.js';
import { diffHistogram } from './litert_models.js';

type LiteRtModule = typeof import('@litertjs/core');

const STRIDE_OUT: Record<string, number> = { conv: 1, maxpool: 2, upsample: 0.5 };

/** Op `i` of `q` as a one-op quantized graph (conv, maxpool and upsample only), input stride 1. */
function oneOp(q: QuantizedGraph, i: number): QuantizedGraph | undefined {
  const g = q.graph;
  const op = g.ops[i];
  if (op.kind !== 'conv' && op.kind !== 'maxpool' && op.kind !== 'upsample') return undefined;
  const tensors = [
    { ...g.tensors[op.input], stride: 1 },
    { ...g.tensors[op.output], stride: STRIDE_OUT[op.kind] },
  ];
  const g1: Graph = { name: `op${i}`, tensors, input: 0, output: 1, ops: [{ ...op, input: 0, output: 1 } as GraphOp] };
  return { graph: g1, params: [q.params[op.input], q.params[op.output]], convs: [q.convs[i]], calibration: q.calibration };
}

function codes(n: number, seed: number): Int8Array {
  const s = seedState(seed);
  return Int8Array.from({ length: n }, () => (nextU32(s) & 255) - 128);
}

export interface OpDiff {
  label: string;
  hist: [number, number][];
  within1: number;
}

/** Per op: its label and the LiteRT.js − runInt8 histogram on a seeded `size`² input. */
export async function int8OpDiffs(lr: LiteRtModule, q: QuantizedGraph, size = 16): Promise<OpDiff[]> {
  const out: OpDiff[] = [];
  for (let i = 0; i < q.graph.ops.length; i++) {
    const q1 = oneOp(q, i);
    if (!q1) continue;
    const c = q1.graph.tensors[0].channels;
    const x = codes(size * size * c, 1000 + i);
    const m = await compileInt8(lr, writeTflite(q1.graph, { height: size, width: size, quantized: q1 }), size, size, c);
    const y = await m.run(x);
    m.delete();
    const op = q.graph.ops[i];
    const label = `op ${i} ${op.kind}${op.kind === 'conv' ? `${op.k}x${op.k}${op.relu ? '+relu' : ''}` : ''}`;
    out.push({ label, ...diffHistogram(y, runInt8(q1, x, size, size)) });
  }
  return out;
}

/** One line per op. */
export function formatOpDiffs(d: readonly OpDiff[]): string {
  return d.map((o) => `${o.label}: ${JSON.stringify(o.hist)} (|d| ≤ 1: ${(100 * o.within1).toFixed(2)} %)`).join('\n');
}
