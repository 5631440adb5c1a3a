// SPDX-License-Identifier: MIT
// A seeded uniform sample of the rows a stream has seen (reservoir sampling), kept to refit an SVM's bias.

import { bounded, seedState } from '../rng.js';
import type { Matrix } from '../types.js';

/**
 * Vitter's Algorithm R (reservoir sampling, ACM TOMS 1985): after n rows, each row is in the sample with probability
 * size/n, using O(size) memory and one random draw per row once full. Rows are stored sparsely (dense rows keep
 * their non-zeros only), so the sample costs about what the same rows cost in CSR form. The RNG is its own seeded
 * xoshiro128** stream, separate from the solver's, so the sample never changes the training order.
 */
export class RowReservoir {
  private readonly idx: Int32Array[] = [];
  private readonly val: Float32Array[] = [];
  private readonly lab: number[] = [];
  private readonly rng: Uint32Array;
  private n = 0;

  constructor(
    readonly size: number,
    seed: number,
  ) {
    this.rng = seedState(seed);
  }

  /** Rows currently held. */
  get length(): number {
    return this.lab.length;
  }

  /** Offers every row of `x` (labels `y`, ±1 in the stream's coding). */
  add(x: Matrix, y: Float32Array): void {
    for (let r = 0; r < x.rows; r++) {
      this.n++;
      let slot = this.lab.length;
      if (slot >= this.size) {
        // Algorithm R: row n replaces a random slot with probability size/n. n stays below 2^31 per the engine's
        // row limits times any realistic stream; beyond that the sample simply stops changing.
        const j = this.n < 0x7fffffff ? bounded(this.rng, this.n) : this.size;
        if (j >= this.size) continue;
        slot = j;
      }
      const [ind, val] = rowOf(x, r);
      this.idx[slot] = ind;
      this.val[slot] = val;
      this.lab[slot] = y[r];
    }
  }

  /** Decision values wᵀx_i (no bias) of the sampled rows, and their labels. Features beyond w are ignored. */
  margins(w: Float64Array): { s: Float64Array; y: Float32Array } {
    const m = this.lab.length;
    const s = new Float64Array(m);
    const d = w.length;
    for (let i = 0; i < m; i++) {
      const ind = this.idx[i];
      const val = this.val[i];
      let acc = 0;
      for (let k = 0; k < ind.length; k++) if (ind[k] < d) acc += w[ind[k]] * val[k];
      s[i] = acc;
    }
    return { s, y: Float32Array.from(this.lab) };
  }
}

/** Row r of a matrix as (column indices, values) copies, non-zeros only. */
function rowOf(x: Matrix, r: number): [Int32Array, Float32Array] {
  if (x.kind === 'csr') return [x.indices.slice(x.indptr[r], x.indptr[r + 1]), x.values.slice(x.indptr[r], x.indptr[r + 1])];
  const row = x.data.subarray(r * x.cols, (r + 1) * x.cols);
  let nz = 0;
  for (let j = 0; j < row.length; j++) if (row[j] !== 0) nz++;
  const ind = new Int32Array(nz);
  const val = new Float32Array(nz);
  for (let j = 0, k = 0; j < row.length; j++) {
    if (row[j] !== 0) {
      ind[k] = j;
      val[k++] = row[j];
    }
  }
  return [ind, val];
}
