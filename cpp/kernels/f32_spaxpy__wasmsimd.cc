// SPDX-License-Identifier: MIT
// f32_spaxpy WASM SIMD variant: gather 4 lanes of y, y + alpha*val in f32x4 (bit-identical per element), scatter.
// Needs distinct indices within each group of 4 (true for CSR rows, whose indices ascend); repeated indices
// would lose an update, so the dispatcher only uses it if it is also faster (see internal.h).
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "internal.h"

extern "C" void f32_spaxpy__wasmsimd_u4(size_t nnz, float alpha, const int32_t* idx, const float* val, float* y) {
  const v128_t a = wasm_f32x4_splat(alpha);
  size_t i = 0;
  for (; i + 4 <= nnz; i += 4) {
    const int32_t* p = idx + i;
    v128_t g = wasm_v128_load32_zero(y + p[0]);
    g = wasm_v128_load32_lane(y + p[1], g, 1);
    g = wasm_v128_load32_lane(y + p[2], g, 2);
    g = wasm_v128_load32_lane(y + p[3], g, 3);
    g = wasm_f32x4_add(g, wasm_f32x4_mul(a, wasm_v128_load(val + i)));
    wasm_v128_store32_lane(y + p[0], g, 0);
    wasm_v128_store32_lane(y + p[1], g, 1);
    wasm_v128_store32_lane(y + p[2], g, 2);
    wasm_v128_store32_lane(y + p[3], g, 3);
  }
  for (; i < nnz; i++) y[idx[i]] = y[idx[i]] + alpha * val[i];
}
#endif  // __wasm_simd128__
