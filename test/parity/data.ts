// SPDX-License-Identifier: MIT
// Seeded synthetic datasets for parity tests: ±1 labels from a noisy random hyperplane, sparse (CSR) and dense.
import { nextU32, seedState } from '../../src/rng.js';
import type { CsrMatrix, DenseMatrix } from '../../src/types.js';

/** Uniform f32 in [-1, 1) from the solver's own RNG (so the data is the same everywhere). */
export function uniform(s: Uint32Array): number {
  return Math.fround(nextU32(s) / 2 ** 31 - 1);
}

/** `rows` × `cols` data where each entry is non-zero with probability `density`. */
export function synthetic(rows: number, cols: number, density: number, seed: number) {
  const s = seedState(seed);
  const w = Array.from({ length: cols }, () => uniform(s));
  const indptr = new Int32Array(rows + 1);
  const idx: number[] = [];
  const val: number[] = [];
  const dense = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let m = 0.3 * uniform(s); // label noise
    for (let j = 0; j < cols; j++) {
      if (nextU32(s) / 2 ** 32 >= density) continue;
      const v = uniform(s) * 3;
      idx.push(j);
      val.push(v);
      dense[i * cols + j] = v;
      m += w[j] * v;
    }
    indptr[i + 1] = idx.length;
    y[i] = m >= 0 ? 1 : -1;
  }
  const csr: CsrMatrix = { kind: 'csr', rows, cols, indptr, indices: Int32Array.from(idx), values: Float32Array.from(val) };
  const dn: DenseMatrix = { kind: 'dense', rows, cols, data: dense };
  return { csr, dense: dn, y };
}

/** Float32Array → its bit patterns, so toEqual compares bits (NaN and -0 included). */
export const bits32 = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
/** Float64 → bit pattern as a hex string. */
export const bits64 = (x: number): string => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  return b.getBigUint64(0).toString(16);
};
