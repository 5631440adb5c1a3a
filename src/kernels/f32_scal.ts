// SPDX-License-Identifier: MIT
// f32_scal TS twin: bit-identical to cpp/kernels/f32_scal__scalar.cc, plus a runner for the wasm core.
import type { AnymlCore } from '../backends/wasm/abi.js';
import { check, withHeap } from '../backends/wasm/heap.js';
import { checkCount, checkLength } from './check.js';

const fround = Math.fround;

/**
 * x[i] = f32(alpha·x[i]) for i < n (the Float32Array store rounds). Unchecked.
 * @example f32Scal(3, 0.5, x) // halves x[0..3)
 */
export function f32Scal(n: number, alpha: number, x: Float32Array): void {
  const a = fround(alpha);
  for (let i = 0; i < n; i++) x[i] = a * x[i];
}

/** Runs the core's f32_scal on a copy and writes the result back into x[0..n). */
export function f32ScalWasm(core: AnymlCore, n: number, alpha: number, x: Float32Array): void {
  checkCount('f32_scal', 'n', n);
  checkLength('f32_scal', 'x', x, n);
  withHeap(core, (h) => {
    const xp = h.copyIn(x.subarray(0, n));
    check(core, 'f32_scal', core._f32_scal(n, alpha, xp));
    x.set(h.f32(xp, n));
  });
}
