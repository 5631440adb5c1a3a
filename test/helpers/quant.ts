// SPDX-License-Identifier: MIT
// Shared helpers of the int8 tests: a small graph with every op kind, calibrated quantization of any graph on
// seeded images, the TFLite C runtime gate, and a histogram of code differences.
import type { Graph } from '../../src/quant/graph.js';
import { checkGraph } from '../../src/quant/graph.js';
import { type QuantizedGraph, quantizeGraph } from '../../src/quant/quantize.js';
import { RangeStats } from '../../src/quant/ranges.js';
import { findTfliteLibrary } from '../../src/quant/tflite_c.js';
import { nextU32, seedState } from '../../src/rng.js';
import { runGraphTf } from '../../src/tomogan/graph_tf.js';
import { tf } from '../../src/tomogan/tf.js';

function uniform(n: number, s: Uint32Array, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (nextU32(s) / 2 ** 32) * (hi - lo);
  return a;
}

/** conv 3×3 (2→8, relu) → pool → conv 1×1 (8→8, relu) → upsample → concat with the first → conv 3×3 (16→2) → add the input → conv 1×1 (2→1). */
export function smallGraph(seed = 3): Graph {
  const s = seedState(seed);
  const conv = (name: string, input: number, output: number, k: 1 | 3, cin: number, cout: number, relu: boolean) => ({
    kind: 'conv' as const, name, input, output, k, relu, kernel: uniform(k * k * cin * cout, s, -0.4, 0.4), bias: uniform(cout, s, -2, 2),
  });
  return checkGraph({
    name: 'small',
    tensors: [
      { name: 'x', channels: 2, stride: 1 }, { name: 'a', channels: 8, stride: 1 }, { name: 'p', channels: 8, stride: 2 },
      { name: 'b', channels: 8, stride: 2 }, { name: 'u', channels: 8, stride: 1 }, { name: 'cat', channels: 16, stride: 1 },
      { name: 'c', channels: 2, stride: 1 }, { name: 'sum', channels: 2, stride: 1 }, { name: 'y', channels: 1, stride: 1 },
    ],
    input: 0,
    output: 8,
    ops: [
      conv('a', 0, 1, 3, 2, 8, true), { kind: 'maxpool', input: 1, output: 2 }, conv('b', 2, 3, 1, 8, 8, true),
      { kind: 'upsample', input: 3, output: 4 }, { kind: 'concat', inputs: [1, 4], output: 5 }, conv('c', 5, 6, 3, 16, 2, false),
      { kind: 'add', inputs: [0, 6], output: 7, relu: true }, conv('y', 7, 8, 1, 2, 1, false),
    ],
  });
}

/** A seeded NHWC image with values in [lo, hi). */
export function seededInput(h: number, w: number, c: number, seed: number, lo = 0, hi = 255): Float32Array {
  return uniform(h * w * c, seedState(seed), lo, hi);
}

/** Quantizes `g` with min/max ranges measured on `images` NHWC inputs of h × w (the active tfjs backend). */
export function calibrate(g: Graph, images: Float32Array[], h: number, w: number): QuantizedGraph {
  const stats = new RangeStats(1);
  const c = g.tensors[g.input].channels;
  for (const im of images) {
    const x = tf.tensor4d(im, [1, h, w, c]);
    runGraphTf(g, x, (j, t) => stats.add(j, t.dataSync())).dispose();
    x.dispose();
  }
  return quantizeGraph(g, g.tensors.map((_, j) => stats.range(j, 'minmax')), { method: 'minmax', images: images.length });
}

/** null when the TFLite C library and koffi are there; else the reason (printed), or a throw under CI=true. */
export async function missingTflite(): Promise<string | null> {
  let reason: string | null = null;
  if (!findTfliteLibrary()) reason = 'no TFLite C library (the devDependency tfjs-tflite-node ships it: npm install)';
  else
    await import('koffi').catch((e: Error) => {
      reason = `the optional dependency koffi does not load (${e.message})`;
    });
  if (reason && process.env.CI === 'true') throw new Error(`CI=true requires the TFLite C runtime: ${reason}`);
  if (reason) console.warn(`skipping: ${reason}`);
  return reason;
}

/** Counts of (a − b) per difference, and the share within ±1. */
export function diffHistogram(a: ArrayLike<number>, b: ArrayLike<number>): { hist: Record<string, number>; within1: number; maxAbs: number } {
  const hist: Record<string, number> = {};
  let ok = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    hist[d] = (hist[d] ?? 0) + 1;
    if (Math.abs(d) <= 1) ok++;
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  return { hist, within1: ok / a.length, maxAbs };
}
