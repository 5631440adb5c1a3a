// SPDX-License-Identifier: MIT
// The weights of an anyml-svm document: the list form while at least half are non-zero, the sparse form otherwise,
// exact round trips of both, and errors that name the field for bad sparse documents.
import { describe, expect, it } from 'vitest';
import { SvmModel } from '../../../src/svm/model.js';
import { weightsFromJson, weightsToJson } from '../../../src/svm/model_json.js';
import { invalid } from '../../helpers/errors.js';

const base = { format: 'anyml-svm' as const, version: 1 as const, bias: 0.25, labels: [-1, 1] as [number, number], lambda: 1e-3 };

describe('anyml-svm weights', () => {
  it('a wide model with few non-zero weights is written sparse and reads back exactly', () => {
    const w = new Float64Array(100_000_000);
    w[0] = Math.fround(0.1);
    w[99_999_999] = -3.5;
    const m = new SvmModel({ weights: w, bias: 0.25, labels: [-1, 1], lambda: 1e-3 });
    const text = JSON.stringify(m);
    expect(text.length).toBeLessThan(400);
    const doc = JSON.parse(text);
    expect(doc.features).toBe(100_000_000);
    expect(doc.weights).toEqual({ indices: [0, 99_999_999], values: [Math.fround(0.1), -3.5] });
    const back = SvmModel.fromJSON(text);
    expect(back.features).toBe(100_000_000);
    expect(back.weights[0]).toBe(Math.fround(0.1));
    expect(back.weights[99_999_999]).toBe(-3.5);
    expect(back.weights[5]).toBe(0);
  });

  it('keeps the list form while at least half the weights are non-zero', () => {
    expect(weightsToJson(Float64Array.from([1, 0, 2, 0]))).toEqual([1, 0, 2, 0]);
    expect(weightsToJson(Float64Array.from([1, 0, 0, 0]))).toEqual({ indices: [0], values: [1] });
    expect(weightsToJson(new Float64Array(0))).toEqual([]);
  });

  it('reads both forms to the same weights', () => {
    const dense = weightsFromJson([0, 2, 0, -1], 4, 'm.json');
    const sparse = weightsFromJson({ indices: [1, 3], values: [2, -1] }, 4, 'm.json');
    expect(Array.from(sparse)).toEqual(Array.from(dense));
  });

  it('refuses bad sparse weights, naming the field, the value and what was expected', () => {
    const doc = (weights: unknown, features: unknown = 4) => ({ ...base, features, weights }) as never;
    const msg = (weights: unknown, features?: unknown) => invalid(() => SvmModel.fromJSON(doc(weights, features), 'm.json')).message;
    expect(msg({ indices: [2, 1], values: [1, 1] })).toMatch(/m\.json: weights\.indices\[1\]: got 1, expected an integer from 3 to 3/);
    expect(msg({ indices: [4], values: [1] })).toMatch(/weights\.indices\[0\]: got 4, expected an integer from 0 to 3/);
    expect(msg({ indices: [1.5], values: [1] })).toMatch(/weights\.indices\[0\]: got 1\.5/);
    expect(msg({ indices: [0, 1], values: [1] })).toMatch(/weights\.values: got 1 values, expected one per index \(2\)/);
    expect(msg({ indices: [0], values: [null] })).toMatch(/weights\.values\[0\]: got null, expected a finite number/);
    expect(msg({ indices: [0], values: [1] }, -1)).toMatch(/features: got -1, expected an integer from 0 to 2147483647/);
    expect(msg({ indices: [0] })).toMatch(/weights: got \{"indices":\[0\]\}, expected an array of finite numbers or \{ indices, values \}/);
    expect(msg(undefined)).toMatch(/weights: got undefined/);
    expect(msg([1, 'x', 0, 0])).toMatch(/weights\[1\]: got "x", expected a finite number/);
  });
});
