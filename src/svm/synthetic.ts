// SPDX-License-Identifier: MIT
// Seeded synthetic binary classification data: the package's own data for demos, defaults and tests.

import { checkKeys } from '../check.js';
import { InvalidInputError } from '../errors.js';
import { nextU32, seedState } from '../rng.js';
import type { Dataset } from '../types.js';
import { subsetDataset } from './data.js';

export interface SyntheticOptions {
  rows?: number;
  features?: number;
  /** Fraction of non-zero features per row; 1 gives a dense matrix. Default 0.1. */
  density?: number;
  /** Probability that a label is flipped. Default 0.05. */
  noise?: number;
  /**
   * The problem: the seed draws the hidden direction u as well as the rows, so each seed is a different problem and
   * a model trained on seed 1 is at chance on seed 2. Use `testFraction` for a test set of the same problem. Default 1.
   */
  seed?: number;
}

export interface SyntheticSplitOptions extends SyntheticOptions {
  /**
   * Fraction of the `rows` held out as a test set of the same problem, in (0, 1): the last round(rows · f) rows of
   * the seeded stream (the rows are i.i.d., so this is a random split).
   */
  testFraction: number;
}

/** Every option key (the compiler keeps this list complete), for checkKeys. */
const OPTION_KEYS = Object.keys({ rows: 1, features: 1, density: 1, noise: 1, seed: 1, testFraction: 1 } satisfies Record<keyof SyntheticSplitOptions, 1>);

/** One generated row: column indices (ascending, 0-based) and values, valid until the next row is drawn. */
export interface SyntheticRow {
  indices: Int32Array;
  values: Float32Array;
  label: 1 | -1;
}

function checkOptions(rows: number, cols: number, density: number, noise: number): void {
  const w = 'makeClassification: options';
  if (!Number.isInteger(rows) || rows < 1) throw new InvalidInputError(`${w}.rows`, String(rows), 'an integer >= 1');
  if (!Number.isInteger(cols) || cols < 1) throw new InvalidInputError(`${w}.features`, String(cols), 'an integer >= 1');
  if (!(density > 0 && density <= 1)) throw new InvalidInputError(`${w}.density`, String(density), 'a number in (0, 1]');
  if (!(noise >= 0 && noise < 0.5)) throw new InvalidInputError(`${w}.noise`, String(noise), 'a number in [0, 0.5)');
}

/**
 * The rows of {@link makeClassification}, one at a time, so arbitrarily large files can be written in bounded
 * memory (`anyml svm generate`). Same seed → the same rows as makeClassification.
 */
export function* syntheticRows(options: SyntheticOptions = {}): Generator<SyntheticRow> {
  const rows = options.rows ?? 2000;
  const cols = options.features ?? 50;
  const density = options.density ?? 0.1;
  const noise = options.noise ?? 0.05;
  checkOptions(rows, cols, density, noise);
  const s = seedState(options.seed ?? 1);
  const uniform = () => (nextU32(s) + 0.5) / 4294967296;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const u = new Float64Array(cols);
  let norm = 0;
  for (let j = 0; j < cols; j++) norm += (u[j] = gauss()) ** 2;
  for (let j = 0; j < cols; j++) u[j] /= Math.sqrt(norm);
  const perRow = Math.max(1, Math.round(density * cols));
  const indices = new Int32Array(perRow);
  const values = new Float32Array(perRow);
  const scale = Math.sqrt(cols / perRow);
  for (let i = 0; i < rows; i++) {
    let dot = 0;
    let k = 0;
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
    const label = dot + 0.2 > 0 ? 1 : -1;
    yield { indices, values, label: uniform() < noise ? (-label as 1 | -1) : label };
  }
}

/**
 * Rows x ~ sparse N(0,1) (Box–Muller from the seeded stream), a hidden unit vector u, y = sign(uᵀx + 0.2) with
 * `noise` of the labels flipped: linearly separable up to the noise, with a bias and class imbalance to learn.
 * `density: 1` gives a dense matrix (epsilon-shaped data: `{ features: 2000, density: 1 }`).
 *
 * The seed is the problem (see SyntheticOptions.seed); with `testFraction` the result is `{ train, test }` of one problem.
 *
 * @example
 * const data = makeClassification({ rows: 5000, features: 50, seed: 1 });
 * const { train, test } = makeClassification({ rows: 5000, seed: 1, testFraction: 0.2 }); // 4000 + 1000 rows
 */
export function makeClassification(options: SyntheticSplitOptions): { train: Dataset; test: Dataset };
export function makeClassification(options?: SyntheticOptions): Dataset;
export function makeClassification(options: SyntheticOptions & { testFraction?: number } = {}): Dataset | { train: Dataset; test: Dataset } {
  checkKeys('makeClassification: options', options, OPTION_KEYS);
  const all = generate(options);
  const f = options.testFraction;
  if (f === undefined) return all;
  const rows = all.x.rows;
  const nTest = Math.round(rows * f);
  if (!(f > 0 && f < 1) || nTest < 1 || nTest >= rows) {
    throw new InvalidInputError('makeClassification: options.testFraction', String(f), `a number in (0, 1) leaving at least one row on each side of ${rows} rows`);
  }
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  return { train: subsetDataset(all, range(0, rows - nTest)), test: subsetDataset(all, range(rows - nTest, rows)) };
}

function generate(options: SyntheticOptions): Dataset {
  const rows = options.rows ?? 2000;
  const cols = options.features ?? 50;
  const perRow = Math.max(1, Math.round((options.density ?? 0.1) * cols));
  const dense = (options.density ?? 0.1) === 1;
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(dense ? 0 : rows * perRow);
  const values = new Float32Array(dense ? 0 : rows * perRow);
  const data = new Float32Array(dense ? rows * cols : 0);
  const y = new Float32Array(rows);
  let i = 0;
  let k = 0;
  for (const row of syntheticRows(options)) {
    if (dense) for (let q = 0; q < row.indices.length; q++) data[i * cols + row.indices[q]] = row.values[q];
    else {
      indices.set(row.indices, k);
      values.set(row.values, k);
      k += row.indices.length;
    }
    y[i] = row.label;
    indptr[++i] = k;
  }
  if (dense) return { x: { kind: 'dense', rows, cols, data }, y, labels: [-1, 1] };
  return { x: { kind: 'csr', rows, cols, indptr, indices, values }, y, labels: [-1, 1] };
}
