// SPDX-License-Identifier: MIT
// f32_scal WASM SIMD variant: element-wise f32x4 multiply, bit-identical to the scalar reference.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "internal.h"

extern "C" void f32_scal__wasmsimd_u8(size_t n, float alpha, float* x) {
  const v128_t a = wasm_f32x4_splat(alpha);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    wasm_v128_store(x + i, wasm_f32x4_mul(a, wasm_v128_load(x + i)));
    wasm_v128_store(x + i + 4, wasm_f32x4_mul(a, wasm_v128_load(x + i + 4)));
  }
  if (i + 4 <= n) { wasm_v128_store(x + i, wasm_f32x4_mul(a, wasm_v128_load(x + i))); i += 4; }
  for (; i < n; i++) x[i] = alpha * x[i];
}
#endif  // __wasm_simd128__
