// SPDX-License-Identifier: MIT
// f32_dot WASM SIMD variants: U/4 f32x4 accumulators, then lanes summed l0+l1+l2+l3, then the scalar tail.
// The summation order differs from the scalar reference, so results agree only to a relative tolerance.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "internal.h"

namespace {
// Sums the lanes left to right, then adds x[i]*y[i] for the tail i in [i0, n) like the scalar reference.
inline float finish(v128_t acc, size_t i0, size_t n, const float* x, const float* y) {
  float s = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1);
  s = s + wasm_f32x4_extract_lane(acc, 2);
  s = s + wasm_f32x4_extract_lane(acc, 3);
  for (size_t i = i0; i < n; i++) s = s + x[i] * y[i];
  return s;
}
inline v128_t mul4(const float* x, const float* y, size_t i) {
  return wasm_f32x4_mul(wasm_v128_load(x + i), wasm_v128_load(y + i));
}
}  // namespace

extern "C" void f32_dot__wasmsimd_u4(size_t n, const float* x, const float* y, float* out) {
  v128_t a0 = wasm_f32x4_splat(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) a0 = wasm_f32x4_add(a0, mul4(x, y, i));
  *out = finish(a0, i, n, x, y);
}

extern "C" void f32_dot__wasmsimd_u8(size_t n, const float* x, const float* y, float* out) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    a0 = wasm_f32x4_add(a0, mul4(x, y, i));
    a1 = wasm_f32x4_add(a1, mul4(x, y, i + 4));
  }
  if (i + 4 <= n) { a0 = wasm_f32x4_add(a0, mul4(x, y, i)); i += 4; }
  *out = finish(wasm_f32x4_add(a0, a1), i, n, x, y);
}

extern "C" void f32_dot__wasmsimd_u16(size_t n, const float* x, const float* y, float* out) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = wasm_f32x4_add(a0, mul4(x, y, i));
    a1 = wasm_f32x4_add(a1, mul4(x, y, i + 4));
    a2 = wasm_f32x4_add(a2, mul4(x, y, i + 8));
    a3 = wasm_f32x4_add(a3, mul4(x, y, i + 12));
  }
  for (; i + 4 <= n; i += 4) a0 = wasm_f32x4_add(a0, mul4(x, y, i));
  *out = finish(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)), i, n, x, y);
}
#endif  // __wasm_simd128__
