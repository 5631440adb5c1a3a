// SPDX-License-Identifier: MIT
// f32_spdot scalar reference: CSR row · dense vector, sequential f32 accumulation in index order.
#include "internal.h"

extern "C" void f32_spdot__scalar_u1(size_t nnz, const int32_t* idx, const float* val, const float* y, float* out) {
  float acc = 0.0f;
  for (size_t i = 0; i < nnz; i++) acc = acc + val[i] * y[idx[i]];
  *out = acc;
}
