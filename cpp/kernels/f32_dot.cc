// SPDX-License-Identifier: MIT
// f32_dot dispatcher: checks arguments, then runs the variant chosen in internal.h.
#include "internal.h"

extern "C" int f32_dot(size_t n, const float* x, const float* y, float* out) {
  if (!out) return anyml::fail(ANYML_E_INVALID_ARG, "f32_dot", "argument out is NULL");
  if (n > 0 && !x) return anyml::fail_null("f32_dot", "x", n);
  if (n > 0 && !y) return anyml::fail_null("f32_dot", "y", n);
  ANYML_BEST_F32_DOT(n, x, y, out);
  return ANYML_OK;
}
