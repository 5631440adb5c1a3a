// SPDX-License-Identifier: MIT
// anyml_last_error(): a per-thread message buffer, formatted without printf (keeps the wasm small).
#include <string.h>

#include "internal.h"

namespace {
constexpr size_t kCap = 256;
thread_local char g_msg[kCap];

// Appends `s` at `len`, truncating at the buffer end; returns the new length.
size_t append(size_t len, const char* s) {
  while (*s && len + 1 < kCap) g_msg[len++] = *s++;
  g_msg[len] = '\0';
  return len;
}

size_t append_u64(size_t len, uint64_t v) {
  char digits[24];
  int k = 0;
  do { digits[k++] = static_cast<char>('0' + v % 10); v /= 10; } while (v);
  char out[24];
  for (int i = 0; i < k; i++) out[i] = digits[k - 1 - i];
  out[k] = '\0';
  return append(len, out);
}
}  // namespace

namespace anyml {
int fail(int code, const char* fn, const char* what, int64_t num) {
  size_t len = append(0, fn);
  len = append(len, ": ");
  len = append(len, what);
  if (num != kNoNum) {
    len = append(len, num < 0 ? " -" : " ");
    append_u64(len, num < 0 ? static_cast<uint64_t>(-num) : static_cast<uint64_t>(num));
  }
  return code;
}

int fail_null(const char* fn, const char* arg, size_t n) {
  size_t len = append(0, fn);
  len = append(len, ": argument ");
  len = append(len, arg);
  len = append(len, " is NULL with n = ");
  len = append_u64(len, n);
  append(len, " > 0");
  return ANYML_E_INVALID_ARG;
}
}  // namespace anyml

extern "C" const char* anyml_last_error(void) { return g_msg; }
