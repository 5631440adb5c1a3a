// SPDX-License-Identifier: MIT
// f32_spaxpy TS twin: bit-identical to cpp/kernels/f32_spaxpy__scalar.cc, plus a runner for the wasm core.
import type { AnymlCore } from '../backends/wasm/abi.js';
import { check, withHeap } from '../backends/wasm/heap.js';
import { checkCount, checkIndices, checkLength } from './check.js';

const fround = Math.fround;

/**
 * y[idx[off+i]] = f32(y[idx[off+i]] + f32(alpha·val[off+i])) for i ascending (repeated indices accumulate).
 * Unchecked.
 * @example f32Spaxpy(1, 2, new Int32Array([1]), new Float32Array([3]), y) // y[1] += 6
 */
export function f32Spaxpy(nnz: number, alpha: number, idx: Int32Array, val: Float32Array, y: Float32Array, off = 0): void {
  const a = fround(alpha);
  for (let p = off, e = off + nnz; p < e; p++) {
    const j = idx[p];
    y[j] = y[j] + fround(a * val[p]);
  }
}

/** Runs the core's f32_spaxpy on copies and writes the updated y back. */
export function f32SpaxpyWasm(core: AnymlCore, nnz: number, alpha: number, idx: Int32Array, val: Float32Array, y: Float32Array): void {
  checkCount('f32_spaxpy', 'nnz', nnz);
  checkLength('f32_spaxpy', 'idx', idx, nnz);
  checkLength('f32_spaxpy', 'val', val, nnz);
  checkIndices('f32_spaxpy', idx, nnz, y.length);
  withHeap(core, (h) => {
    const ip = h.copyIn(idx.subarray(0, nnz));
    const vp = h.copyIn(val.subarray(0, nnz));
    const yp = h.copyIn(y);
    check(core, 'f32_spaxpy', core._f32_spaxpy(nnz, alpha, ip, vp, yp));
    y.set(h.f32(yp, y.length));
  });
}
