// SPDX-License-Identifier: MIT
// optimalBias against a brute-force scan of the piecewise-linear hinge loss.
import { describe, expect, it } from 'vitest';
import { optimalBias } from '../../../src/svm/bias.js';

const loss = (s: Float64Array, y: Float32Array, b: number) => s.reduce((acc, si, i) => acc + Math.max(0, 1 - y[i] * (si + b)), 0);

describe('optimalBias', () => {
  it('solves a hand case: kinks of positives at 1 − s, of negatives at −1 − s', () => {
    // positives s = 2, 0 → kinks −1, 1; negatives s = −3, 1 → kinks 2, −2. Sorted: −2, −1, 1, 2; P = 2 → midpoint of −1 and 1.
    const s = Float64Array.from([2, 0, -3, 1]);
    const y = Float32Array.from([1, 1, -1, -1]);
    expect(optimalBias(s, y)).toBe(0);
    expect(loss(s, y, 0)).toBe(3);
  });

  it('is never beaten by any bias on a fine grid (seeded random cases)', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let c = 0; c < 50; c++) {
      const n = 1 + Math.floor(rnd() * 40);
      // Every other case draws from 5 values only, so kinks repeat (the selection must handle ties).
      const s = Float64Array.from({ length: n }, () => (c % 2 ? Math.floor(rnd() * 5) - 2 : rnd() * 6 - 3));
      const y = Float32Array.from({ length: n }, () => (rnd() < 0.3 ? 1 : -1));
      const b = optimalBias(s, y);
      const best = loss(s, y, b);
      for (let g = -6; g <= 6; g += 0.01) expect(best).toBeLessThanOrEqual(loss(s, y, g) + 1e-9);
    }
  });

  it('handles one-class and empty inputs with a zero-loss bias', () => {
    const s = Float64Array.from([0.5, -2]);
    expect(loss(s, Float32Array.from([1, 1]), optimalBias(s, Float32Array.from([1, 1])))).toBe(0);
    expect(loss(s, Float32Array.from([-1, -1]), optimalBias(s, Float32Array.from([-1, -1])))).toBe(0);
    expect(optimalBias(new Float64Array(0), new Float32Array(0))).toBe(0);
  });
});
