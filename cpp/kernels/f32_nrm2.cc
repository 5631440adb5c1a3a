// SPDX-License-Identifier: MIT
// f32_nrm2 dispatcher: checks arguments, then runs the variant chosen in internal.h.
#include "internal.h"

extern "C" int f32_nrm2(size_t n, const float* x, float* out) {
  if (!out) return anyml::fail(ANYML_E_INVALID_ARG, "f32_nrm2", "argument out is NULL");
  if (n > 0 && !x) return anyml::fail_null("f32_nrm2", "x", n);
  ANYML_BEST_F32_NRM2(n, x, out);
  return ANYML_OK;
}
