// SPDX-License-Identifier: MIT
// LIBSVM reader: CSR layout, comments and qid, label mapping, and errors that give line and column.
#include <string>

#include "../io/libsvm_reader.h"
#include "harness.h"

TEST(libsvm_parse) {
  anyml::LibsvmData d;
  std::string err;
  const bool ok = anyml::parse_libsvm("+1 1:0.5 3:-2\n# comment\n\n-1 qid:3 2:1e-1  \n+1\n", "t", &d, &err);
  CHECK(ok, "%s", err.c_str());
  CHECK(d.rows == 3 && d.cols == 3, "rows %d cols %d", d.rows, d.cols);
  CHECK(d.indptr == std::vector<int32_t>({0, 2, 3, 3}), "indptr");
  CHECK(d.indices == std::vector<int32_t>({0, 2, 1}), "indices");
  CHECK(d.values == std::vector<float>({0.5f, -2.0f, 0.1f}), "values");
  std::vector<float> y;
  CHECK(anyml::labels_to_pm1({0, 1, 1, 0}, &y, &err) && y == std::vector<float>({-1, 1, 1, -1}), "0/1 labels");
  CHECK(!anyml::labels_to_pm1({0, 1, 2}, &y, &err), "three labels");
}

TEST(libsvm_errors) {
  anyml::LibsvmData d;
  std::string err;
  CHECK(!anyml::parse_libsvm("1 1:2\n1 3:1 2:1\n", "f.txt", &d, &err), "descending");
  CHECK(err == "f.txt:2:7: index 2 must be > 3 (1-based, ascending)", "%s", err.c_str());
  CHECK(!anyml::parse_libsvm("x 1:2\n", "f.txt", &d, &err) && err == "f.txt:1:1: bad label, got 'x', expected a number", "%s", err.c_str());
  CHECK(!anyml::parse_libsvm("1 1:abc\n", "f.txt", &d, &err) && err == "f.txt:1:5: bad value after index 1, got 'abc', expected a number", "%s", err.c_str());
  CHECK(!anyml::read_libsvm("/nonexistent/file", &d, &err) && err == "/nonexistent/file:0:0: cannot open file", "%s", err.c_str());
}
