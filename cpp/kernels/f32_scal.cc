// SPDX-License-Identifier: MIT
// f32_scal dispatcher: checks arguments, then runs the variant chosen in internal.h.
#include "internal.h"

extern "C" int f32_scal(size_t n, float alpha, float* x) {
  if (n > 0 && !x) return anyml::fail_null("f32_scal", "x", n);
  ANYML_BEST_F32_SCAL(n, alpha, x);
  return ANYML_OK;
}
