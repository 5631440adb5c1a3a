// SPDX-License-Identifier: MIT
// f32_dot TS twin: bit-identical to cpp/kernels/f32_dot__scalar.cc, plus a runner for the wasm core.
import type { AnymlCore } from '../backends/wasm/abi.js';
import { check, withHeap } from '../backends/wasm/heap.js';
import { checkCount, checkLength } from './check.js';

const fround = Math.fround;

/**
 * Σ x[xOff+i]·y[yOff+i] for i < n, accumulated left to right in f32: acc = f32(acc + f32(x·y)). Computing in f64
 * and rounding each step with Math.fround is exact emulation: f64 has ≥ 2·24+2 bits (Figueroa 1995).
 * Unchecked (hot loop of the js solver); the caller guarantees the ranges.
 * @example f32Dot(3, new Float32Array([1, 2, 3]), new Float32Array([4, 5, 6])) // 32
 */
export function f32Dot(n: number, x: Float32Array, y: Float32Array, xOff = 0, yOff = 0): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = fround(acc + fround(x[xOff + i] * y[yOff + i]));
  return acc;
}

/** Runs the core's f32_dot on copies of x[0..n) and y[0..n) (one copy when x === y). */
export function f32DotWasm(core: AnymlCore, n: number, x: Float32Array, y: Float32Array): number {
  checkCount('f32_dot', 'n', n);
  checkLength('f32_dot', 'x', x, n);
  checkLength('f32_dot', 'y', y, n);
  return withHeap(core, (h) => {
    const xp = h.copyIn(x.subarray(0, n));
    const yp = x === y ? xp : h.copyIn(y.subarray(0, n));
    const out = h.alloc(4);
    h.f32(out, 1)[0] = NaN;
    check(core, 'f32_dot', core._f32_dot(n, xp, yp, out));
    return h.f32(out, 1)[0];
  });
}
