// SPDX-License-Identifier: MIT
// f32_nrm2 TS twin: bit-identical to cpp/kernels/f32_nrm2__scalar.cc, plus a runner for the wasm core.
import type { AnymlCore } from '../backends/wasm/abi.js';
import { check, withHeap } from '../backends/wasm/heap.js';
import { checkCount, checkLength } from './check.js';

/**
 * f32(sqrt(Σ x[i]²)) with the squares (exact in f64) summed in f64, so no overflow for finite f32 input.
 * @example f32Nrm2(2, new Float32Array([3, 4])) // 5
 */
export function f32Nrm2(n: number, x: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += x[i] * x[i];
  return Math.fround(Math.sqrt(acc));
}

/** Runs the core's f32_nrm2 on a copy of x[0..n). */
export function f32Nrm2Wasm(core: AnymlCore, n: number, x: Float32Array): number {
  checkCount('f32_nrm2', 'n', n);
  checkLength('f32_nrm2', 'x', x, n);
  return withHeap(core, (h) => {
    const xp = h.copyIn(x.subarray(0, n));
    const out = h.alloc(4);
    h.f32(out, 1)[0] = NaN;
    check(core, 'f32_nrm2', core._f32_nrm2(n, xp, out));
    return h.f32(out, 1)[0];
  });
}
