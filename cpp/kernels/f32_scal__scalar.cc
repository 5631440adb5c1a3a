// SPDX-License-Identifier: MIT
// f32_scal scalar reference: x = alpha*x in f32.
#include "internal.h"

extern "C" void f32_scal__scalar_u1(size_t n, float alpha, float* x) {
  for (size_t i = 0; i < n; i++) x[i] = alpha * x[i];
}
