// SPDX-License-Identifier: MIT
// anyml's .tflite files in the TFLite C interpreter (a runtime nobody here wrote, TFLite 2.9 as tfjs-tflite-node
// ships it): the float file against anyml's float graph on tfjs, the int8 file against anyml's int8 reference,
// on a small graph with every op kind and on TomoGAN with the shipped weights, on seeded and simulated images.
import { beforeAll, describe, expect, it } from 'vitest';
import { type QuantizedGraph } from '../../../src/quant/quantize.js';
import { quantizeArray, runInt8 } from '../../../src/quant/reference.js';
import { writeTflite } from '../../../src/quant/tflite.js';
import { openTflite } from '../../../src/quant/tflite_c.js';
import type { Graph } from '../../../src/quant/graph.js';
import { loadDefaultWeights } from '../../../src/tomogan/default_weights.js';
import { generatorGraph } from '../../../src/tomogan/graph.js';
import { runGraphTf } from '../../../src/tomogan/graph_tf.js';
import { tf } from '../../../src/tomogan/tf.js';
import { simulatedPairs } from '../../../src/tomogan/train/dataset.js';
import { calibrate, diffHistogram, missingTflite, seededInput, smallGraph } from '../../helpers/quant.js';

const skip = await missingTflite();

function floatOf(g: Graph, x: Float32Array, h: number, w: number): Float32Array {
  const t = tf.tensor4d(x, [1, h, w, g.tensors[g.input].channels]);
  const y = runGraphTf(g, t);
  const out = y.dataSync() as Float32Array;
  t.dispose();
  y.dispose();
  return out;
}

async function tfliteFloat(g: Graph, x: Float32Array, h: number, w: number): Promise<Float32Array> {
  const it = await openTflite(writeTflite(g, { height: h, width: w }));
  try {
    expect(it.input.shape).toEqual([1, h, w, g.tensors[g.input].channels]);
    return it.run(x) as Float32Array;
  } finally {
    it.close();
  }
}

async function tfliteInt8(q: QuantizedGraph, x: Int8Array, h: number, w: number): Promise<Int8Array> {
  const it = await openTflite(writeTflite(q.graph, { height: h, width: w, quantized: q }));
  try {
    return it.run(x) as Int8Array;
  } finally {
    it.close();
  }
}

function expectRel(a: Float32Array, ref: Float32Array, tol: number): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) (d = Math.max(d, Math.abs(a[i] - ref[i]))), (m = Math.max(m, Math.abs(ref[i])));
  expect(d / m).toBeLessThan(tol);
  return d / m;
}

async function expectInt8Agrees(q: QuantizedGraph, x: Float32Array, h: number, w: number, label: string): Promise<void> {
  const xi = quantizeArray(x, q.params[q.graph.input]);
  const ref = runInt8(q, xi, h, w);
  const got = await tfliteInt8(q, xi, h, w);
  const { hist, within1, maxAbs } = diffHistogram(got, ref);
  console.log(`${label}: TFLite − reference code differences ${JSON.stringify(hist)} (${(within1 * 100).toFixed(3)} % within 1 LSB)`);
  expect(within1).toBeGreaterThanOrEqual(0.999);
  expect(maxAbs).toBeLessThanOrEqual(2);
}

describe.skipIf(skip)('TFLite C interpreter runs anyml .tflite files', () => {
  beforeAll(async () => void (await tf.setBackend('cpu')));

  it('a graph with every op kind: float within 1e-5 relative, int8 within 1 LSB', async () => {
    const g = smallGraph();
    for (const [h, w] of [[16, 16], [8, 24]]) {
      const x = seededInput(h, w, 2, h + w, -3, 3);
      expectRel(await tfliteFloat(g, x, h, w), floatOf(g, x, h, w), 1e-5);
      const q = calibrate(g, [1, 2, 3].map((s) => seededInput(h, w, 2, s, -3, 3)), h, w);
      await expectInt8Agrees(q, x, h, w, `small ${h}×${w}`);
    }
  });

  it('TomoGAN with the shipped weights: float within 1e-4, int8 within 1 LSB on ≥ 99.9 % of pixels', { timeout: 300_000 }, async () => {
    const g = generatorGraph(await loadDefaultWeights());
    const sim = simulatedPairs({ count: 3, size: 64, seed: 21 }).map((p) => p.noisy.data);
    const q = calibrate(g, sim.slice(0, 2), 64, 64);
    const rel = expectRel(await tfliteFloat(g, sim[2], 64, 64), floatOf(g, sim[2], 64, 64), 1e-4);
    console.log(`TomoGAN 64×64 float: TFLite vs tfjs max relative difference ${rel.toExponential(2)}`);
    await expectInt8Agrees(q, sim[2], 64, 64, 'TomoGAN 64×64 simulated slice');
    await expectInt8Agrees(q, seededInput(64, 64, 1, 9), 64, 64, 'TomoGAN 64×64 uniform noise');
    const wide = seededInput(32, 96, 1, 10);
    expectRel(await tfliteFloat(g, wide, 32, 96), floatOf(g, wide, 32, 96), 1e-4);
    await expectInt8Agrees(q, wide, 32, 96, 'TomoGAN 32×96 uniform noise');
  });

  it('refuses sizes the graph cannot take and bytes that are not a model', async () => {
    const g = smallGraph();
    expect(() => writeTflite(g, { height: 15, width: 16 })).toThrow(/writeTflite: options.height: got 15, expected a positive multiple of 2/);
    await expect(openTflite(new Uint8Array(64))).rejects.toThrow(/openTflite: model/);
    const it = await openTflite(writeTflite(g, { height: 8, width: 8 }));
    expect(() => it.run(new Float32Array(5))).toThrow(/got 20 bytes, expected 512 \(shape 1×8×8×2\)/);
    it.close();
  });
});
