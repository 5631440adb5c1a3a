// SPDX-License-Identifier: MIT
// Shared pieces of the data-parallel tests: small seeded data and exact (bitwise) comparisons.
import { afterEach, expect } from 'vitest';
import { liveWorkerCount } from '../../../../src/svm/parallel/pool.js';
import { makeClassification } from '../../../../src/svm/synthetic.js';
import type { SvmModel } from '../../../../src/svm/model.js';

export const small = (rows = 1200, seed = 5) => makeClassification({ rows, features: 40, density: 0.2, seed });

/** Fixed λ and no early stop, so every run does the same number of epochs. */
export const fixed = { lambda: 1e-3, tol: 0 } as const;

/** Bitwise equality of two models' weights, bias and per-epoch objectives. */
export function expectSameModel(a: SvmModel, b: SvmModel): void {
  expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  expect(Object.is(a.bias, b.bias)).toBe(true);
  expect(a.history.map((h) => h.objective)).toEqual(b.history.map((h) => h.objective));
}

/** Every test leaves no worker alive (each path terminates its pool). */
export function expectNoLiveWorkers(): void {
  afterEach(() => expect(liveWorkerCount()).toBe(0));
}
