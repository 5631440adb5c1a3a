// SPDX-License-Identifier: MIT
// f32_nrm2 scalar reference: squares summed in f64 (a f32 square is exact in f64 and the sum cannot overflow).
#include <math.h>

#include "internal.h"

extern "C" void f32_nrm2__scalar_u1(size_t n, const float* x, float* out) {
  double acc = 0.0;
  for (size_t i = 0; i < n; i++) acc += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  *out = static_cast<float>(sqrt(acc));
}
