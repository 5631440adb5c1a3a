// SPDX-License-Identifier: MIT
// f32_spdot WASM SIMD variants: y is gathered lane by lane (v128.load32_lane), values loaded 4 at a time,
// products summed in f32x4 lanes, then l0+l1+l2+l3 and the scalar tail (same order as f32_dot's SIMD variants).
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "internal.h"

namespace {
inline v128_t gather4(const float* y, const int32_t* idx) {
  v128_t g = wasm_v128_load32_zero(y + idx[0]);
  g = wasm_v128_load32_lane(y + idx[1], g, 1);
  g = wasm_v128_load32_lane(y + idx[2], g, 2);
  return wasm_v128_load32_lane(y + idx[3], g, 3);
}
inline v128_t mul4(const int32_t* idx, const float* val, const float* y, size_t i) {
  return wasm_f32x4_mul(wasm_v128_load(val + i), gather4(y, idx + i));
}
inline float finish(v128_t acc, size_t i, size_t nnz, const int32_t* idx, const float* val, const float* y) {
  float s = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1);
  s = s + wasm_f32x4_extract_lane(acc, 2);
  s = s + wasm_f32x4_extract_lane(acc, 3);
  for (; i < nnz; i++) s = s + val[i] * y[idx[i]];
  return s;
}
}  // namespace

extern "C" void f32_spdot__wasmsimd_u4(size_t nnz, const int32_t* idx, const float* val, const float* y, float* out) {
  v128_t a0 = wasm_f32x4_splat(0.0f);
  size_t i = 0;
  for (; i + 4 <= nnz; i += 4) a0 = wasm_f32x4_add(a0, mul4(idx, val, y, i));
  *out = finish(a0, i, nnz, idx, val, y);
}

extern "C" void f32_spdot__wasmsimd_u8(size_t nnz, const int32_t* idx, const float* val, const float* y, float* out) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
  size_t i = 0;
  for (; i + 8 <= nnz; i += 8) {
    a0 = wasm_f32x4_add(a0, mul4(idx, val, y, i));
    a1 = wasm_f32x4_add(a1, mul4(idx, val, y, i + 4));
  }
  if (i + 4 <= nnz) { a0 = wasm_f32x4_add(a0, mul4(idx, val, y, i)); i += 4; }
  *out = finish(wasm_f32x4_add(a0, a1), i, nnz, idx, val, y);
}
#endif  // __wasm_simd128__
