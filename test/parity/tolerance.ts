// SPDX-License-Identifier: MIT
// The one tolerance table for kernel and solver parity. js and wasm (scalar core) follow the same f32/f64
// operation order, so they must agree bit for bit (tolerance 0). wasm-simd sums dot products in 4 lanes, so:
//  - reductions (f32_dot, f32_spdot): |simd − ref| ≤ kernelSumRel · n · Σ|x_i·y_i|. Each order's recursive-sum
//    error is ≤ γ_n·Σ|x_i·y_i| ≈ n·2⁻²⁴·Σ (Higham, Accuracy and Stability, §4.2), so their difference ≤ n·2⁻²³·Σ.
//  - f32_nrm2: the f64 sums differ in ~1e-16, so after rounding to f32 at most 1 ulp: rel 2⁻²³.
//  - element-wise kernels (axpy, scal, spaxpy): identical IEEE operations per element, so bit-exact.
//  - solver: updates are element-wise (bit-exact), so weights only differ if a margin within a few ulps of 1
//    flips between violating and not. On the 48 parity cases (3 epochs, 300×40) no margin flipped: measured
//    ‖w_simd − w_js‖/‖w_js‖ = 0 and |Δbias| = 0, while the objective (whose dots are lane-summed) differed by
//    ≤ 2.9e-8 relative. The bounds are ≥ 30× what reassociation gives and
//    far below what a wrong variant gives (≥ 1e-3).
export const TOLERANCE = {
  kernel: {
    js: { exact: true },
    wasm: { exact: true },
    'wasm-simd': { sumRel: 2 ** -23, nrm2Rel: 2 ** -23 },
  },
  solver: {
    js: { exact: true },
    wasm: { exact: true },
    'wasm-simd': { weightsRel: 1e-4, biasRel: 1e-4, objectiveRel: 1e-6 },
  },
} as const;
