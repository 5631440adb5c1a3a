// SPDX-License-Identifier: MIT
// f32_axpy TS twin: bit-identical to cpp/kernels/f32_axpy__scalar.cc, plus a runner for the wasm core.
import type { AnymlCore } from '../backends/wasm/abi.js';
import { check, withHeap } from '../backends/wasm/heap.js';
import { checkCount, checkLength } from './check.js';

const fround = Math.fround;

/**
 * y[i] = f32(y[i] + f32(alpha·x[xOff+i])) for i < n, in place (x may be y). alpha is rounded to f32 first, as
 * the C ABI takes a float. Unchecked; the caller guarantees the ranges.
 * @example f32Axpy(2, 2, new Float32Array([1, 1]), y) // y += 2·x
 */
export function f32Axpy(n: number, alpha: number, x: Float32Array, y: Float32Array, xOff = 0): void {
  const a = fround(alpha);
  for (let i = 0; i < n; i++) y[i] = y[i] + fround(a * x[xOff + i]);
}

/** Runs the core's f32_axpy on copies and writes the result back into y[0..n). */
export function f32AxpyWasm(core: AnymlCore, n: number, alpha: number, x: Float32Array, y: Float32Array): void {
  checkCount('f32_axpy', 'n', n);
  checkLength('f32_axpy', 'x', x, n);
  checkLength('f32_axpy', 'y', y, n);
  withHeap(core, (h) => {
    const yp = h.copyIn(y.subarray(0, n));
    const xp = x === y ? yp : h.copyIn(x.subarray(0, n));
    check(core, 'f32_axpy', core._f32_axpy(n, alpha, xp, yp));
    y.set(h.f32(yp, n));
  });
}
