// SPDX-License-Identifier: MIT
// f32_axpy dispatcher: checks arguments, then runs the variant chosen in internal.h.
#include "internal.h"

extern "C" int f32_axpy(size_t n, float alpha, const float* x, float* y) {
  if (n > 0 && !x) return anyml::fail_null("f32_axpy", "x", n);
  if (n > 0 && !y) return anyml::fail_null("f32_axpy", "y", n);
  ANYML_BEST_F32_AXPY(n, alpha, x, y);
  return ANYML_OK;
}
