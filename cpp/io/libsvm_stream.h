// SPDX-License-Identifier: MIT
// LibsvmStream: the incremental LIBSVM parser behind the libsvm_parse_* C ABI, a line-for-line twin of the
// LibsvmParser class in src/io/libsvm.ts (same grammar, same first error, same CSR). No exceptions: every method
// that can fail returns an anyml status.
#ifndef ANYML_IO_LIBSVM_STREAM_H_
#define ANYML_IO_LIBSVM_STREAM_H_

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decimal_scan.h"

namespace anyml {

// A malloc-backed array of a trivially copyable T whose growth reports failure instead of throwing.
template <typename T>
class PodArray {
 public:
  PodArray() = default;
  PodArray(const PodArray&) = delete;
  PodArray& operator=(const PodArray&) = delete;
  ~PodArray() { free(p_); }
  // Capacity at least n (doubling, so that appends are amortised O(1)); false when out of memory.
  bool reserve(size_t n) {
    if (n <= cap_) return true;
    const size_t want = n > 2 * cap_ ? n : 2 * cap_;
    T* p = static_cast<T*>(realloc(p_, want * sizeof(T)));
    if (!p) return false;
    p_ = p;
    cap_ = want;
    return true;
  }
  T* data() { return p_; }
  const T* data() const { return p_; }
  size_t capacity() const { return cap_; }

 private:
  T* p_ = nullptr;
  size_t cap_ = 0;
};

struct LibsvmStreamOptions {
  bool keep_zeros = false;
  int64_t limit = 1 << 25;  // largest index accepted: options.features, or options.maxFeatures
  // The forced label values (options.labels): only these are accepted. Empty: every finite label is.
  const double* forced = nullptr;
  int32_t forced_count = 0;
};

// The first data error: kind (LIBSVM_PARSE_*), 1-based line, and the line's bytes up to the end of the bad token.
struct LibsvmStreamError {
  int kind = 0;
  int64_t line = 0;
  size_t token = 0;   // offset of the token in `text`
  size_t length = 0;  // bytes in `text`
  int64_t index = 0, last = 0;
  PodArray<uint8_t> text;
};

class LibsvmStream {
 public:
  explicit LibsvmStream(const LibsvmStreamOptions& o);
  int init();  // allocates indptr[0]; call once before push
  int push(const uint8_t* b, size_t n);
  int finish();

  int32_t rows() const { return rows_; }
  size_t nnz() const { return nnz_; }
  int64_t max_index() const { return max_index_; }
  double label_a() const { return a_; }
  double label_b() const { return b_; }
  const int32_t* indptr() const { return indptr_.data(); }
  const int32_t* indices() const { return indices_.data(); }
  const float* values() const { return values_.data(); }
  const double* raw() const { return raw_.data(); }
  const LibsvmStreamError& error() const { return err_; }

 private:
  int region(const uint8_t* b, size_t i, size_t end, bool single);
  int reserve(size_t bytes, bool single);
  int parse_line(const uint8_t* b, size_t start, size_t end, size_t* next);
  int read_features(const uint8_t* b, size_t line_start, size_t i, size_t end, size_t* next);
  bool admit(double v);
  int fail(int kind, const uint8_t* b, size_t line_start, size_t token, size_t end, int64_t idx, int64_t last);
  int append_carry(const uint8_t* b, size_t n);

  const LibsvmStreamOptions opt_;
  DecimalScanner sc_;
  int64_t line_ = 1;
  int32_t rows_ = 0;
  size_t nnz_ = 0;
  int64_t max_index_ = 0;
  double a_, b_;  // the first two label values: NaN until seen, or the first two forced (LabelSet in src/io/labels.ts)
  PodArray<int32_t> indptr_, indices_;
  PodArray<float> values_;
  PodArray<double> raw_;
  PodArray<uint8_t> carry_;  // a line that spans pushes
  size_t carry_len_ = 0;
  LibsvmStreamError err_;
};

}  // namespace anyml
#endif  // ANYML_IO_LIBSVM_STREAM_H_
