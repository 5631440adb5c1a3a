// SPDX-License-Identifier: MIT
// LibsvmStream: see libsvm_stream.h. The structure follows src/io/lines.ts (ChunkedLines: whole lines are parsed in
// place, only a line that spans pushes is copied) and src/io/libsvm.ts (LibsvmParser: the per-line grammar and the
// order of the checks, which decides which error a bad line reports).
#include "libsvm_stream.h"

#include <math.h>
#include <string.h>

#include "anyml/anyml.h"
#include "anyml/libsvm_parse.h"

namespace anyml {
namespace {
constexpr int64_t kMaxIndex = 0x7fffffff;
constexpr size_t kMaxRegion = size_t{1} << 20;  // MAX_REGION of src/io/lines.ts
constexpr size_t kNone = ~size_t{0};

// Index just past the newline at or after i (or end).
size_t skip_line(const uint8_t* b, size_t i, size_t end) {
  const void* nl = i < end ? memchr(b + i, '\n', end - i) : nullptr;
  return nl ? static_cast<size_t>(static_cast<const uint8_t*>(nl) - b) + 1 : end;
}

// Index of the last newline in b[from, to), or kNone.
size_t last_newline(const uint8_t* b, size_t from, size_t to) {
  while (to > from)
    if (b[--to] == '\n') return to;
  return kNone;
}
}  // namespace

LibsvmStream::LibsvmStream(const LibsvmStreamOptions& o)
    : opt_(o), a_(o.forced_count > 0 ? o.forced[0] : NAN), b_(o.forced_count > 1 ? o.forced[1] : NAN) {}

int LibsvmStream::init() {
  if (!indptr_.reserve(1)) return ANYML_E_NOMEM;
  indptr_.data()[0] = 0;
  return ANYML_OK;
}

int LibsvmStream::append_carry(const uint8_t* b, size_t n) {
  if (!carry_.reserve(carry_len_ + n)) return ANYML_E_NOMEM;
  memcpy(carry_.data() + carry_len_, b, n);
  carry_len_ += n;
  return ANYML_OK;
}

// ChunkedLines.push: the carried line first, then runs of whole lines of at most 1 MiB, then the new carry.
int LibsvmStream::push(const uint8_t* b, size_t n) {
  size_t pos = 0;
  if (carry_len_ > 0) {
    const void* nl = memchr(b, '\n', n);
    if (!nl) return append_carry(b, n);
    pos = static_cast<size_t>(static_cast<const uint8_t*>(nl) - b) + 1;
    if (int rc = append_carry(b, pos)) return rc;
    const size_t len = carry_len_;
    carry_len_ = 0;
    if (int rc = region(carry_.data(), 0, len, true)) return rc;
  }
  while (pos < n) {
    const size_t window = n - pos > kMaxRegion ? pos + kMaxRegion : n;
    const size_t last = last_newline(b, pos, window);
    if (last != kNone) {
      if (int rc = region(b, pos, last + 1, false)) return rc;
      pos = last + 1;
      continue;
    }
    const size_t end = window < n ? skip_line(b, window, n) : n;
    if (end == n && b[n - 1] != '\n') break;  // no newline yet: carry
    if (int rc = region(b, pos, end, true)) return rc;  // one line longer than kMaxRegion
    pos = end;
  }
  return pos < n ? append_carry(b + pos, n - pos) : ANYML_OK;
}

// ChunkedLines.flush, then the "no data rows" check of LibsvmParser.finish.
int LibsvmStream::finish() {
  const size_t n = carry_len_;
  carry_len_ = 0;
  if (n > 0)
    if (int rc = region(carry_.data(), 0, n, true)) return rc;
  if (rows_ > 0) return ANYML_OK;
  err_.kind = LIBSVM_PARSE_NO_ROWS;
  err_.line = 1;
  return ANYML_E_INVALID_ARG;
}

int LibsvmStream::region(const uint8_t* b, size_t i, size_t end, bool single) {
  if (int rc = reserve(end - i, single)) return rc;
  while (i < end)
    if (int rc = parse_line(b, i, end, &i)) return rc;
  return ANYML_OK;
}

// Room for everything `bytes` more input can hold (a row takes at least 2 bytes, an entry 4), so that the hot loops
// never check capacity.
int LibsvmStream::reserve(size_t bytes, bool single) {
  const size_t rows = static_cast<size_t>(rows_) + (single ? 1 : bytes / 2) + 2;
  const size_t entries = nnz_ + bytes / 4 + 2;
  if (rows > static_cast<size_t>(kMaxIndex) || entries > static_cast<size_t>(kMaxIndex)) return ANYML_E_NOMEM;
  if (!indptr_.reserve(rows + 1) || !raw_.reserve(rows)) return ANYML_E_NOMEM;
  if (!indices_.reserve(entries) || !values_.reserve(entries)) return ANYML_E_NOMEM;
  return ANYML_OK;
}

// LabelSet.admit: with forced values, only those (a linear scan: class lists are short); else every value, the
// first two kept for the hot check in parse_line (the caller works out the full set from raw()).
bool LibsvmStream::admit(double v) {
  if (opt_.forced_count > 0) {
    for (int32_t k = 2; k < opt_.forced_count; k++)
      if (opt_.forced[k] == v) return true;
    return false;
  }
  if (isnan(a_)) a_ = v;
  else if (isnan(b_)) b_ = v;
  return true;
}

// LibsvmParser.parseLine: blank and comment lines are skipped (but counted), else the label, then the features.
int LibsvmStream::parse_line(const uint8_t* b, size_t start, size_t end, size_t* next) {
  size_t i = start;
  while (i < end && kByteClass[b[i]] == 1) i++;
  if (i == end || kByteClass[b[i]] != 0) {
    line_++;
    *next = skip_line(b, i, end);
    return ANYML_OK;
  }
  const size_t j = sc_.scan(b, i, end);
  const double label = sc_.value;
  const bool syntax = isnan(label) || (j < end && kByteClass[b[j]] == 0);
  if (syntax || !(fabs(label) < INFINITY))
    return fail(syntax ? LIBSVM_PARSE_LABEL_SYNTAX : LIBSVM_PARSE_LABEL_RANGE, b, start, i, end, 0, 0);
  if (label != a_ && label != b_ && !admit(label)) return fail(LIBSVM_PARSE_LABEL_SET, b, start, i, end, 0, 0);
  raw_.data()[rows_] = label;
  if (int rc = read_features(b, start, j, end, next)) return rc;
  indptr_.data()[++rows_] = static_cast<int32_t>(nnz_);
  line_++;
  return ANYML_OK;
}

// The hot loop: `index:value` pairs to the end of the line (LibsvmParser.readFeatures, same checks in the same order).
int LibsvmStream::read_features(const uint8_t* b, size_t line_start, size_t i, size_t end, size_t* next) {
  int32_t* ind = indices_.data();
  float* val = values_.data();
  size_t nnz = nnz_;
  int64_t last = 0;
  for (;;) {
    uint8_t c = 0;
    while (i < end && (c = kByteClass[b[i]]) == 1) i++;
    if (i >= end) break;
    if (c == 2 || c == 3) {
      i = c == 2 ? i + 1 : skip_line(b, i, end);
      break;
    }
    const size_t t = i;
    int64_t idx = 0;
    int d = 0;
    while (i < end && (d = b[i] - '0') >= 0 && d <= 9) {
      if (idx <= kMaxIndex) idx = idx * 10 + d;  // stays above kMaxIndex once there, without overflowing
      i++;
    }
    if (i == t || i == end || b[i] != ':' || idx < 1 || idx > kMaxIndex)
      return fail(LIBSVM_PARSE_INDEX, b, line_start, t, end, 0, 0);
    i = sc_.scan(b, i + 1, end);
    const double v = sc_.value;
    if (isnan(v) || (i < end && kByteClass[b[i]] == 0)) return fail(LIBSVM_PARSE_VALUE, b, line_start, t, end, 0, 0);
    if (idx <= last || idx > opt_.limit || !(fabs(v) < kFloat32Overflow))
      return fail(LIBSVM_PARSE_FEATURE, b, line_start, t, end, idx, last);
    last = idx;
    if (v != 0 || opt_.keep_zeros) {
      ind[nnz] = static_cast<int32_t>(idx - 1);
      val[nnz++] = static_cast<float>(v);  // round to nearest even, as a Float32Array store
    }
  }
  nnz_ = nnz;
  if (last > max_index_) max_index_ = last;
  *next = i;
  return ANYML_OK;
}

// Records the error with a copy of b[line_start, end of the token at `token`), which the TS side quotes and counts
// columns in exactly as src/io/location.ts does for the JS parser.
int LibsvmStream::fail(int kind, const uint8_t* b, size_t line_start, size_t token, size_t end, int64_t idx,
                       int64_t last) {
  if (sc_.out_of_memory) return ANYML_E_NOMEM;
  size_t stop = token;
  while (stop < end && kByteClass[b[stop]] == 0) stop++;
  const size_t n = stop - line_start;
  if (!err_.text.reserve(n + 1)) return ANYML_E_NOMEM;
  memcpy(err_.text.data(), b + line_start, n);
  err_.kind = kind;
  err_.line = line_;
  err_.token = token - line_start;
  err_.length = n;
  err_.index = idx;
  err_.last = last;
  return ANYML_E_INVALID_ARG;
}

}  // namespace anyml
