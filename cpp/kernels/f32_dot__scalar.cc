// SPDX-License-Identifier: MIT
// f32_dot scalar reference: sequential f32 accumulation; the TS twin (src/kernels/f32_dot.ts) matches it bit for bit.
#include "internal.h"

// acc = f32(acc + f32(x*y)). Built with -ffp-contract=off so no FMA fuses the two roundings.
extern "C" void f32_dot__scalar_u1(size_t n, const float* x, const float* y, float* out) {
  float acc = 0.0f;
  for (size_t i = 0; i < n; i++) acc = acc + x[i] * y[i];
  *out = acc;
}
