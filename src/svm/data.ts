// SPDX-License-Identifier: MIT
// Dataset helpers for the SVM API: validation, row subsets, decision values.

import { InvalidInputError } from '../errors.js';
import type { Dataset, Matrix } from '../types.js';

/** Checks shapes and label coding before any backend sees the data. `where` names the caller's argument. */
export function checkDataset(data: Dataset, where: string): void {
  if (!data || typeof data !== 'object' || !data.x || !data.y) {
    throw new InvalidInputError(where, describe(data), 'a Dataset { x: CsrMatrix | DenseMatrix, y: Float32Array, labels: [neg, pos] }');
  }
  checkMatrix(data.x, `${where}.x`);
  const { y } = data;
  if (!(y instanceof Float32Array) || y.length !== data.x.rows) {
    throw new InvalidInputError(`${where}.y`, y instanceof Float32Array ? `length ${y.length}` : describe(y), `a Float32Array of length ${data.x.rows} (one ±1 label per row)`);
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1 && y[i] !== -1) throw new InvalidInputError(`${where}.y[${i}]`, String(y[i]), '-1 or +1');
  }
  if (!Array.isArray(data.labels) || data.labels.length !== 2 || data.labels[0] === data.labels[1]) {
    throw new InvalidInputError(`${where}.labels`, JSON.stringify(data.labels), 'two distinct label values [neg, pos]');
  }
}

/** Checks a CSR or dense matrix's internal consistency. */
export function checkMatrix(x: Matrix, where: string): void {
  if (!x || (x.kind !== 'csr' && x.kind !== 'dense')) throw new InvalidInputError(where, describe(x), "a matrix with kind 'csr' or 'dense'");
  if (!Number.isInteger(x.rows) || x.rows < 0 || !Number.isInteger(x.cols) || x.cols < 0) {
    throw new InvalidInputError(where, `rows=${x.rows} cols=${x.cols}`, 'non-negative integer rows and cols');
  }
  if (x.kind === 'dense') {
    if (!(x.data instanceof Float32Array) || x.data.length !== x.rows * x.cols) {
      throw new InvalidInputError(`${where}.data`, `length ${x.data?.length}`, `a Float32Array of rows·cols = ${x.rows * x.cols}`);
    }
    return;
  }
  const { indptr, indices, values } = x;
  if (!(indptr instanceof Int32Array) || indptr.length !== x.rows + 1 || indptr[0] !== 0) {
    throw new InvalidInputError(`${where}.indptr`, `length ${indptr?.length}`, `an Int32Array of rows + 1 = ${x.rows + 1} offsets starting at 0`);
  }
  const nnz = indptr[x.rows];
  if (!(indices instanceof Int32Array) || !(values instanceof Float32Array) || indices.length < nnz || values.length < nnz) {
    throw new InvalidInputError(`${where}.indices/values`, `lengths ${indices?.length}/${values?.length}`, `Int32Array/Float32Array with at least indptr[rows] = ${nnz} entries`);
  }
  for (let r = 0; r < x.rows; r++) {
    if (indptr[r + 1] < indptr[r]) throw new InvalidInputError(`${where}.indptr[${r + 1}]`, String(indptr[r + 1]), `>= indptr[${r}] = ${indptr[r]}`);
  }
  for (let k = 0; k < nnz; k++) {
    if (indices[k] < 0 || indices[k] >= x.cols) throw new InvalidInputError(`${where}.indices[${k}]`, String(indices[k]), `a column in [0, ${x.cols})`);
  }
}

/** The rows `rows` of `x`, in that order, as a new matrix of the same kind. */
export function subsetRows(x: Matrix, rows: ArrayLike<number>): Matrix {
  const m = rows.length;
  if (x.kind === 'dense') {
    const data = new Float32Array(m * x.cols);
    for (let i = 0; i < m; i++) data.set(x.data.subarray(rows[i] * x.cols, (rows[i] + 1) * x.cols), i * x.cols);
    return { kind: 'dense', rows: m, cols: x.cols, data };
  }
  let nnz = 0;
  for (let i = 0; i < m; i++) nnz += x.indptr[rows[i] + 1] - x.indptr[rows[i]];
  const indptr = new Int32Array(m + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let k = 0;
  for (let i = 0; i < m; i++) {
    const a = x.indptr[rows[i]];
    const b = x.indptr[rows[i] + 1];
    indices.set(x.indices.subarray(a, b), k);
    values.set(x.values.subarray(a, b), k);
    k += b - a;
    indptr[i + 1] = k;
  }
  return { kind: 'csr', rows: m, cols: x.cols, indptr, indices, values };
}

/** Subset of a dataset (rows and labels). */
export function subsetDataset(data: Dataset, rows: ArrayLike<number>): Dataset {
  const y = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) y[i] = data.y[rows[i]];
  return { x: subsetRows(data.x, rows), y, labels: data.labels };
}

/**
 * wᵀx_i + b for every row, in f64. Features beyond w.length are ignored (as LIBLINEAR's predict does), so a model
 * applies to files whose highest feature index differs.
 */
export function decisionValues(w: Float64Array, bias: number, x: Matrix): Float64Array {
  const out = new Float64Array(x.rows);
  const d = w.length;
  if (x.kind === 'dense') {
    const cols = Math.min(d, x.cols);
    for (let i = 0; i < x.rows; i++) {
      let s = 0;
      const o = i * x.cols;
      for (let j = 0; j < cols; j++) s += w[j] * x.data[o + j];
      out[i] = s + bias;
    }
    return out;
  }
  const { indptr, indices, values } = x;
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    for (let k = indptr[i]; k < indptr[i + 1]; k++) {
      const j = indices[k];
      if (j < d) s += w[j] * values[k];
    }
    out[i] = s + bias;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : `${typeof v} ${String(v)}`;
}
