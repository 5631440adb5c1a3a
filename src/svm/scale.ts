// SPDX-License-Identifier: MIT
// Feature scaling for trainSvm, learned on the training rows and folded back into the model.
//
// SGD's step sizes and the single λ assume features of comparable size; raw data (values from 0.01 to thousands)
// breaks both, and one large column dominates ‖w‖ and the hinge. Training on x'_j = (x_j − μ_j) / s_j and folding
// the result back gives a model on raw features:
//   w'·x' + b' = Σ_j (w'_j / s_j) x_j + (b' − Σ_j w'_j μ_j / s_j),  so  w_j = w'_j / s_j,  b = b' − Σ_j w'_j μ_j / s_j.
// 'maxabs' (μ = 0, s = max |x_j|) keeps zeros zero, so sparse data stays sparse; 'standard' (μ = mean, s = standard
// deviation) centres, which only dense data can afford. A constant column gets s = 1 (nothing to scale).
import { markChecked } from './data.js';
import { InvalidInputError } from '../errors.js';
import type { CsrMatrix, DenseMatrix, Matrix } from '../types.js';

export const SCALE_MODES = ['auto', 'maxabs', 'standard', 'none'] as const;
export type ScaleMode = (typeof SCALE_MODES)[number];

/** A learned scaling: per column, the divisor `s` and (standard only) the shift `mu`. */
export interface FeatureScaling {
  kind: 'maxabs' | 'standard';
  s: Float64Array;
  mu?: Float64Array;
}

/**
 * 'auto': data already inside [−1, 1] (`largest` = the largest |value|) is taken as scaled by whoever made it (the
 * LIBSVM sets, tf-idf text, binary indicators: rescaling their small columns up would change what they say);
 * anything larger is raw, and gets max-abs when CSR (it keeps the zeros), standard when dense.
 */
export function resolveScaleMode(mode: ScaleMode, x: Matrix, largest: number, where: string): 'maxabs' | 'standard' | 'none' {
  if (mode === 'auto') return Math.abs(largest) <= 1 ? 'none' : x.kind === 'csr' ? 'maxabs' : 'standard';
  if (mode === 'standard' && x.kind === 'csr')
    throw new InvalidInputError(where, "'standard' on sparse (CSR) data", "'maxabs' or 'auto' (centring would make every zero non-zero: the data would no longer be sparse)");
  return mode;
}

function maxAbs(x: Matrix): Float64Array {
  const s = new Float64Array(x.cols);
  if (x.kind === 'csr') {
    const nnz = x.indptr[x.rows];
    for (let k = 0; k < nnz; k++) s[x.indices[k]] = Math.max(s[x.indices[k]], Math.abs(x.values[k]));
  } else {
    for (let i = 0; i < x.data.length; i++) s[i % x.cols] = Math.max(s[i % x.cols], Math.abs(x.data[i]));
  }
  return s;
}

function meanStd(x: DenseMatrix): { mu: Float64Array; s: Float64Array } {
  const { rows, cols, data } = x;
  const mu = new Float64Array(cols);
  const s = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) mu[j] += data[r * cols + j];
  for (let j = 0; j < cols; j++) mu[j] /= Math.max(1, rows);
  // Two passes (mean, then squared deviations): no cancellation for columns with a large mean.
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) s[j] += (data[r * cols + j] - mu[j]) ** 2;
  for (let j = 0; j < cols; j++) s[j] = Math.sqrt(s[j] / Math.max(1, rows));
  return { mu, s };
}

/** Learns the scaling of `x` (its rows are the training rows). */
export function learnScaling(x: Matrix, kind: 'maxabs' | 'standard'): FeatureScaling {
  if (kind === 'maxabs') return { kind, s: ones(maxAbs(x)) };
  if (x.kind !== 'dense') throw new Error('learnScaling: standard needs dense data (resolveScaleMode refuses CSR)');
  const { mu, s } = meanStd(x);
  return { kind, s: ones(s), mu };
}

/** Zero (constant or empty columns) and non-finite divisors become 1. */
function ones(s: Float64Array): Float64Array {
  for (let j = 0; j < s.length; j++) if (!(s[j] > 0) || !Number.isFinite(s[j])) s[j] = 1;
  return s;
}

/** `x` scaled: a new matrix (the CSR structure arrays are shared, the values are new). */
export function applyScaling(x: Matrix, f: FeatureScaling): Matrix {
  if (x.kind === 'csr') {
    const nnz = x.indptr[x.rows];
    const values = new Float32Array(nnz);
    for (let k = 0; k < nnz; k++) values[k] = x.values[k] / f.s[x.indices[k]];
    return markChecked({ ...x, values } satisfies CsrMatrix);
  }
  const data = new Float32Array(x.data.length);
  const mu = f.mu;
  for (let i = 0; i < data.length; i++) {
    const j = i % x.cols;
    data[i] = (x.data[i] - (mu ? mu[j] : 0)) / f.s[j];
  }
  return markChecked({ ...x, data } satisfies DenseMatrix);
}

/** The model on raw features from the one trained on scaled ones (the identity at the top of this file). */
export function foldScaling(w: Float64Array, b: number, f: FeatureScaling): { weights: Float64Array; bias: number } {
  const weights = new Float64Array(w.length);
  let bias = b;
  for (let j = 0; j < w.length; j++) {
    weights[j] = w[j] / f.s[j];
    if (f.mu) bias -= weights[j] * f.mu[j];
  }
  return { weights, bias };
}
