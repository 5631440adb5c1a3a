// SPDX-License-Identifier: MIT
// Byte-level decimal scanner: the C++ twin of NumberScanner in src/io/number.ts (same grammar, same doubles).
#ifndef ANYML_IO_DECIMAL_SCAN_H_
#define ANYML_IO_DECIMAL_SCAN_H_

#include <stddef.h>
#include <stdint.h>

namespace anyml {

// Byte classes of src/io/number.ts BYTE_CLASS: 1 = blank (space, tab, CR, VT, FF), 2 = newline, 3 = '#', 0 = other.
extern const uint8_t kByteClass[256];

// Smallest |x| that rounds to float infinity (FLOAT32_OVERFLOW in src/io/number.ts).
constexpr double kFloat32Overflow = 3.4028235677973366e38;

// Scans `[+-]digits[.digits][(e|E)[+-]digits]` (at least one mantissa digit) from b[i], never past `limit`.
// Returns the index just past the longest valid prefix and sets `value` (NaN when no number starts at i). The value
// is the correctly rounded double of the token, as parseFloat gives: exact fast paths, strtod otherwise.
class DecimalScanner {
 public:
  DecimalScanner() = default;
  DecimalScanner(const DecimalScanner&) = delete;
  DecimalScanner& operator=(const DecimalScanner&) = delete;
  ~DecimalScanner();

  size_t scan(const uint8_t* b, size_t i, size_t limit);
  double value = 0;
  bool out_of_memory = false;  // set when a long token could not be copied for strtod (value is then NaN)

 private:
  size_t scan_full(const uint8_t* b, size_t i, size_t limit);
  double slow_parse(const uint8_t* b, size_t start, size_t end);
  char* scratch_ = nullptr;
  size_t scratch_cap_ = 0;
};

}  // namespace anyml
#endif  // ANYML_IO_DECIMAL_SCAN_H_
