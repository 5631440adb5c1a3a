// SPDX-License-Identifier: MIT
// KERNELS: the one list of kernels that tests and benchmarks loop over (add a kernel here and it gets tested).
import type { AnymlCore } from '../backends/wasm/abi.js';
import { f32Axpy, f32AxpyWasm } from './f32_axpy.js';
import { f32Dot, f32DotWasm } from './f32_dot.js';
import { f32Nrm2, f32Nrm2Wasm } from './f32_nrm2.js';
import { f32Scal, f32ScalWasm } from './f32_scal.js';
import { f32Spaxpy, f32SpaxpyWasm } from './f32_spaxpy.js';
import { f32Spdot, f32SpdotWasm } from './f32_spdot.js';

export { f32Axpy, f32AxpyWasm, f32Dot, f32DotWasm, f32Nrm2, f32Nrm2Wasm, f32Scal, f32ScalWasm };
export { f32Spaxpy, f32SpaxpyWasm, f32Spdot, f32SpdotWasm };
// Not in KERNELS (a convolution, not a BLAS-1 case): test/unit/kernels/q8_conv2d.test.ts covers it.
export { convInt8Wasm, loadQ8Core } from './q8_conv2d.js';

/**
 * One uniform test/bench case. Dense kernels use x[0..n), y[0..n); sparse ones use idx[0..n) and val = x[0..n)
 * against the dense y (any length > max idx). `inPlace` passes y as x too (axpy, dot).
 */
export interface KernelCase {
  n: number;
  alpha: number;
  x: Float32Array;
  y: Float32Array;
  idx: Int32Array;
  inPlace: boolean;
}

/** What a run returns: a scalar result as a 1-element array, or the updated vector. */
export type KernelOutput = Float32Array;

export interface KernelDef {
  /** The kernel's one name (C symbol, file stem). */
  readonly name: 'f32_dot' | 'f32_axpy' | 'f32_scal' | 'f32_nrm2' | 'f32_spdot' | 'f32_spaxpy';
  /** Whether the SIMD variant must equal the scalar reference bit for bit (element-wise kernels), or only within
   * the tolerance of test/parity/tolerance.ts (reductions, whose lane order differs). */
  readonly elementwise: boolean;
  /** Runs the plain-TS reference on copies of the case's arrays. */
  ref(c: KernelCase): KernelOutput;
  /** Runs the same case on a loaded core. */
  wasm(core: AnymlCore, c: KernelCase): KernelOutput;
}

const one = (v: number) => new Float32Array([v]);
const yOf = (c: KernelCase) => c.y.slice();
const xOf = (c: KernelCase, y: Float32Array) => (c.inPlace ? y : c.x.slice());

export const KERNELS: readonly KernelDef[] = [
  {
    name: 'f32_dot',
    elementwise: false,
    ref: (c) => one(f32Dot(c.n, c.x, c.inPlace ? c.x : c.y)),
    wasm: (m, c) => one(f32DotWasm(m, c.n, c.x, c.inPlace ? c.x : c.y)),
  },
  {
    name: 'f32_axpy',
    elementwise: true,
    ref: (c) => { const y = yOf(c); f32Axpy(c.n, c.alpha, xOf(c, y), y); return y; },
    wasm: (m, c) => { const y = yOf(c); f32AxpyWasm(m, c.n, c.alpha, xOf(c, y), y); return y; },
  },
  {
    name: 'f32_scal',
    elementwise: true,
    ref: (c) => { const y = yOf(c); f32Scal(c.n, c.alpha, y); return y; },
    wasm: (m, c) => { const y = yOf(c); f32ScalWasm(m, c.n, c.alpha, y); return y; },
  },
  {
    name: 'f32_nrm2',
    elementwise: false,
    ref: (c) => one(f32Nrm2(c.n, c.x)),
    wasm: (m, c) => one(f32Nrm2Wasm(m, c.n, c.x)),
  },
  {
    name: 'f32_spdot',
    elementwise: false,
    ref: (c) => one(f32Spdot(c.n, c.idx, c.x, c.y)),
    wasm: (m, c) => one(f32SpdotWasm(m, c.n, c.idx, c.x, c.y)),
  },
  {
    name: 'f32_spaxpy',
    elementwise: true,
    ref: (c) => { const y = yOf(c); f32Spaxpy(c.n, c.alpha, c.idx, c.x, y); return y; },
    wasm: (m, c) => { const y = yOf(c); f32SpaxpyWasm(m, c.n, c.alpha, c.idx, c.x, y); return y; },
  },
];
