// SPDX-License-Identifier: MIT
// Tolerance table for TomoGAN backend parity: max |out − cpu| / max |cpu| on one seeded input, with the cpu backend
// as the exact reference. Backends sum the convolutions in different orders (wasm: XNNPACK SIMD; webgpu: tiled WGSL
// matmuls; native: onnxruntime MLAS), so outputs differ by float32 rounding only. The bounds are ~10–100× what was
// measured and far below what a wrong kernel gives (≥ 1e-2 relative: a transposed bilinear, a missing bias).
export const TOMOGAN_TOLERANCE: Readonly<Record<string, number>> = {
  cpu: 0,
  wasm: 1e-5,
  webgpu: 1e-3,
  // onnxruntime-node (MLAS, AVX2/AVX-512 GEMM convolutions; NCHW): same rounding class as wasm.
  native: 1e-5,
  // test/parity/tomogan.parity.test.ts registers it: the cpu kernels behind a backend of its own.
  'test-double': 0,
};

/** The seeded parity case: 48 wide × 40 high, one slice, generator seed 41, image seed 42. */
export const TOMOGAN_PARITY_CASE = { width: 48, height: 40, modelSeed: 41, imageSeed: 42 } as const;

export { relErr as tomoganRelErr } from '../helpers/tomogan.js';
