// SPDX-License-Identifier: MIT
// The edge path: quantizeTomogan's parameters follow the specification's constraints, the pipeline's int8 tiles agree
// between the reference and TFLite, edge models survive JSON, and denoise refuses what the edge path cannot do.
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenerator } from '../../../src/tomogan/model.js';
import { quantizeTomogan } from '../../../src/tomogan/edge/build.js';
import { edgeModelFromJson, edgeModelToJson } from '../../../src/tomogan/edge/model_file.js';
import { runEdge, type TomoganEdgeModel } from '../../../src/tomogan/edge/pipeline.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { simulatedPairs } from '../../../src/tomogan/train/dataset.js';
import { ssim } from '../../../src/tomo/metrics.js';
import { loadOrtNode } from '../../../src/tomogan/backends/native.js';
import { diffHistogram, missingTflite } from '../../helpers/quant.js';

const skipTflite = await missingTflite();
const gen = createGenerator({ seed: 4 });
const sims = simulatedPairs({ count: 3, size: 128, seed: 31 });
let edge: TomoganEdgeModel;

beforeAll(async () => {
  edge = await quantizeTomogan(gen, sims.slice(0, 2).map((p) => p.noisy), { finetune: false, method: 'minmax' });
}, 120_000);

describe('quantizeTomogan', () => {
  it('follows the specification: fixed 0…255 input, symmetric per-channel weights, shared concat / pool / resize parameters', () => {
    const q = edge.tomogan.quantized;
    const g = q.graph;
    expect(q.params[g.input]).toEqual({ scale: 1, zeroPoint: -128 });
    for (const [i, op] of g.ops.entries()) {
      if (op.kind === 'conv') {
        const c = q.convs[i]!;
        // Symmetric: −128 never appears, and every channel reaches ±127 (its scale is its own max |w| / 127).
        const cout = g.tensors[op.output].channels;
        const per = c.weights.length / cout;
        const peak = new Int32Array(cout);
        c.weights.forEach((v, j) => {
          expect(v).toBeGreaterThanOrEqual(-127);
          peak[Math.floor(j / per)] = Math.max(peak[Math.floor(j / per)], Math.abs(v));
        });
        expect([...new Set(peak)]).toEqual([127]);
        // A fused ReLU's output range starts at 0: the zero point is the range's bottom, −128.
        if (op.relu) expect(q.params[op.output].zeroPoint).toBe(-128);
      }
      if (op.kind === 'concat') for (const j of op.inputs) expect(q.params[j]).toEqual(q.params[op.output]);
      if (op.kind === 'maxpool' || op.kind === 'upsample') expect(q.params[op.input]).toEqual(q.params[op.output]);
    }
    expect(q.calibration).toMatchObject({ method: 'minmax', images: 2 });
  });

  it('refuses an empty calibration set, images smaller than a tile and tiles that break the pools', async () => {
    await expect(quantizeTomogan(gen, [], { finetune: false })).rejects.toThrow(/calibration: got an empty set, expected at least one image/);
    const small = { width: 32, height: 64, depth: 1, data: new Float32Array(32 * 64) };
    await expect(quantizeTomogan(gen, [small], { finetune: false })).rejects.toThrow(/calibration\[0\]: got 32×64, expected at least one 64×64 tile/);
    await expect(quantizeTomogan(gen, [sims[0].noisy], { finetune: false, tile: 60 })).rejects.toThrow(/options.tile: got 60, expected a multiple of 8/);
    const deep = { ...sims[0].noisy, depth: 3, data: new Float32Array(3 * 128 * 128) };
    await expect(quantizeTomogan(gen, [deep], { finetune: false })).rejects.toThrow(/calibration\[0\].depth: got 3, expected 1/);
  });

  it('int8 64² tiles stay close to the float generator on the same tiles (SSIM ≥ 0.99 against it)', async () => {
    const p = sims[2];
    const int8 = await runEdge(edge, p.noisy, { runtime: 'reference' });
    const f = await denoise(p.noisy, { model: gen, scale: 'none', backend: 'wasm', tile: 64, halo: 0 });
    const s = ssim({ width: 128, height: 128, data: int8.data }, f.image, { dataRange: 255, window: 'gaussian11' });
    console.log(`int8 vs float 64² tiles, seeded generator: SSIM ${s.toFixed(4)}`);
    expect(s).toBeGreaterThan(0.99);
    expect(int8.tiles).toBe(4);
    expect(int8.stages.total).toBeGreaterThanOrEqual(int8.stages.model);
  });

  it('round-trips through JSON to the same parameters and codes', async () => {
    const back = edgeModelFromJson(JSON.parse(JSON.stringify(edgeModelToJson(edge, 'seeded'))), gen);
    expect(back.tomogan.quantized.params).toEqual(edge.tomogan.quantized.params);
    const a = await runEdge(edge, sims[2].noisy, { runtime: 'reference' });
    const b = await runEdge(back, sims[2].noisy, { runtime: 'reference' });
    expect(b.data).toEqual(a.data);
    expect(() => edgeModelFromJson({ ...edgeModelToJson(edge, 's'), tomogan: { method: 'minmax', images: 1, ranges: [[0, 1]] } }, gen)).toThrow(
      /tomogan.ranges: got 1 ranges, expected 26 \[min, max\] pairs/,
    );
  });
});

describe.skipIf(skipTflite)('edge runtimes agree', () => {
  it('reference and TFLite give the same stitched codes (≤ 1 LSB on ≥ 99.9 %)', async () => {
    const a = await runEdge(edge, sims[2].noisy, { runtime: 'reference' });
    const b = await runEdge(edge, sims[2].noisy, { runtime: 'tflite' });
    expect(b.runtime).toBe('tflite');
    const s = edge.tomogan.quantized.params[edge.tomogan.quantized.graph.output].scale;
    const codes = (d: Float32Array) => Int32Array.from(d, (v) => Math.round(v / s));
    const { hist, within1 } = diffHistogram(codes(b.data), codes(a.data));
    console.log(`edge pipeline 128×128, TFLite − reference: ${JSON.stringify(hist)}`);
    expect(within1).toBeGreaterThanOrEqual(0.999);
  });
});

describe('denoise with an edge model', () => {
  it('reports progress per batch of tiles and stops when aborted', async () => {
    const big = simulatedPairs({ count: 1, size: 320, seed: 33 })[0].noisy; // 25 tiles: two batches
    const seen: number[][] = [];
    await denoise(big, { model: edge, runtime: 'reference', onProgress: (d, n) => seen.push([d, n]) });
    expect(seen).toEqual([[16, 25], [25, 25]]);
    const ac = new AbortController();
    const run = denoise(big, { model: edge, runtime: 'reference', signal: ac.signal, onProgress: () => ac.abort() });
    await expect(run).rejects.toThrow(/denoise \(edge\) aborted after 16 of 25 tiles/);
  });

  it('runs 3-slice generators: reference and TFLite agree on NHWC tiles of depth 3', async () => {
    const gen3 = createGenerator({ depth: 3, seed: 8 });
    const vol = simulatedPairs({ count: 2, size: 64, seed: 41, depth: 3 }).map((p) => p.noisy);
    const e3 = await quantizeTomogan(gen3, [vol[0]], { finetune: false });
    const a = await runEdge(e3, vol[1], { runtime: 'reference' });
    expect(a.data.length).toBe(64 * 64);
    if (!skipTflite) {
      const b = await runEdge(e3, vol[1], { runtime: 'tflite' });
      const s = e3.tomogan.quantized.params[e3.tomogan.quantized.graph.output].scale;
      const codes = (d: Float32Array) => Int32Array.from(d, (v) => Math.round(v / s));
      expect(diffHistogram(codes(b.data), codes(a.data)).within1).toBeGreaterThanOrEqual(0.999);
    }
    // onnxruntime takes NCHW: the runtime transposes the 3-slice tiles (its rounding differs: docs/tomogan-edge.md).
    const ortMissing = await loadOrtNode().then(() => null, (e: Error) => e.message);
    if (ortMissing && process.env.CI === 'true') throw new Error(`CI=true requires onnxruntime-node: ${ortMissing}`);
    if (ortMissing) return void console.warn(`skipping the onnxruntime part: ${ortMissing}`);
    const o = await runEdge(e3, vol[1], { runtime: 'onnxruntime' });
    const s = e3.tomogan.quantized.params[e3.tomogan.quantized.graph.output].scale;
    const codes = (d: Float32Array) => Int32Array.from(d, (v) => Math.round(v / s));
    const h = diffHistogram(codes(o.data), codes(a.data));
    console.log(`3-slice 64×64, onnxruntime − reference: ${JSON.stringify(h.hist)}`);
    // A seeded (untrained) generator's small output range makes each LSB a larger share of it than with trained
    // weights, so the rounding drift reaches ±6 here; a wrong layout would differ everywhere, not by a few LSB.
    expect(h.maxAbs).toBeLessThanOrEqual(8);
    const img = (d: Float32Array) => ({ width: 64, height: 64, data: d });
    expect(ssim(img(o.data), img(a.data), { dataRange: 255, window: 'gaussian11' })).toBeGreaterThan(0.99);
    gen3.dispose();
  }, 120_000);

  it('reports the runtime and the stage times, and refuses float-path options', async () => {
    const r = await denoise(sims[2].noisy, { model: edge, runtime: 'reference' });
    expect(r.backend).toBe('reference');
    expect(r.stages).toBeDefined();
    expect(r.image.width).toBe(128);
    await expect(denoise(sims[2].noisy, { model: edge, tile: 128 })).rejects.toThrow(/options.tile: got 128, expected 64 \(the edge model's fixed tile\)/);
    await expect(denoise(sims[2].noisy, { model: edge, halo: 8 })).rejects.toThrow(/options.halo: got 8, expected 0/);
    await expect(denoise(sims[2].noisy, { model: edge, backend: 'wasm' })).rejects.toThrow(/options.backend: got wasm, expected nothing with an edge model/);
    await expect(denoise(sims[2].noisy, { model: edge, finetune: true })).rejects.toThrow(/options.finetune: got true, expected an edge model with a fine-tune network/);
    const small = { width: 40, height: 100, depth: 1, data: new Float32Array(4000).fill(10) };
    await expect(denoise(small, { model: edge })).rejects.toThrow(/image: got 40×100, expected at least one 64×64 tile/);
    await expect(denoise(sims[2].noisy, { model: gen, runtime: 'tflite' })).rejects.toThrow(/options.runtime: got a value, expected nothing with a float Generator/);
  });
});
