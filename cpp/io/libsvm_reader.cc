// SPDX-License-Identifier: MIT
// LIBSVM text → CSR. One pass with strtod/strtol over the whole file in memory; errors give line and column.
#include "libsvm_reader.h"

#include <errno.h>
#include <stdlib.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace anyml {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool fail(std::string* err, const std::string& name, size_t line, size_t col, const std::string& what) {
  std::ostringstream m;
  m << name << ':' << line << ':' << col << ": " << what;
  *err = m.str();
  return false;
}

}  // namespace

bool parse_libsvm(const std::string& text, const std::string& name, LibsvmData* out, std::string* err) {
  *out = LibsvmData();
  const char* p = text.c_str();
  const char* const end = p + text.size();
  size_t line = 0;
  while (p < end) {
    const char* const bol = p;
    const char* eol = p;
    while (eol < end && *eol != '\n') eol++;
    line++;
    auto col = [&](const char* q) { return static_cast<size_t>(q - bol) + 1; };
    while (p < eol && is_space(*p)) p++;
    if (p == eol || *p == '#') { p = eol + 1; continue; }
    char* q;
    errno = 0;
    const double label = strtod(p, &q);
    if (q == p || errno == ERANGE || (q < eol && !is_space(*q)))
      return fail(err, name, line, col(p), "bad label, expected a number");
    out->labels.push_back(label);
    p = q;
    int64_t prev = 0;
    for (;;) {
      while (p < eol && is_space(*p)) p++;
      if (p == eol || *p == '#') break;
      if (eol - p > 4 && p[0] == 'q' && p[1] == 'i' && p[2] == 'd' && p[3] == ':') {
        while (p < eol && !is_space(*p)) p++;
        continue;
      }
      errno = 0;
      const long idx = strtol(p, &q, 10);
      if (q == p || *q != ':' || errno == ERANGE) return fail(err, name, line, col(p), "bad feature, expected index:value");
      if (idx <= prev || idx > 2147483647L)
        return fail(err, name, line, col(p), "index " + std::to_string(idx) + " must be > " + std::to_string(prev) + " (1-based, ascending)");
      const char* v = q + 1;
      errno = 0;
      const double val = strtod(v, &q);
      if (q == v || errno == ERANGE || (q < eol && !is_space(*q) && *q != '#'))
        return fail(err, name, line, col(v), "bad value after index " + std::to_string(idx) + ", expected a number");
      out->indices.push_back(static_cast<int32_t>(idx - 1));
      out->values.push_back(static_cast<float>(val));
      if (idx > out->cols) out->cols = static_cast<int32_t>(idx);
      prev = idx;
      p = q;
    }
    if (out->indices.size() > 2147483647u) return fail(err, name, line, 1, "more than 2^31-1 non-zeros");
    out->indptr.push_back(static_cast<int32_t>(out->indices.size()));
    out->rows++;
    p = eol + 1;
  }
  return true;
}

bool read_libsvm(const std::string& path, LibsvmData* out, std::string* err) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) return fail(err, path, 0, 0, "cannot open file");
    text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  return parse_libsvm(text, path, out, err);
}

bool labels_to_pm1(const std::vector<double>& labels, std::vector<float>* y, std::string* err) {
  double lo = 0, hi = 0;
  bool have_lo = false, have_hi = false;
  for (double l : labels) {
    if (!have_lo) { lo = l; have_lo = true; }
    else if (l != lo && !have_hi) { hi = l; have_hi = true; }
    else if (l != lo && l != hi) { *err = "more than two distinct labels (" + std::to_string(lo) + ", " + std::to_string(hi) + ", " + std::to_string(l) + ")"; return false; }
  }
  if (have_hi && hi < lo) std::swap(lo, hi);
  y->resize(labels.size());
  // With a single distinct label the sign decides (a test file may hold one class only).
  for (size_t i = 0; i < labels.size(); i++)
    (*y)[i] = (have_hi ? labels[i] == hi : labels[i] > 0) ? 1.0f : -1.0f;
  return true;
}

}  // namespace anyml
