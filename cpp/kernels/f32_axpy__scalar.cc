// SPDX-License-Identifier: MIT
// f32_axpy scalar reference: y = y + alpha*x element by element in f32 (two roundings, no FMA).
#include "internal.h"

extern "C" void f32_axpy__scalar_u1(size_t n, float alpha, const float* x, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = y[i] + alpha * x[i];
}
