// SPDX-License-Identifier: MIT
// f32_axpy WASM SIMD variants: element-wise f32x4 mul then add (no FMA in WASM SIMD), so bit-identical to scalar.
// Each block is loaded before it is stored, so x == y (in place) is safe.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "internal.h"

namespace {
inline void step4(v128_t a, const float* x, float* y, size_t i) {
  wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(y + i), wasm_f32x4_mul(a, wasm_v128_load(x + i))));
}
}  // namespace

extern "C" void f32_axpy__wasmsimd_u4(size_t n, float alpha, const float* x, float* y) {
  const v128_t a = wasm_f32x4_splat(alpha);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) step4(a, x, y, i);
  for (; i < n; i++) y[i] = y[i] + alpha * x[i];
}

extern "C" void f32_axpy__wasmsimd_u8(size_t n, float alpha, const float* x, float* y) {
  const v128_t a = wasm_f32x4_splat(alpha);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    step4(a, x, y, i);
    step4(a, x, y, i + 4);
  }
  if (i + 4 <= n) { step4(a, x, y, i); i += 4; }
  for (; i < n; i++) y[i] = y[i] + alpha * x[i];
}
#endif  // __wasm_simd128__
