// SPDX-License-Identifier: MIT
// f32_spdot dispatcher: checks arguments, then runs the variant chosen in internal.h.
#include "internal.h"

extern "C" int f32_spdot(size_t nnz, const int32_t* idx, const float* val, const float* y, float* out) {
  if (!out) return anyml::fail(ANYML_E_INVALID_ARG, "f32_spdot", "argument out is NULL");
  if (nnz > 0 && !idx) return anyml::fail_null("f32_spdot", "idx", nnz);
  if (nnz > 0 && !val) return anyml::fail_null("f32_spdot", "val", nnz);
  if (nnz > 0 && !y) return anyml::fail_null("f32_spdot", "y", nnz);
  ANYML_BEST_F32_SPDOT(nnz, idx, val, y, out);
  return ANYML_OK;
}
