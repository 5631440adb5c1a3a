// SPDX-License-Identifier: MIT
// Dataset helpers for the SVM API: validation, row subsets, decision values.

import { InvalidInputError } from '../errors.js';
import type { CsrMatrix, Dataset, Matrix } from '../types.js';

/** Checks shapes and label coding before any backend sees the data. `where` names the caller's argument. */
export function checkDataset(data: Dataset, where: string): void {
  if (!data || typeof data !== 'object' || !data.x || !data.y) {
    throw new InvalidInputError(where, describe(data), 'a Dataset { x: CsrMatrix | DenseMatrix, y: Float32Array, labels: number[] }');
  }
  checkMatrix(data.x, `${where}.x`);
  const K = Array.isArray(data.labels) ? data.labels.length : 0;
  const distinct = K >= 2 && new Set(data.labels).size === K && data.labels.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!distinct) {
    throw new InvalidInputError(`${where}.labels`, JSON.stringify(data.labels), 'two distinct label values [neg, pos], or three or more classes');
  }
  if (K === 2) checkLabels(data.y, data.x.rows, `${where}.y`);
  else checkClassIndices(data.y, data.x.rows, K, `${where}.y`);
}

/** Multiclass coding: one class index 0…K−1 (into labels) per row. */
function checkClassIndices(y: Float32Array, rows: number, K: number, where: string): void {
  if (!(y instanceof Float32Array)) throw new InvalidInputError(where, describe(y), 'a Float32Array');
  if (y.length !== rows) throw new InvalidInputError(`${where}.length`, String(y.length), `x.rows = ${rows}`);
  for (let i = 0; i < y.length; i++) {
    const k = y[i];
    if (!(Number.isInteger(k) && k >= 0 && k < K)) throw new InvalidInputError(`${where}[${i}]`, String(k), `a class index 0…${K - 1} (${K} labels)`);
  }
}

/** Row i's label in the user's values. */
export function labelOf(data: Dataset, i: number): number {
  return data.labels.length === 2 ? data.labels[data.y[i] > 0 ? 1 : 0] : data.labels[data.y[i]];
}

/**
 * Matrices already checked, with the arrays they had then: a matrix is validated once (O(nnz)), not on every call
 * of trainSvm/evaluate/createSolver. anyml treats a matrix handed to it as immutable.
 */
const checked = new WeakMap<Matrix, readonly unknown[]>();
const identity = (x: Matrix): unknown[] =>
  x.kind === 'dense' ? [x.rows, x.cols, x.data] : [x.rows, x.cols, x.indptr, x.indices, x.values];

/**
 * Records a matrix that anyml built from checked data (a row subset, a scaled copy, compacted columns), so the
 * solvers that train on it do not check it again: the λ search's fold fits would otherwise re-validate O(nnz) each.
 */
export function markChecked<T extends Matrix>(x: T): T {
  checked.set(x, identity(x));
  return x;
}

/** ±1 label arrays anyml built itself (row subsets, one-vs-rest problems): checkLabels skips them. */
const checkedLabels = new WeakSet<Float32Array>();
export function markLabels(y: Float32Array): Float32Array {
  checkedLabels.add(y);
  return y;
}

/** Checks a CSR or dense matrix's internal consistency. `where` prefixes every message (e.g. 'createSolver: x'). */
export function checkMatrix(x: Matrix, where: string): void {
  const seen = x && typeof x === 'object' ? checked.get(x) : undefined;
  if (seen && identity(x).every((v, i) => v === seen[i])) return;
  if (!x || (x.kind !== 'csr' && x.kind !== 'dense')) throw new InvalidInputError(`${where}.kind`, describe((x as { kind?: unknown } | null)?.kind), "'csr' or 'dense'");
  if (!Number.isInteger(x.rows) || x.rows < 0 || !Number.isInteger(x.cols) || x.cols < 0) {
    throw new InvalidInputError(where, `rows=${x.rows} cols=${x.cols}`, 'non-negative integer rows and cols');
  }
  if (x.kind === 'dense') {
    if (!(x.data instanceof Float32Array)) throw new InvalidInputError(`${where}.data`, describe(x.data), 'a Float32Array');
    if (x.data.length !== x.rows * x.cols) throw new InvalidInputError(`${where}.data.length`, String(x.data.length), `rows*cols = ${x.rows * x.cols}`);
    for (let i = 0; i < x.data.length; i++) if (!Number.isFinite(x.data[i])) nonFinite(where, x.data[i], Math.floor(i / x.cols), i % x.cols);
  } else {
    checkCsr(x, where);
  }
  checked.set(x, identity(x));
}

function checkCsr(x: CsrMatrix, where: string): void {
  const { indptr, indices, values } = x;
  if (!(indptr instanceof Int32Array)) throw new InvalidInputError(`${where}.indptr`, describe(indptr), 'an Int32Array');
  if (!(indices instanceof Int32Array)) throw new InvalidInputError(`${where}.indices`, describe(indices), 'an Int32Array');
  if (!(values instanceof Float32Array)) throw new InvalidInputError(`${where}.values`, describe(values), 'a Float32Array');
  if (indptr.length !== x.rows + 1) throw new InvalidInputError(`${where}.indptr.length`, String(indptr.length), `rows+1 = ${x.rows + 1}`);
  if (indptr[0] !== 0) throw new InvalidInputError(`${where}.indptr[0]`, String(indptr[0]), '0');
  for (let r = 0; r < x.rows; r++) {
    if (indptr[r + 1] < indptr[r]) throw new InvalidInputError(`${where}.indptr[${r + 1}]`, String(indptr[r + 1]), `>= indptr[${r}] = ${indptr[r]}`);
  }
  const nnz = indptr[x.rows];
  if (indices.length < nnz) throw new InvalidInputError(`${where}.indices.length`, String(indices.length), `>= indptr[rows] = ${nnz}`);
  if (values.length < nnz) throw new InvalidInputError(`${where}.values.length`, String(values.length), `>= indptr[rows] = ${nnz}`);
  const cols = x.cols;
  for (let k = 0; k < nnz; k++) {
    const j = indices[k];
    if (!(j >= 0 && j < cols)) throw new InvalidInputError(`${where}.indices[${k}]`, String(j), `a column in [0, ${cols})`);
  }
  for (let r = 0; r < x.rows; r++)
    for (let k = indptr[r]; k < indptr[r + 1]; k++) if (!Number.isFinite(values[k])) nonFinite(where, values[k], r, indices[k]);
}

/** NaN or ±Infinity would turn the whole model into NaN: named by row and column (0-based, as in the matrix). */
function nonFinite(where: string, v: number, row: number, col: number): never {
  throw new InvalidInputError(`${where}: row ${row}, column ${col}`, String(v), 'finite feature values');
}

/** Checks that `y` holds one ±1 label per row. */
export function checkLabels(y: Float32Array, rows: number, where: string): void {
  if (!(y instanceof Float32Array)) throw new InvalidInputError(where, describe(y), 'a Float32Array');
  if (y.length !== rows) throw new InvalidInputError(`${where}.length`, String(y.length), `x.rows = ${rows}`);
  if (checkedLabels.has(y)) return;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1 && y[i] !== -1) throw new InvalidInputError(`${where}[${i}]`, String(y[i]), '-1 or +1');
  }
}

/** The rows `rows` of `x`, in that order, as a new matrix of the same kind. */
export function subsetRows(x: Matrix, rows: ArrayLike<number>): Matrix {
  const m = rows.length;
  if (x.kind === 'dense') {
    const data = new Float32Array(m * x.cols);
    for (let i = 0; i < m; i++) data.set(x.data.subarray(rows[i] * x.cols, (rows[i] + 1) * x.cols), i * x.cols);
    return markChecked({ kind: 'dense', rows: m, cols: x.cols, data });
  }
  const { indptr: ip, indices: ix, values: vx } = x;
  let nnz = 0;
  for (let i = 0; i < m; i++) nnz += ip[rows[i] + 1] - ip[rows[i]];
  const indptr = new Int32Array(m + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  // Plain loops: rows are short, and subarray()/set() per row costs more than the copy itself.
  let k = 0;
  for (let i = 0; i < m; i++) {
    for (let p = ip[rows[i]], e = ip[rows[i] + 1]; p < e; p++, k++) {
      indices[k] = ix[p];
      values[k] = vx[p];
    }
    indptr[i + 1] = k;
  }
  return markChecked({ kind: 'csr', rows: m, cols: x.cols, indptr, indices, values });
}

/** Subset of a dataset (rows and labels). */
export function subsetDataset(data: Dataset, rows: ArrayLike<number>): Dataset {
  const y = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) y[i] = data.y[rows[i]];
  // A binary subset's y is ±1 like its source's (a multiclass one holds class indices: checked where used).
  return { x: subsetRows(data.x, rows), y: data.labels.length === 2 ? markLabels(y) : y, labels: data.labels };
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

/**
 * Rows [lo, hi) of `x` without copying, for reading only (decisionValues): a CSR view keeps the full indices and
 * values with a slice of indptr, so its indptr does not start at 0 and it is not a valid matrix for the checks.
 */
export function rowView(x: Matrix, lo: number, hi: number): Matrix {
  if (x.kind === 'dense') return { ...x, rows: hi - lo, data: x.data.subarray(lo * x.cols, hi * x.cols) };
  return { ...x, rows: hi - lo, indptr: x.indptr.subarray(lo, hi + 1) };
}

/** The rows of the ranges [lo, hi), in order, as one new matrix (contiguous copies: no gather). */
export function rowRanges(data: Dataset, ranges: [number, number][]): Dataset {
  const rows = ranges.reduce((s, [lo, hi]) => s + hi - lo, 0);
  const y = new Float32Array(rows);
  let at = 0;
  for (const [lo, hi] of ranges) y.set(data.y.subarray(lo, hi), (at += hi - lo) - (hi - lo));
  const x = data.x;
  const labels = data.labels;
  const yOut = labels.length === 2 ? markLabels(y) : y;
  if (x.kind === 'dense') {
    const out = new Float32Array(rows * x.cols);
    let o = 0;
    for (const [lo, hi] of ranges) out.set(x.data.subarray(lo * x.cols, hi * x.cols), (o += (hi - lo) * x.cols) - (hi - lo) * x.cols);
    return { x: markChecked({ kind: 'dense', rows, cols: x.cols, data: out }), y: yOut, labels };
  }
  const nnz = ranges.reduce((s, [lo, hi]) => s + x.indptr[hi] - x.indptr[lo], 0);
  const indptr = new Int32Array(rows + 1), indices = new Int32Array(nnz), values = new Float32Array(nnz);
  let r = 0, k = 0;
  for (const [lo, hi] of ranges) {
    const b = x.indptr[lo], e = x.indptr[hi];
    indices.set(x.indices.subarray(b, e), k);
    values.set(x.values.subarray(b, e), k);
    for (let i = lo; i < hi; i++) indptr[++r] = x.indptr[i + 1] - b + k;
    k += e - b;
  }
  return { x: markChecked({ kind: 'csr', rows, cols: x.cols, indptr, indices, values }), y: yOut, labels };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : `${typeof v} ${String(v)}`;
}
