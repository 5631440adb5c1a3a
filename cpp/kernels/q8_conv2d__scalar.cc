// SPDX-License-Identifier: MIT
// q8_conv2d scalar variant: the packed sums of q8_conv2d.h in plain loops (gcc/clang may auto-vectorize them
// natively; integer sums are exact in any order). Runs on every engine and is the reference for the SIMD variants.
#include "internal.h"
#include "q8_conv2d.h"

namespace {
// Σ_j a[j]·b[j] for j < n in int32 (wrapping like the SIMD lanes: unsigned arithmetic, no signed-overflow UB).
inline uint32_t dot16(const int16_t* a, const int16_t* b, int32_t n) {
  uint32_t s = 0;
  for (int32_t j = 0; j < n; j++) s += static_cast<uint32_t>(static_cast<int32_t>(a[j]) * b[j]);
  return s;
}
}  // namespace

extern "C" void q8_conv2d__scalar_u1(const anyml::Q8ConvPacked* p, int8_t* out) {
  const int32_t n = p->k * p->cin;  // the zero-filled tail up to lp adds nothing
  for (int32_t y = 0; y < p->height; y++)
    for (int32_t x = 0; x < p->width; x++) {
      const int16_t* patch = p->xp + static_cast<size_t>(y) * p->row + static_cast<size_t>(x) * p->cin;
      int8_t* o = out + (static_cast<size_t>(y) * p->width + x) * p->cout;
      for (int32_t c = 0; c < p->cout; c++) {
        const int16_t* wc = p->wp + static_cast<size_t>(c) * p->k * p->lp;
        uint32_t acc = 0;
        for (int32_t ky = 0; ky < p->k; ky++) acc += dot16(patch + ky * p->row, wc + ky * p->lp, n);
        o[c] = anyml::q8_requantize(*p, static_cast<int32_t>(acc), c);
      }
    }
}
