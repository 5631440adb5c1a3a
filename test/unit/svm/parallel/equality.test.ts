// SPDX-License-Identifier: MIT
// Exactness of data-parallel training: P = 1 is the in-thread engine, runs repeat bit for bit, P identical shards
// equal one worker, and both transports agree.
import { describe, expect, it } from 'vitest';
import { svmBackends } from '../../../../src/svm/backends/index.js';
import type { Dataset } from '../../../../src/types.js';
import { applyAverage, averageContributions, contribution } from '../../../../src/svm/parallel/average.js';
import { trainSvm } from '../../../../src/svm/train.js';
import { expectNoLiveWorkers, expectSameModel, fixed, small } from './helpers.js';

expectNoLiveWorkers();

/** P copies of the same rows, one after another: contiguous sharding then gives every worker the same shard. */
function copies(d: Dataset, P: number): Dataset {
  if (d.x.kind !== 'csr') throw new Error('csr expected');
  const { indptr, indices, values, rows, cols } = d.x;
  const nnz = indptr[rows];
  const ip = new Int32Array(P * rows + 1);
  for (let p = 0; p < P; p++) for (let i = 1; i <= rows; i++) ip[p * rows + i] = p * nnz + indptr[i];
  const rep = <T extends Int32Array | Float32Array>(a: T, n: number, make: (k: number) => T): T => {
    const out = make(P * n);
    for (let p = 0; p < P; p++) out.set(a.subarray(0, n), p * n);
    return out;
  };
  return {
    x: { kind: 'csr', rows: P * rows, cols, indptr: ip, indices: rep(indices, nnz, (k) => new Int32Array(k)), values: rep(values, nnz, (k) => new Float32Array(k)) },
    y: rep(d.y, rows, (k) => new Float32Array(k)),
    labels: d.labels,
  };
}

describe('data-parallel training: exactness', () => {
  for (const syncEvery of [1, 100]) {
    it(`P = 1 equals the in-thread engine (b = ${syncEvery})`, async () => {
      const d = small();
      const o = { ...fixed, epochs: 3, seed: 9 };
      const ref = await trainSvm(d, o);
      for (const transport of ['shared', 'message'] as const) {
        const par = await trainSvm(d, { ...o, workers: 1, syncEvery, transport });
        expectSameModel(par, ref);
      }
    });
  }

  for (const P of [2, 4]) {
    for (const syncEvery of [1, 100]) {
      it(`P = ${P}, b = ${syncEvery}, one epoch: the same model on two runs`, async () => {
        const d = small();
        const o = { ...fixed, epochs: 1, workers: P, syncEvery };
        expectSameModel(await trainSvm(d, o), await trainSvm(d, o));
      });
    }
  }

  it('both transports give the same model (P = 3, b = 7, averaged over two epochs)', async () => {
    const d = small(900, 2);
    const o = { ...fixed, epochs: 2, workers: 3, syncEvery: 7 };
    const shared = await trainSvm(d, { ...o, transport: 'shared' });
    const message = await trainSvm(d, { ...o, transport: 'message' });
    expect(shared.trainedWith.transport).toBe('shared');
    expect(message.trainedWith.transport).toBe('message');
    expectSameModel(shared, message);
  });

  for (const P of [2, 4]) {
    it(`P workers with b = 1 on P identical shards equal one worker (P = ${P})`, async () => {
      // Every worker holds the same rows and the same seed, so after each sample all P states are equal, and a
      // correct average of P equal models is that model again: Σ_p w in f64 is exact (P·w, P a power of two) and
      // so is the division by P; the same for the bias and the averaged model A. A wrong average (wrong sum, a
      // missing /P, the raw v without its scale, A without avgDiv, an averaged-model reset) breaks the equality.
      // The reference is one in-thread solver that, after every sample, installs the "average" of its own state
      // alone: a sync re-expresses the state (v ← f32(scale·v), scale 1; a ← A, avgWFrac 0, avgDiv 1), which changes
      // later rounding, so the plain engine is only close (checked below), while this reference is exact.
      const one = small(300, 4);
      const epochs = 2, seed = 3, lambda = 1e-3;
      // scale 'none': the reference solver below runs on the raw rows.
      const par = await trainSvm(copies(one, P), { lambda, tol: 0, epochs, seed, workers: P, syncEvery: 1, refitBias: false, scale: 'none' });
      const { impl } = await svmBackends.resolve('auto', 'test');
      const solver = impl.createSolver(one.x, one.y, { lambda, batchSize: 1, schedule: 'pegasos', shuffle: true, averaged: true, averageStart: one.x.rows, biasScale: 1, seed });
      const plain = impl.createSolver(one.x, one.y, { lambda, batchSize: 1, schedule: 'pegasos', shuffle: true, averaged: true, averageStart: one.x.rows, biasScale: 1, seed });
      try {
        for (let e = 0; e < epochs; e++) {
          solver.beginEpoch();
          while (solver.run(1) === 1) {
            const s = solver.getState();
            applyAverage(solver, s, averageContributions([contribution(s)]));
          }
          plain.runEpoch();
        }
        const ref = solver.weights();
        expect(Array.from(par.weights)).toEqual(Array.from(ref.w));
        expect(par.bias).toBe(ref.bias);
        expect(par.history[epochs - 1].objective).toBeCloseTo(solver.objective(), 12);
        const pw = plain.weights().w;
        const diff = Math.max(...Array.from(pw, (v, j) => Math.abs(v - par.weights[j])));
        expect(diff).toBeLessThan(1e-3 * Math.max(...Array.from(pw, Math.abs)));
      } finally {
        solver.dispose();
        plain.dispose();
      }
    });
  }
});

describe('λ search with workers', () => {
  it('runs its fits on the workers (whole fits, task-parallel) and scores every λ exactly as in-thread', async () => {
    const d = small(1500, 8);
    const here = await trainSvm(d, { seed: 6 });
    for (const workers of [2, 3]) {
      const seen: string[] = [];
      const there = await trainSvm(d, { seed: 6, workers, onEpoch: (p) => seen.push(p.phase) });
      expect(there.lambda).toBe(here.lambda);
      expect(there.trainedWith.lambdaSearch).toEqual(here.trainedWith.lambdaSearch);
      expect(seen).toContain('lambda-search');
    }
  });
});
