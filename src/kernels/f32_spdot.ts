// SPDX-License-Identifier: MIT
// f32_spdot TS twin: bit-identical to cpp/kernels/f32_spdot__scalar.cc, plus a runner for the wasm core.
import type { AnymlCore } from '../backends/wasm/abi.js';
import { check, withHeap } from '../backends/wasm/heap.js';
import { checkCount, checkIndices, checkLength } from './check.js';

const fround = Math.fround;

/**
 * Σ val[off+i]·y[idx[off+i]] for i < nnz (a CSR row times a dense vector), left to right in f32. Unchecked.
 * @example f32Spdot(2, new Int32Array([0, 2]), new Float32Array([1, 2]), new Float32Array([3, 0, 4])) // 11
 */
export function f32Spdot(nnz: number, idx: Int32Array, val: Float32Array, y: Float32Array, off = 0): number {
  let acc = 0;
  for (let p = off, e = off + nnz; p < e; p++) acc = fround(acc + fround(val[p] * y[idx[p]]));
  return acc;
}

/** Runs the core's f32_spdot on copies (idx is checked against y.length first). */
export function f32SpdotWasm(core: AnymlCore, nnz: number, idx: Int32Array, val: Float32Array, y: Float32Array): number {
  checkCount('f32_spdot', 'nnz', nnz);
  checkLength('f32_spdot', 'idx', idx, nnz);
  checkLength('f32_spdot', 'val', val, nnz);
  checkIndices('f32_spdot', idx, nnz, y.length);
  return withHeap(core, (h) => {
    const ip = h.copyIn(idx.subarray(0, nnz));
    const vp = h.copyIn(val.subarray(0, nnz));
    const yp = h.copyIn(y);
    const out = h.alloc(4);
    h.f32(out, 1)[0] = NaN;
    check(core, 'f32_spdot', core._f32_spdot(nnz, ip, vp, yp, out));
    return h.f32(out, 1)[0];
  });
}
