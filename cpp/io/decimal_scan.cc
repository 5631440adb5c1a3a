// SPDX-License-Identifier: MIT
// DecimalScanner: mirrors NumberScanner (src/io/number.ts) step by step, so both readers take the same decisions.
// Both fast paths are one exact IEEE operation on exact operands (an integer below 2^53, a power of ten up to
// 10^22), hence correctly rounded; the rest goes to strtod, which musl (emscripten's libc) rounds correctly too.
#include "decimal_scan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

namespace anyml {
namespace {
constexpr double kPow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr double kMantissaLimit = 9007199254740992.0;  // 2^53

inline bool digit(const uint8_t* b, size_t i, size_t limit, int* d) {
  if (i >= limit) return false;
  *d = b[i] - '0';
  return *d >= 0 && *d <= 9;
}
}  // namespace

// Blanks 9, 11, 12, 13 and 32 are 1, newline 10 is 2, '#' 35 is 3; every other byte (the rest are zero) is 0.
const uint8_t kByteClass[256] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 3};

DecimalScanner::~DecimalScanner() { free(scratch_); }

// The common `[+-]digits[.digits]` form with at most 15 digits; anything else goes to scan_full (as in number.ts).
size_t DecimalScanner::scan(const uint8_t* b, size_t i, size_t limit) {
  const size_t s0 = i;
  bool neg = false;
  if (i < limit && (b[i] == '-' || b[i] == '+')) neg = b[i++] == '-';
  const size_t start = i;
  uint64_t m = 0;  // wraps harmlessly past 15 digits: that case is rescanned by scan_full
  int d = 0;
  while (digit(b, i, limit, &d)) m = m * 10 + static_cast<uint64_t>(d), i++;
  size_t frac = 0;
  bool dot = false;
  if (i < limit && b[i] == '.') {
    dot = true;
    const size_t f0 = ++i;
    while (digit(b, i, limit, &d)) m = m * 10 + static_cast<uint64_t>(d), i++;
    frac = i - f0;
  }
  const size_t digits = i - start - (dot ? 1 : 0);
  if (digits == 0 || digits > 15 || (i < limit && (b[i] | 32) == 'e')) return scan_full(b, s0, limit);
  const double v = frac == 0 ? static_cast<double>(m) : static_cast<double>(m) / kPow10[frac];
  value = neg ? -v : v;
  return i;
}

// The complete grammar, exponent included. `m` is accumulated in doubles as in number.ts; below 2^53 it is exact.
size_t DecimalScanner::scan_full(const uint8_t* b, size_t i, size_t limit) {
  bool neg = false;
  if (i < limit && (b[i] == '-' || b[i] == '+')) neg = b[i++] == '-';
  const size_t start = i;
  double m = 0;
  int64_t digits = 0, frac = 0;
  int d = 0;
  while (digit(b, i, limit, &d)) m = m * 10 + d, i++, digits++;
  if (i < limit && b[i] == '.') {
    i++;
    while (digit(b, i, limit, &d)) m = m * 10 + d, i++, frac++;
  }
  if (digits + frac == 0) return value = NAN, i;
  int64_t e = 0;
  if (i < limit && (b[i] | 32) == 'e') {
    size_t j = i + 1;
    bool eneg = false;
    if (j < limit && (b[j] == '-' || b[j] == '+')) eneg = b[j++] == '-';
    const size_t j0 = j;
    while (digit(b, j, limit, &d)) {
      if (e < 1000000) e = e * 10 + d;  // saturates: beyond it only strtod (or m == 0) decides
      j++;
    }
    if (j == j0) return value = NAN, j;
    i = j;
    if (eneg) e = -e;
  }
  e -= frac;
  double v;
  if (m < kMantissaLimit && e >= -22 && e <= 22) v = e < 0 ? m / kPow10[-e] : m * kPow10[e];
  else if (m == 0) v = 0;
  else v = slow_parse(b, start, i);
  value = neg ? -v : v;
  return i;
}

// strtod of b[start, end) (unsigned, grammar already checked), through a NUL-terminated copy.
double DecimalScanner::slow_parse(const uint8_t* b, size_t start, size_t end) {
  const size_t n = end - start;
  if (n + 1 > scratch_cap_) {
    char* p = static_cast<char*>(realloc(scratch_, n + 1));
    if (!p) return out_of_memory = true, NAN;
    scratch_ = p;
    scratch_cap_ = n + 1;
  }
  memcpy(scratch_, b + start, n);
  scratch_[n] = '\0';
  return strtod(scratch_, nullptr);
}

}  // namespace anyml
