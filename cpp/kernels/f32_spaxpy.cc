// SPDX-License-Identifier: MIT
// f32_spaxpy dispatcher: checks arguments, then runs the variant chosen in internal.h.
#include "internal.h"

extern "C" int f32_spaxpy(size_t nnz, float alpha, const int32_t* idx, const float* val, float* y) {
  if (nnz > 0 && !idx) return anyml::fail_null("f32_spaxpy", "idx", nnz);
  if (nnz > 0 && !val) return anyml::fail_null("f32_spaxpy", "val", nnz);
  if (nnz > 0 && !y) return anyml::fail_null("f32_spaxpy", "y", nnz);
  ANYML_BEST_F32_SPAXPY(nnz, alpha, idx, val, y);
  return ANYML_OK;
}
