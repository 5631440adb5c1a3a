// SPDX-License-Identifier: MIT
// Training memory that scales with the columns the data uses, not with its declared width (one stray feature index
// or a large `features`). Pegasos starts from w = 0 and only moves the weights of a sample's non-zero features; the
// shrink step scales every weight, so a column no row uses keeps weight exactly 0 (Shalev-Shwartz et al. 2011,
// Algorithm 1). Training on the used columns, renumbered in order, and scattering the weights back gives the same
// model up to the order of floating-point sums over w (the objective's ‖w‖²).
import { markChecked } from './data.js';
import type { CsrMatrix, Matrix } from '../types.js';

/** Compact only past this width, where the solver's per-column state (≥ 16 bytes a column) starts to matter. */
const MIN_WIDTH = 1 << 20;

/** The used columns of a wide CSR matrix that uses under a quarter of them, and the matrix renumbered; else undefined. */
export function compactColumns(x: Matrix): { x: CsrMatrix; columns: Int32Array } | undefined {
  if (x.kind !== 'csr' || x.cols < MIN_WIDTH) return undefined;
  const nnz = x.indptr[x.rows];
  const used = new Uint8Array(x.cols);
  let count = 0;
  for (let k = 0; k < nnz; k++) if (!used[x.indices[k]]) (used[x.indices[k]] = 1), count++;
  if (count * 4 >= x.cols) return undefined;
  const columns = new Int32Array(Math.max(1, count));
  const index = new Int32Array(x.cols);
  for (let j = 0, c = 0; j < x.cols; j++) if (used[j]) (index[j] = c), (columns[c++] = j);
  const indices = new Int32Array(nnz);
  for (let k = 0; k < nnz; k++) indices[k] = index[x.indices[k]];
  return { x: markChecked({ kind: 'csr', rows: x.rows, cols: columns.length, indptr: x.indptr, indices, values: x.values }), columns };
}

/** Weights of the compacted columns, scattered back to the full `width` (every other weight is 0). */
export function expandWeights(w: Float64Array, columns: Int32Array, width: number): Float64Array {
  const out = new Float64Array(width);
  for (let c = 0; c < columns.length; c++) out[columns[c]] = w[c];
  return out;
}
