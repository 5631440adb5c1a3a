// SPDX-License-Identifier: MIT
// Seeded synthetic binary classification data: the package's own data for demos, defaults and tests.

import { InvalidInputError } from '../errors.js';
import { nextU32, seedState } from '../rng.js';
import type { Dataset } from '../types.js';

export interface SyntheticOptions {
  rows?: number;
  features?: number;
  /** Fraction of non-zero features per row; 1 gives a dense matrix. Default 0.1. */
  density?: number;
  /** Probability that a label is flipped. Default 0.05. */
  noise?: number;
  seed?: number;
}

/**
 * Rows x ~ sparse N(0,1) (Box–Muller from the seeded stream), a hidden unit vector u, y = sign(uᵀx + 0.2) with
 * `noise` of the labels flipped: linearly separable up to the noise, with a bias and class imbalance to learn.
 *
 * @example
 * const train = makeClassification({ rows: 5000, features: 50, seed: 1 });
 */
export function makeClassification(options: SyntheticOptions = {}): Dataset {
  const rows = options.rows ?? 2000;
  const cols = options.features ?? 50;
  const density = options.density ?? 0.1;
  const noise = options.noise ?? 0.05;
  const w = 'makeClassification: options';
  if (!Number.isInteger(rows) || rows < 1) throw new InvalidInputError(`${w}.rows`, String(rows), 'an integer >= 1');
  if (!Number.isInteger(cols) || cols < 1) throw new InvalidInputError(`${w}.features`, String(cols), 'an integer >= 1');
  if (!(density > 0 && density <= 1)) throw new InvalidInputError(`${w}.density`, String(density), 'a number in (0, 1]');
  if (!(noise >= 0 && noise < 0.5)) throw new InvalidInputError(`${w}.noise`, String(noise), 'a number in [0, 0.5)');
  const s = seedState(options.seed ?? 1);
  const uniform = () => (nextU32(s) + 0.5) / 4294967296;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const u = new Float64Array(cols);
  let norm = 0;
  for (let j = 0; j < cols; j++) norm += (u[j] = gauss()) ** 2;
  for (let j = 0; j < cols; j++) u[j] /= Math.sqrt(norm);
  const perRow = Math.max(1, Math.round(density * cols));
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(rows * perRow);
  const values = new Float32Array(rows * perRow);
  const y = new Float32Array(rows);
  const scale = Math.sqrt(cols / perRow);
  let k = 0;
  for (let i = 0; i < rows; i++) {
    let dot = 0;
    // Choose perRow distinct ascending columns by selection sampling (Knuth, TAOCP 3.4.2, Algorithm S).
    for (let j = 0, need = perRow; j < cols && need > 0; j++) {
      if (uniform() * (cols - j) < need) {
        const v = Math.fround(gauss() * scale);
        indices[k] = j;
        values[k++] = v;
        dot += u[j] * v;
        need--;
      }
    }
    indptr[i + 1] = k;
    const label = dot + 0.2 > 0 ? 1 : -1;
    y[i] = uniform() < noise ? -label : label;
  }
  if (density === 1) {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let q = indptr[i]; q < indptr[i + 1]; q++) data[i * cols + indices[q]] = values[q];
    return { x: { kind: 'dense', rows, cols, data }, y, labels: [-1, 1] };
  }
  return { x: { kind: 'csr', rows, cols, indptr, indices, values }, y, labels: [-1, 1] };
}
