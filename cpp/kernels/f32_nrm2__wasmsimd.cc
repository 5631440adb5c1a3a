// SPDX-License-Identifier: MIT
// f32_nrm2 WASM SIMD variant: squares in f64x2 lanes (promote_low), 4 lane sums added left to right, then the
// scalar tail. f32 squares are exact in f64, so only the f64 summation order differs from the scalar reference.
#if defined(__wasm_simd128__)
#include <math.h>
#include <wasm_simd128.h>

#include "internal.h"

namespace {
// Adds the squares of x[i..i+3] into lo (lanes 0,1) and hi (lanes 2,3).
inline void sq4(const float* x, size_t i, v128_t& lo, v128_t& hi) {
  const v128_t v = wasm_v128_load(x + i);
  const v128_t a = wasm_f64x2_promote_low_f32x4(v);
  const v128_t b = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3));
  lo = wasm_f64x2_add(lo, wasm_f64x2_mul(a, a));
  hi = wasm_f64x2_add(hi, wasm_f64x2_mul(b, b));
}
}  // namespace

extern "C" void f32_nrm2__wasmsimd_u8(size_t n, const float* x, float* out) {
  v128_t lo0 = wasm_f64x2_splat(0.0), hi0 = lo0, lo1 = lo0, hi1 = lo0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    sq4(x, i, lo0, hi0);
    sq4(x, i + 4, lo1, hi1);
  }
  if (i + 4 <= n) { sq4(x, i, lo0, hi0); i += 4; }
  const v128_t lo = wasm_f64x2_add(lo0, lo1), hi = wasm_f64x2_add(hi0, hi1);
  double s = wasm_f64x2_extract_lane(lo, 0) + wasm_f64x2_extract_lane(lo, 1);
  s = s + wasm_f64x2_extract_lane(hi, 0);
  s = s + wasm_f64x2_extract_lane(hi, 1);
  for (; i < n; i++) s += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  *out = static_cast<float>(sqrt(s));
}
#endif  // __wasm_simd128__
