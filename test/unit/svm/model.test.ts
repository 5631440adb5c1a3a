// SPDX-License-Identifier: MIT
// SvmModel: metrics on a hand-computed case, JSON and LIBLINEAR round trips, and load errors.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { SvmModel } from '../../../src/svm/model.js';
import type { Dataset } from '../../../src/types.js';

// Four rows, 2 features, labels 0/1 (0 = negative). w = (1, -1), b = 0.5.
const data: Dataset = {
  x: { kind: 'csr', rows: 4, cols: 2, indptr: Int32Array.from([0, 1, 2, 4, 4]), indices: Int32Array.from([0, 1, 0, 1]), values: Float32Array.from([2, 1, 1, 3]) },
  y: Float32Array.from([1, -1, -1, -1]),
  labels: [0, 1],
};
const model = new SvmModel({ weights: Float64Array.from([1, -1]), bias: 0.5, labels: [0, 1], lambda: 0.1 });

describe('SvmModel', () => {
  it('computes decision values, predictions and metrics by hand', () => {
    // decisions: 2.5, -0.5, 1 - 3 + 0.5 = -1.5, 0.5 (empty row → bias)
    expect(Array.from(model.decisionFunction(data))).toEqual([2.5, -0.5, -1.5, 0.5]);
    expect(Array.from(model.predict(data))).toEqual([1, 0, 0, 1]);
    const e = model.evaluate(data);
    expect(e.accuracy).toBe(0.75); // last row predicted 1, truth 0
    expect(e.precision).toBe(0.5);
    expect(e.recall).toBe(1);
    expect(e.f1).toBeCloseTo(2 / 3, 12);
    // hinge: max(0,1-2.5)=0, max(0,1-0.5)=0.5, max(0,1-1.5)=0, max(0,1+0.5)=1.5 → mean 0.5; λ/2‖w‖² = 0.1
    expect(e.objective).toBeCloseTo(0.6, 12);
  });

  it('round-trips through JSON exactly', () => {
    const w = Float64Array.from([Math.fround(0.1), -3.25e-8, 12345.678]);
    const m = new SvmModel({ weights: w, bias: -0.3, labels: [-1, 1], lambda: 1e-4, backend: 'wasm' });
    const back = SvmModel.fromJSON(JSON.stringify(m));
    expect(back.weights).toEqual(w);
    expect(back.bias).toBe(-0.3);
    expect(back.labels).toEqual([-1, 1]);
    expect(back.lambda).toBe(1e-4);
    expect(back.backend).toBe('wasm');
    expect(JSON.parse(JSON.stringify(m))).toMatchObject({ format: 'anyml-svm', version: 1, features: 3 });
  });

  it('rejects bad JSON documents with the field and the expectation', () => {
    expect(() => SvmModel.fromJSON('{nope', 'm.json')).toThrow(/m\.json: .*expected an anyml-svm JSON document/);
    expect(() => SvmModel.fromJSON({ ...model.toJSON(), version: 2 as 1 }, 'm.json')).toThrow(/m\.json: version: got 2, expected 1/);
    expect(() => SvmModel.fromJSON({ ...model.toJSON(), features: 5 }, 'm.json')).toThrow(/features: got 5, expected the number of weights \(2\)/);
    expect(() => SvmModel.fromJSON({ ...model.toJSON(), labels: [1, 1] }, 'm.json')).toThrow(InvalidInputError);
  });

  it('writes LIBLINEAR text that reads back to the same model, label order included', () => {
    const text = model.toLiblinear();
    expect(text.split('\n').slice(0, 6)).toEqual(['solver_type L2R_L1LOSS_SVC_DUAL', 'nr_class 2', 'label 1 0', 'nr_feature 2', 'bias 1', 'w']);
    const back = SvmModel.fromLiblinear(text);
    expect(Array.from(back.weights)).toEqual([1, -1]);
    expect(back.bias).toBe(0.5);
    expect(back.labels).toEqual([0, 1]);
    expect(Array.from(back.predict(data))).toEqual([1, 0, 0, 1]);
  });

  it('reads LIBLINEAR models with the first label negative and without a bias', () => {
    const text = 'solver_type L2R_L2LOSS_SVC_DUAL\nnr_class 2\nlabel -1 1\nnr_feature 2\nbias -1\nw\n1 \n-1 \n';
    const m = SvmModel.fromLiblinear(text);
    // LIBLINEAR predicts its first label (-1) when wᵀx > 0.
    expect(m.labels).toEqual([1, -1]);
    expect(m.bias).toBe(0);
    const x = { kind: 'dense' as const, rows: 2, cols: 2, data: Float32Array.from([2, 0, 0, 2]) };
    expect(Array.from(m.predict(x))).toEqual([-1, 1]);
  });

  it('names file:line in LIBLINEAR errors', () => {
    expect(() => SvmModel.fromLiblinear('solver_type MCSVM_CS\nnr_class 3\nlabel 1 2 3\nnr_feature 1\nbias -1\nw\n1\n', 'x.model')).toThrow(/x\.model:8:1: got 1 weights, expected 3 weights \(nr_feature, × 3 classes\)/);
    expect(() => SvmModel.fromLiblinear('solver_type L2R_LR\nnr_class 1\nlabel 1\nnr_feature 1\nbias -1\nw\n1\n', 'x.model')).toThrow(/x\.model:2:10: got 1, expected an integer ≥ 2/);
    expect(() => SvmModel.fromLiblinear('solver_type L2R_LR\nnr_class 3\nlabel 1 2\nnr_feature 1\nbias -1\nw\n1 2 3\n', 'x.model')).toThrow(/x\.model:3:7: got "1 2", expected 3 distinct numeric labels/);
    expect(() => SvmModel.fromLiblinear('solver_type L2R_LR\nnr_class 2\nlabel 1 -1\nnr_feature 2\nbias -1\nw\n1\nzz\n', 'x.model')).toThrow(/x\.model:8:1: got "zz", expected a finite weight/);
    expect(() => SvmModel.fromLiblinear('solver_type L2R_LR\nnr_class 2\nlabel 1 -1\nnr_feature 3\nbias 1\nw\n1\n2\n', 'x.model')).toThrow(/2 weights, expected 4 weights \(nr_feature \+ 1 for the bias\)/);
    expect(() => SvmModel.fromLiblinear('nr_class 2\n', 'x.model')).toThrow(/x\.model:/);
  });
});
