// SPDX-License-Identifier: MIT
// Generator structure (docs/tomogan.md table rows 1–16), half-pixel bilinear, seeded init, weight save/load round trip.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/tomogan/backends/index.js';
import { tf } from '../../../src/tomogan/tf.js';
import { createGenerator, layerSpecs, loadWeights, saveWeights, upsample2x, type Generator } from '../../../src/tomogan/model.js';
import { forwardSeeded } from '../../helpers/tomogan.js';

beforeAll(async () => {
  await useBackend('wasm');
});

/** Bitwise equality of float arrays (vitest's toEqual is slow on 100k-element typed arrays). */
const same = (a: Float32Array | undefined, b: Float32Array) =>
  !!a && a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

const run = (gen: Generator, w = 32, h = 40, seed = 3) => forwardSeeded(gen, w, h, seed);

describe('TomoGAN generator structure', () => {
  it('has the parameter counts of docs/tomogan.md (694,897 / 694,913 repo; 1,063,729 paper)', () => {
    expect(createGenerator({ depth: 1, widths: 'repo' }).paramCount).toBe(694_897);
    expect(createGenerator({ depth: 3, widths: 'repo' }).paramCount).toBe(694_913);
    expect(createGenerator({ depth: 1, widths: 'paper' }).paramCount).toBe(1_063_729);
    expect(createGenerator({ depth: 3, widths: 'paper' }).paramCount).toBe(1_063_745);
  });

  it('matches the per-layer params of the table (repo, depth 1)', () => {
    const per = layerSpecs({ depth: 1, widths: 'repo' }).map((s) => s.k * s.k * s.cin * s.cout + s.cout);
    expect(per).toEqual([16, 2336, 9248, 18496, 36928, 73856, 147584, 147584, 147520, 36928, 36896, 9248, 18464, 9248, 528, 17]);
  });

  it('matches the conv FLOPs for 1024² (194,397,601,792 repo / ≈300.70 G paper, docs/tomogan.md)', () => {
    const flops = (widths: 'repo' | 'paper') => {
      const res = [1024, 1024, 1024, 512, 512, 256, 256, 128, 256, 256, 512, 512, 1024, 1024, 1024, 1024];
      return layerSpecs({ depth: 1, widths }).reduce((n, s, i) => n + 2 * res[i] * res[i] * s.k * s.k * s.cin * s.cout, 0);
    };
    expect(flops('repo')).toBe(194_397_601_792);
    expect(flops('paper') / 1e9).toBeCloseTo(300.7, 2);
  });

  it('seeds glorot-uniform kernels deterministically, zero biases', () => {
    const a = createGenerator({ seed: 7 });
    const b = createGenerator({ seed: 7 });
    const c = createGenerator({ seed: 8 });
    const ka = a.weights.get('conv2d_1')!.kernel;
    expect(same(ka, b.weights.get('conv2d_1')!.kernel)).toBe(true);
    expect(same(ka, c.weights.get('conv2d_1')!.kernel)).toBe(false);
    const limit = Math.sqrt(6 / (9 * (8 + 32)));
    let mx = 0;
    let mean = 0;
    for (const v of ka) {
      mx = Math.max(mx, Math.abs(v));
      mean += v / ka.length;
    }
    expect(mx).toBeLessThanOrEqual(limit);
    expect(mx).toBeGreaterThan(0.95 * limit);
    expect(Math.abs(mean)).toBeLessThan(0.05 * limit);
    for (const w of a.weights.values()) expect(w.bias.every((v) => v === 0)).toBe(true);
  });

  it('rejects sizes that are not multiples of 8 and wrong channel counts', () => {
    const g = createGenerator();
    const x = tf.zeros([1, 12, 16, 1]) as tf.Tensor4D;
    expect(() => g.forward(x)).toThrow(/multiples of 8/);
    x.dispose();
    const x3 = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    expect(() => g.forward(x3)).toThrow(/1 \(model depth\)/);
    x3.dispose();
  });

  it('does not leak tensors in forward (only the cached weights stay)', async () => {
    const g = createGenerator({ seed: 1 });
    await run(g); // creates the weight cache
    const before = tf.memory().numTensors;
    await run(g);
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before - 32);
  });
});

describe('bilinear ×2 upsampling = TF2 Keras UpSampling2D (half-pixel centres)', () => {
  // Input [[0,1],[2,3]]. Half-pixel source coordinate of output i: (i + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25,
  // clamped: weights on x1 of 0, 0.25, 0.75, 1 per axis → out(y, x) = 2·r[y] + r[x], r = [0, .25, .75, 1].
  const expected = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3];
  // Legacy (align_corners=False, half_pixel_centers=False): source i/2 = 0, .5, 1, 1.5 → r = [0, .5, 1, 1].
  const legacy = [0, 0.5, 1, 1, 1, 1.5, 2, 2, 2, 2.5, 3, 3, 2, 2.5, 3, 3];
  for (const backend of ['cpu', 'wasm'] as const)
    it(`pins the hand-computed 2×2 → 4×4 case on ${backend}`, async () => {
      await useBackend(backend);
      const x = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
      const up = upsample2x(x);
      const old = tf.image.resizeBilinear(x, [4, 4]); // tfjs default = legacy mode
      expect(Array.from(await up.data())).toEqual(expected);
      expect(Array.from(await old.data())).toEqual(legacy);
      expect(Array.from(await old.data())).not.toEqual(expected);
      tf.dispose([x, up, old]);
      await useBackend('wasm');
    });
});

describe('saveWeights / loadWeights (tfjs model.json + weights.bin)', () => {
  it('a missing model.json or weights.bin is an InvalidInputError naming the file', async () => {
    const d = mkdtempSync(join(tmpdir(), 'anyml-w-'));
    await expect(loadWeights(join(d, 'nope.json'))).rejects.toThrow(/loadWeights: file: ENOENT: got .*nope\.json, expected a readable model\.json/);
    const saved = saveWeights(createGenerator({ seed: 1 }));
    writeFileSync(join(d, 'model.json'), JSON.stringify(saved.modelJson));
    await expect(loadWeights(join(d, 'model.json'))).rejects.toThrow(/weights\.bin, expected a readable/);
  });

  it('round-trips through objects and bytes with identical output', async () => {
    const g = createGenerator({ depth: 3, widths: 'paper', seed: 11 });
    const saved = saveWeights(g);
    expect(saved.weightData.byteLength).toBe(4 * g.paramCount);
    expect(saved.modelJson.weightsManifest[0].weights[0]).toEqual({ name: 'conv2d/kernel', shape: [1, 1, 3, 8], dtype: 'float32' });
    expect(saved.modelJson.weightsManifest[0].weights).toHaveLength(32);
    const json = new TextEncoder().encode(JSON.stringify(saved.modelJson));
    const g2 = await loadWeights({ modelJson: json, weightData: new Uint8Array(saved.weightData.slice(0)) });
    expect(g2.depth).toBe(3);
    expect(g2.widths).toBe('paper');
    for (const [k, w] of g.weights) expect(same(g2.weights.get(k)!.kernel, w.kernel) && same(g2.weights.get(k)!.bias, w.bias)).toBe(true);
    expect(same(await run(g2), await run(g))).toBe(true);
    // without the topology, depth and widths are inferred from the kernel shapes
    const bare = { ...saved.modelJson, modelTopology: undefined } as unknown as typeof saved.modelJson;
    const g3 = await loadWeights({ modelJson: bare, weightData: saved.weightData });
    expect([g3.depth, g3.widths]).toEqual([3, 'paper']);
  });

  it('loads from a file: URL, a path and an http URL (fetch), weight paths relative to model.json', async () => {
    const g = createGenerator({ seed: 5 });
    const saved = saveWeights(g);
    const dir = mkdtempSync(join(tmpdir(), 'tomogan-w-'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify(saved.modelJson));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(saved.weightData));
    const a = await loadWeights(pathToFileURL(join(dir, 'model.json')));
    const b = await loadWeights(join(dir, 'model.json'));
    const seen: string[] = [];
    const files: Record<string, ArrayBuffer> = {
      'https://x.test/m/model.json': new TextEncoder().encode(JSON.stringify(saved.modelJson)).buffer as ArrayBuffer,
      'https://x.test/m/weights.bin': saved.weightData,
    };
    const c = await loadWeights('https://x.test/m/model.json', {
      fetch: async (u) => (seen.push(u), { ok: u in files, status: u in files ? 200 : 404, arrayBuffer: async () => files[u] }),
    });
    expect(seen).toEqual(['https://x.test/m/model.json', 'https://x.test/m/weights.bin']);
    for (const h of [a, b, c]) for (const [k, w] of g.weights) expect(same(h.weights.get(k)!.kernel, w.kernel) && same(h.weights.get(k)!.bias, w.bias)).toBe(true);
    await expect(loadWeights('https://x.test/none.json', { fetch: async () => ({ ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) }) })).rejects.toThrow(/HTTP 404/);
  });

  it('rejects truncated weight data and missing layers', async () => {
    const saved = saveWeights(createGenerator());
    await expect(loadWeights({ modelJson: saved.modelJson, weightData: saved.weightData.slice(0, 1000) })).rejects.toThrow(/bytes/);
    const mj = structuredClone(saved.modelJson);
    mj.weightsManifest[0].weights = mj.weightsManifest[0].weights.filter((e) => !e.name.startsWith('conv2d_15/'));
    await expect(loadWeights({ modelJson: mj, weightData: saved.weightData })).rejects.toThrow(/conv2d_15/);
  });
});
