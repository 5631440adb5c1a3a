// SPDX-License-Identifier: MIT
// One-vs-rest multiclass: each class's model is the binary model of its class-vs-rest problem, predictions map
// back to the user's labels, evaluate's confusion matrix, and the JSON / LIBLINEAR formats with K classes.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { SvmModel } from '../../../src/svm/model.js';
import { trainSvm } from '../../../src/svm/train.js';
import type { Dataset } from '../../../src/types.js';

/** Three seeded Gaussian blobs in 2-D around (±3, 0) and (0, 3); labels 10, 20, 30 (class indices 0, 1, 2). */
function blobs(n: number, seed: number): Dataset {
  let s = seed >>> 0;
  const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const centres = [[-3, 0], [3, 0], [0, 3]];
  const data = new Float32Array(2 * n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    y[i] = k;
    data[2 * i] = centres[k][0] + gauss();
    data[2 * i + 1] = centres[k][1] + gauss();
  }
  return { x: { kind: 'dense', rows: n, cols: 2, data }, y, labels: [10, 20, 30] };
}

describe('one-vs-rest multiclass', () => {
  const train = blobs(600, 1), test = blobs(300, 2);

  it('class k is the binary model of "k against the rest", bit for bit; predictions are the user labels', async () => {
    const opts = { lambda: 1e-3, seed: 4 };
    const m = await trainSvm(train, opts);
    expect(m.multiclass).toBe(true);
    expect(m.labels).toEqual([10, 20, 30]);
    expect(m.features).toBe(2);
    for (let k = 0; k < 3; k++) {
      const y = Float32Array.from(train.y, (c) => (c === k ? 1 : -1));
      const b = await trainSvm({ x: train.x, y, labels: [-1, 1] }, opts);
      expect(Array.from(m.weights.subarray(2 * k, 2 * k + 2))).toEqual(Array.from(b.weights));
      expect(m.biases[k]).toBe(b.bias);
    }
    const pred = m.predict(test);
    expect(new Set(pred)).toEqual(new Set([10, 20, 30]));
    const e = m.evaluate(test);
    expect(e.accuracy).toBeGreaterThan(0.9);
    expect(e.positive).toBeUndefined();
    expect(e.confusion.labels).toEqual([10, 20, 30]);
    expect(e.confusion.counts.flat().reduce((a, b) => a + b, 0)).toBe(300);
    expect(e.perClass.map((c) => c.support)).toEqual([100, 100, 100]);
    expect(e.f1).toBeCloseTo(e.perClass.reduce((a, c) => a + c.f1, 0) / 3, 12);
    expect(() => m.bias).toThrow(/one bias per class: use biases/);
  });

  it('predicts by the largest decision value (ties: the first class) and evaluates a known confusion matrix', () => {
    // Class k's decision is x_k: row (1, 0, 0) → 1, (0, 0, 2) → 3, (0, 0, 0) → a tie of all three → 1.
    const m = new SvmModel({ weights: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), bias: new Float64Array(3), labels: [1, 2, 3], lambda: 0 });
    const data: Dataset = { x: { kind: 'dense', rows: 4, cols: 3, data: Float32Array.from([1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 5, 0]) }, y: Float32Array.from([0, 2, 1, 1]), labels: [1, 2, 3] };
    expect(Array.from(m.predict(data))).toEqual([1, 3, 1, 2]);
    const e = m.evaluate(data);
    expect(e.accuracy).toBe(0.75);
    expect(e.confusion.counts).toEqual([[1, 0, 0], [1, 1, 0], [0, 0, 1]]);
    expect(e.perClass[0]).toEqual({ label: 1, precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    expect(Array.from(m.decisionFunction(data).subarray(3, 6))).toEqual([0, 0, 2]);
  });

  it('round-trips through JSON (K weight lists, K biases) and LIBLINEAR text (one column per class)', async () => {
    const m = await trainSvm(train, { lambda: 1e-3 });
    const doc = JSON.parse(JSON.stringify(m));
    expect(doc.labels).toEqual([10, 20, 30]);
    expect(doc.weights).toHaveLength(3);
    expect(doc.bias).toHaveLength(3);
    expect(doc.trainedWith.multiclass).toBe('one-vs-rest');
    const back = SvmModel.fromJSON(doc);
    expect(Array.from(back.weights)).toEqual(Array.from(m.weights));
    expect(Array.from(back.predict(test))).toEqual(Array.from(m.predict(test)));
    const tiny = new SvmModel({ weights: Float64Array.from([1, 2, 3, 4, 5, 6]), bias: Float64Array.from([7, 8, 9]), labels: [3, 1, 2], lambda: 0 });
    expect(tiny.toLiblinear()).toBe('solver_type L2R_L1LOSS_SVC_DUAL\nnr_class 3\nlabel 3 1 2\nnr_feature 2\nbias 1\nw\n1 3 5 \n2 4 6 \n7 8 9 \n');
    const read = SvmModel.fromLiblinear(tiny.toLiblinear());
    expect(read.labels).toEqual([3, 1, 2]);
    expect(Array.from(read.weights)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(read.biases)).toEqual([7, 8, 9]);
  });

  it('refuses a class without rows, a bad class index and a JSON document with the wrong number of lists', async () => {
    const y = Float32Array.from(train.y, (c) => (c === 2 ? 0 : c));
    await expect(trainSvm({ ...train, y })).rejects.toThrow(/trainSvm: data\.y: got no rows of label 30, expected rows of every one of the 3 labels/);
    const bad = { ...train, y: Float32Array.from(train.y, (c, i) => (i === 5 ? 3 : c)) };
    await expect(trainSvm(bad)).rejects.toThrow(/trainSvm: data\.y\[5\]: got 3, expected a class index 0…2 \(3 labels\)/);
    const doc = { format: 'anyml-svm', version: 1, features: 1, weights: [[1], [2]], bias: [0, 0, 0], labels: [1, 2, 3], lambda: 0 };
    expect(() => SvmModel.fromJSON(JSON.stringify(doc), 'm.json')).toThrow(InvalidInputError);
    expect(() => SvmModel.fromJSON(JSON.stringify(doc), 'm.json')).toThrow(/m\.json: weights: got 2 entries, expected one weight list per class \(3\)/);
  });
});
