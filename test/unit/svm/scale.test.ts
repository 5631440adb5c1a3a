// SPDX-License-Identifier: MIT
// Feature scaling (src/svm/scale.ts): what is learned, that folding it back is exact algebra, and that trainSvm
// with scaling is training on the scaled rows and then answering on raw ones.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { decisionValues } from '../../../src/svm/data.js';
import { applyScaling, foldScaling, learnScaling, resolveScaleMode } from '../../../src/svm/scale.js';
import { trainSvm } from '../../../src/svm/train.js';
import type { CsrMatrix, Dataset, DenseMatrix } from '../../../src/types.js';
import { nextU32, seedState } from '../../../src/rng.js';

const csr: CsrMatrix = { kind: 'csr', rows: 3, cols: 4, indptr: Int32Array.of(0, 2, 3, 5), indices: Int32Array.of(0, 2, 2, 0, 1), values: Float32Array.of(-400, 2, 8, 100, 0.5) };
const dense: DenseMatrix = { kind: 'dense', rows: 4, cols: 3, data: Float32Array.of(1, 10, 7, 3, 10, 7, 5, 10, 7, 7, 10, 8) };

/** A raw two-class problem: column j's values around 10^j, the label set by a mix of columns. */
function raw(rows: number, seed: number): Dataset {
  const st = seedState(seed);
  const rnd = () => nextU32(st) / 2 ** 32;
  const cols = 5;
  const data = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = (rnd() * 2 - 1) * 10 ** j;
      data[r * cols + j] = v;
      s += v / 10 ** j;
    }
    y[r] = s + 0.3 * (rnd() - 0.5) > 0 ? 1 : -1;
  }
  return { x: { kind: 'dense', rows, cols, data }, y, labels: [-1, 1] };
}

describe('learnScaling / applyScaling / foldScaling', () => {
  it('max-abs per column on CSR (an unused column gets 1), mean and standard deviation on dense (constant → 1)', () => {
    expect(Array.from(learnScaling(csr, 'maxabs').s)).toEqual([400, 0.5, 8, 1]);
    const st = learnScaling(dense, 'standard');
    expect(Array.from(st.mu!)).toEqual([4, 10, 7.25]);
    expect(st.s[0]).toBeCloseTo(Math.sqrt(5), 12);
    expect(st.s[1]).toBe(1);
    expect(st.s[2]).toBeCloseTo(Math.sqrt(0.1875), 12);
    const scaled = applyScaling(csr, learnScaling(csr, 'maxabs')) as CsrMatrix;
    expect(Array.from(scaled.values)).toEqual([-1, 0.25, 1, 0.25, 1]);
    expect(scaled.indices).toBe(csr.indices);
  });

  it('the folded model on raw rows gives the decision values of the scaled model on scaled rows', () => {
    for (const [x, kind] of [[csr, 'maxabs'], [dense, 'standard'], [dense, 'maxabs']] as const) {
      const f = learnScaling(x, kind);
      const w = Float64Array.from({ length: x.cols }, (_, j) => 0.3 * j - 0.4);
      const folded = foldScaling(w, 0.7, f);
      const want = decisionValues(w, 0.7, applyScaling(x, f));
      const got = decisionValues(folded.weights, folded.bias, x);
      for (let i = 0; i < x.rows; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    }
  });

  it("'auto' leaves data inside [−1, 1] alone; 'standard' on CSR is refused with the reason", () => {
    expect(resolveScaleMode('auto', csr, 1, 'w')).toBe('none');
    expect(resolveScaleMode('auto', csr, -400, 'w')).toBe('maxabs');
    expect(resolveScaleMode('auto', dense, 10, 'w')).toBe('standard');
    expect(() => resolveScaleMode('standard', csr, 400, 'trainSvm: options.scale')).toThrow(InvalidInputError);
    expect(() => resolveScaleMode('standard', csr, 400, 'trainSvm: options.scale')).toThrow(/trainSvm: options\.scale.*'standard' on sparse \(CSR\) data.*'maxabs' or 'auto'/);
  });
});

describe('trainSvm with scaling', () => {
  it('is training on the scaled rows (same seed, same λ): raw-space weights are the scaled ones / s', async () => {
    const d = raw(600, 5);
    const opts = { lambda: 1e-3, seed: 4, epochs: 3 } as const;
    for (const scale of ['maxabs', 'standard'] as const) {
      const f = learnScaling(d.x, scale);
      const onScaled = await trainSvm({ ...d, x: applyScaling(d.x, f) }, { ...opts, scale: 'none' });
      const m = await trainSvm(d, { ...opts, scale });
      expect(m.trainedWith.scale).toBe(scale);
      const want = foldScaling(onScaled.weights, onScaled.bias, f);
      expect(Array.from(m.weights)).toEqual(Array.from(want.weights));
      expect(m.bias).toBe(want.bias);
    }
  });

  it("'auto' scales raw data (and beats no scaling on it), records the choice, and keeps [−1, 1] data as it is", async () => {
    const d = raw(1500, 6);
    const test = raw(1000, 7);
    const auto = await trainSvm(d, { seed: 1 });
    const none = await trainSvm(d, { seed: 1, scale: 'none' });
    expect(auto.trainedWith.scale).toBe('standard');
    expect(auto.evaluate(test).accuracy).toBeGreaterThan(none.evaluate(test).accuracy + 0.05);
    expect(auto.evaluate(test).accuracy).toBeGreaterThan(0.9);
    const unit: Dataset = { ...d, x: applyScaling(d.x, learnScaling(d.x, 'maxabs')) };
    expect((await trainSvm(unit, { seed: 1, lambda: 1e-3 })).trainedWith.scale).toBe('none');
  });

  it('checks the option', async () => {
    await expect(trainSvm(raw(50, 1), { scale: 'minmax' as never })).rejects.toThrow(/trainSvm: options\.scale.*minmax/);
  });
});
