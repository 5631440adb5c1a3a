// SPDX-License-Identifier: MIT
// f32_spaxpy scalar reference: y[idx[i]] += alpha*val[i] in f32, in index order (repeated indices accumulate).
#include "internal.h"

extern "C" void f32_spaxpy__scalar_u1(size_t nnz, float alpha, const int32_t* idx, const float* val, float* y) {
  for (size_t i = 0; i < nnz; i++) y[idx[i]] = y[idx[i]] + alpha * val[i];
}
