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

// The token at q (up to the next blank), quoted for messages so users see what was actually there.
std::string token_at(const char* q, const char* eol) {
  const char* e = q;
  while (e < eol && !is_space(*e) && e - q < 40) e++;
  return "'" + std::string(q, e) + "'";
}

bool is_data_line(const char* p, const char* eol) {
  while (p < eol && is_space(*p)) p++;
  return p < eol && *p != '#';
}

bool parse_libsvm_line(const char* bol, const char* eol, const std::string& name, int64_t line,
                       const LineOptions& opt, LibsvmData* out, std::string* err) {
  auto col = [&](const char* q) { return static_cast<size_t>(q - bol) + 1; };
  auto at = [&](const char* q, const std::string& what) { return fail(err, name, static_cast<size_t>(line), col(q), what); };
  const char* p = bol;
  while (p < eol && is_space(*p)) p++;
  if (p == eol || *p == '#') return true;
  char* q;
  errno = 0;
  const double label = strtod(p, &q);
  if (q == p || errno == ERANGE || (q < eol && !is_space(*q)))
    return at(p, "bad label, got " + token_at(p, eol) + ", expected a number");
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
    if (q == p || *q != ':' || errno == ERANGE) return at(p, "bad feature, got " + token_at(p, eol) + ", expected index:value");
    if (idx <= prev || idx > 2147483647L)
      return at(p, "index " + std::to_string(idx) + " must be > " + std::to_string(prev) + " (1-based, ascending)");
    if (opt.max_index > 0 && idx > opt.max_index)
      return at(p, "got " + token_at(p, eol) + ", expected an index of at most " + std::to_string(opt.max_index) + " (" +
                       opt.limit_why + ")");
    const char* v = q + 1;
    errno = 0;
    const double val = strtod(v, &q);
    if (q == v || errno == ERANGE || (q < eol && !is_space(*q) && *q != '#'))
      return at(v, "bad value after index " + std::to_string(idx) + ", got " + token_at(v, eol) + ", expected a number");
    // Explicit zeros still count for the column count; dropping them matches the TS reader's CSR (opt.keep_zeros).
    if (val != 0.0 || opt.keep_zeros) {
      out->indices.push_back(static_cast<int32_t>(idx - 1));
      out->values.push_back(static_cast<float>(val));
    }
    if (idx > out->cols) out->cols = static_cast<int32_t>(idx);
    prev = idx;
    p = q;
  }
  if (out->indices.size() > 2147483647u) return at(bol, "more than 2^31-1 non-zeros");
  out->indptr.push_back(static_cast<int32_t>(out->indices.size()));
  out->rows++;
  return true;
}

bool parse_libsvm(const std::string& text, const std::string& name, LibsvmData* out, std::string* err) {
  *out = LibsvmData();
  const char* p = text.c_str();
  const char* const end = p + text.size();
  int64_t line = 0;
  const LineOptions opt;
  while (p < end) {
    const char* eol = p;
    while (eol < end && *eol != '\n') eol++;
    line++;
    if (!parse_libsvm_line(p, eol, name, line, opt, out, err)) return false;
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
