// SPDX-License-Identifier: MIT
// trainSvm on the package's synthetic data: accuracy, determinism, backend parity, options, abort.
import { describe, expect, it } from 'vitest';
import { AbortError, InvalidInputError } from '../../../src/errors.js';
import { subsetDataset } from '../../../src/svm/data.js';
import { makeClassification } from '../../../src/svm/synthetic.js';
import { jsBackend, registerSvmBackend } from '../../../src/svm/backends/index.js';
import { trainSvm } from '../../../src/svm/train.js';

const all = makeClassification({ rows: 5000, features: 60, density: 0.2, noise: 0.03, seed: 11 });
const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
const train = subsetDataset(all, range(0, 4000));
const test = subsetDataset(all, range(4000, 5000));

describe('trainSvm', () => {
  it('learns the synthetic problem (label noise 3% → accuracy ≥ 0.93) and reports what ran', async () => {
    const model = await trainSvm(train, { seed: 3 });
    expect(model.evaluate(test).accuracy).toBeGreaterThanOrEqual(0.93);
    expect(['wasm-simd', 'wasm', 'js']).toContain(model.backend);
    expect(model.backend).toBe('wasm-simd'); // Node 20 has SIMD: auto must pick it
    expect(model.history.length).toBeGreaterThanOrEqual(1);
    expect(model.timing.lambdaSearchSeconds).toBeGreaterThan(0);
    expect((model.trainedWith.lambdaSearch as unknown[]).length).toBe(5);
    for (const h of model.history) expect(h.updateSeconds).toBeGreaterThanOrEqual(0);
  });

  it('gives the same model for the same seed, and a different one for another seed', async () => {
    const a = await trainSvm(train, { lambda: 1e-3, seed: 5, backend: 'wasm' });
    const b = await trainSvm(train, { lambda: 1e-3, seed: 5, backend: 'wasm' });
    const c = await trainSvm(train, { lambda: 1e-3, seed: 6, backend: 'wasm' });
    expect(b.weights).toEqual(a.weights);
    expect(b.bias).toBe(a.bias);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('js and wasm give bit-identical models; wasm-simd agrees to 1e-4 relative', async () => {
    const opts = { lambda: 1e-4, seed: 9, epochs: 5, tol: 0 } as const;
    const js = await trainSvm(train, { ...opts, backend: 'js' });
    const wasm = await trainSvm(train, { ...opts, backend: 'wasm' });
    const simd = await trainSvm(train, { ...opts, backend: 'wasm-simd' });
    expect(wasm.weights).toEqual(js.weights);
    expect(wasm.bias).toBe(js.bias);
    expect(wasm.history.map((h) => h.objective)).toEqual(js.history.map((h) => h.objective));
    let maxW = 0;
    for (const v of js.weights) maxW = Math.max(maxW, Math.abs(v));
    for (let j = 0; j < js.weights.length; j++) expect(Math.abs(simd.weights[j] - js.weights[j])).toBeLessThanOrEqual(1e-4 * maxW);
    expect(Math.abs(simd.evaluate(test).accuracy - js.evaluate(test).accuracy)).toBeLessThanOrEqual(0.002);
  });

  it('supports the paper and seed-alpha schedules and mini-batches', async () => {
    for (const schedule of ['paper', 'seed-alpha'] as const) {
      // The seed's constant step (seed-alpha) was tuned on these raw features: 0.71 raw, 0.55 after max-abs scaling.
      const m = await trainSvm(train, { lambda: 1e-3, schedule, epochs: 5, seed: 1, scale: 'none' });
      expect(m.trainedWith.schedule).toBe(schedule);
      expect(m.evaluate(test).accuracy).toBeGreaterThan(0.7);
    }
    const mb = await trainSvm(train, { lambda: 1e-4, batchSize: 8, seed: 1 });
    expect(mb.evaluate(test).accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('stops early on the tolerance and runs all epochs with tol 0', async () => {
    const full = await trainSvm(train, { lambda: 1e-3, epochs: 6, tol: 0 });
    expect(full.history.length).toBe(6);
    const early = await trainSvm(train, { lambda: 1e-3, epochs: 50, tol: 0.05 });
    expect(early.history.length).toBeLessThan(50);
  });

  it('maps predictions back to the user labels', async () => {
    const relabelled = { ...train, labels: [3, 7] as [number, number] };
    const m = await trainSvm(relabelled, { lambda: 1e-3 });
    expect(new Set(m.predict(test.x))).toEqual(new Set([3, 7]));
  });

  it('rejects bad options naming the option, the value and the expectation', async () => {
    await expect(trainSvm(train, { lambda: -1 })).rejects.toThrow(/trainSvm: options\.lambda: got -1, expected a finite number > 0 or 'auto'/);
    await expect(trainSvm(train, { epochs: 0 })).rejects.toThrow(/options\.epochs: got 0/);
    await expect(trainSvm(train, { batchSize: 1.5 })).rejects.toThrow(InvalidInputError);
    await expect(trainSvm(train, { schedule: 'adam' as 'paper' })).rejects.toThrow(/options\.schedule/);
    await expect(trainSvm(train, { backend: 'cuda' })).rejects.toThrow(/options\.backend: got "cuda", expected one of 'auto', 'wasm-simd', 'wasm', 'js'/);
    await expect(trainSvm({ ...train, y: new Float32Array(3) }, {})).rejects.toThrow(/trainSvm: data\.y/);
  });

  it('stops with AbortError when the signal fires', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(trainSvm(train, { lambda: 1e-3, signal: ctl.signal })).rejects.toThrow(AbortError);
    const ctl2 = new AbortController();
    const p = trainSvm(train, { lambda: 1e-3, epochs: 100, tol: 0, signal: ctl2.signal, onEpoch: (e) => e.epoch === 2 && ctl2.abort() });
    await expect(p).rejects.toThrow(/aborted/);
  });
});

describe('makeClassification', () => {
  it('is one problem per seed: a model of seed 1 is at chance on seed 2 and accurate on its own testFraction split', async () => {
    const { train, test } = makeClassification({ rows: 5000, features: 50, seed: 1, testFraction: 0.2 });
    expect([train.x.rows, test.x.rows, train.x.cols, test.x.cols]).toEqual([4000, 1000, 50, 50]);
    const model = await trainSvm(train, { lambda: 1e-3, seed: 1 });
    const other = makeClassification({ rows: 1000, features: 50, seed: 2 });
    const [same, diff] = [model.evaluate(test).accuracy, model.evaluate(other).accuracy];
    console.log(`makeClassification: test split of seed 1 ${same.toFixed(4)}, seed 2 ${diff.toFixed(4)}`);
    expect(same).toBeGreaterThan(0.9);
    expect(diff).toBeLessThan(same - 0.25); // another problem: near chance, not a test set
    // The split is the unsplit stream cut in two.
    const whole = makeClassification({ rows: 5000, features: 50, seed: 1 });
    expect(test.y).toEqual(whole.y.slice(4000));
  });

  it('rejects a testFraction outside (0, 1)', () => {
    for (const f of [0, 1, -0.1, Number.NaN, 0.0001])
      expect(() => makeClassification({ rows: 100, testFraction: f })).toThrow(/makeClassification: options\.testFraction/);
  });
});

describe('trainSvm refuses data it cannot train on', () => {
  it('NaN or Infinity in the matrix, named by row and column', async () => {
    const d = makeClassification({ rows: 50, features: 10, seed: 3 });
    if (d.x.kind !== 'csr') throw new Error('expected CSR data');
    const values = d.x.values.slice();
    values[d.x.indptr[7]] = NaN;
    const bad = { ...d, x: { ...d.x, values } };
    await expect(trainSvm(bad, { lambda: 1e-3 })).rejects.toThrow(new RegExp(`trainSvm: data\\.x: row 7, column ${d.x.indices[d.x.indptr[7]]}: got NaN, expected finite feature values`));
    const dense = makeClassification({ rows: 20, features: 4, density: 1, seed: 3 });
    if (dense.x.kind !== 'dense') throw new Error('expected dense data');
    const data = dense.x.data.slice();
    data[9] = -Infinity;
    await expect(trainSvm({ ...dense, x: { ...dense.x, data } }, { lambda: 1e-3 })).rejects.toThrow(/row 2, column 1: got -Infinity/);
  });

  it('training that goes non-finite stops with an error naming the largest feature value (no model)', async () => {
    // A backend whose objective overflows, standing in for float32 overflow in the real solvers.
    registerSvmBackend({
      name: 'overflows',
      priority: -1,
      load: async () => ({ createSolver: (x, y, o) => Object.assign(jsBackend.createSolver(x, y, o), { objective: () => Infinity }) }),
    });
    const d = makeClassification({ rows: 60, features: 5, seed: 4 });
    await expect(trainSvm(d, { lambda: 1e-3, backend: 'overflows' })).rejects.toThrow(
      /trainSvm: data: got training diverged to an objective of Infinity in epoch 1 \(λ = 0\.001\); the largest feature value is .* at row \d+, column \d+, expected .*scale the features/,
    );
  });
});
