// SPDX-License-Identifier: MIT
// The TomoGAN .tflite files the LiteRT.js checks run (float and int8), seeded inputs and the comparison figures,
// shared by test/browser/litert.browser.test.ts, bench/tomogan_edge/litert.browser.ts and litert_node.mts.
import type { Graph } from '../../src/quant/graph.js';
import { type QuantizedGraph, quantizeGraph } from '../../src/quant/quantize.js';
import { RangeStats } from '../../src/quant/ranges.js';
import { writeTflite } from '../../src/quant/tflite.js';
import { nextU32, seedState } from '../../src/rng.js';
import { loadDefaultWeights } from '../../src/tomogan/default_weights.js';
import { generatorGraph } from '../../src/tomogan/graph.js';
import { runGraphTf } from '../../src/tomogan/graph_tf.js';
import { tf } from '../../src/tomogan/tf.js';
import { relErr } from '../../test/helpers/tomogan.js';

export { relErr };

/** The shipped TomoGAN generator as a quant Graph. */
export async function tomoganGraph(): Promise<Graph> {
  return generatorGraph(await loadDefaultWeights());
}

/** A seeded h × w single-channel image in [0, 255) (TomoGAN's input scale). */
export function seededImage(h: number, w: number, seed = 1): Float32Array {
  const s = seedState(seed);
  const x = new Float32Array(h * w);
  for (let i = 0; i < x.length; i++) x[i] = (nextU32(s) / 2 ** 32) * 255;
  return x;
}

/** A smooth seeded image, like scratch/t1.mts's calibration images. */
function smoothImage(h: number, w: number, k: number): Float32Array {
  const x = new Float32Array(h * w);
  for (let i = 0; i < x.length; i++) x[i] = 128 + 100 * Math.sin(i * 0.1 * (k + 1)) * Math.cos(i * 0.011);
  return x;
}

/** `g` on the active tfjs backend for one h × w image; the output values. */
export async function tfjsRun(g: Graph, x: Float32Array, h: number, w: number): Promise<Float32Array> {
  const t = tf.tensor4d(x, [1, h, w, 1]);
  const y = runGraphTf(g, t);
  t.dispose();
  const out = (await y.data()) as Float32Array;
  y.dispose();
  return out;
}

/**
 * Calibrates on the active tfjs backend (min/max over 2 smooth + 2 seeded noise images of h × w, as scratch/t1.mts)
 * and returns the int8 graph.
 */
export function calibrateInt8(g: Graph, h: number, w: number): QuantizedGraph {
  const stats = new RangeStats(1);
  const images = [smoothImage(h, w, 0), smoothImage(h, w, 1), seededImage(h, w, 101), seededImage(h, w, 102)];
  for (const xs of images) {
    const t = tf.tensor4d(xs, [1, h, w, 1]);
    runGraphTf(g, t, (j, v) => stats.add(j, v.dataSync())).dispose();
    t.dispose();
  }
  const ranges = g.tensors.map((_, j) => stats.range(j, 'minmax'));
  return quantizeGraph(g, ranges, { method: 'minmax', images: images.length });
}

/** The float .tflite of `g` for h × w, and the int8 one when `q` is given. */
export function tfliteBytes(g: Graph, h: number, w: number, q?: QuantizedGraph): Uint8Array {
  return writeTflite(g, { height: h, width: w, quantized: q });
}


/** Histogram of a[i] − b[i] (int8 codes) as sorted [difference, count] pairs, and the share with |d| ≤ 1. */
export function diffHistogram(a: Int8Array, b: Int8Array): { hist: [number, number][]; within1: number } {
  const h = new Map<number, number>();
  let ok = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    h.set(d, (h.get(d) ?? 0) + 1);
    if (Math.abs(d) <= 1) ok++;
  }
  return { hist: [...h.entries()].sort((x, y) => x[0] - y[0]), within1: ok / a.length };
}

/** Median of the values. */
export function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
