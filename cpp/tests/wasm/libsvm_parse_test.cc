// SPDX-License-Identifier: MIT
// libsvm_parse_* C ABI: lines across pushes, CSR layout, zeros, error records (kind, line, token), states.
#include <math.h>
#include <string.h>

#include "anyml/anyml.h"
#include "anyml/libsvm_parse.h"
#include "../harness.h"

namespace {
libsvm_parse* make(int keep_zeros, int limit = 1 << 25) {
  libsvm_parse* h = nullptr;
  CHECK(libsvm_parse_create(keep_zeros, limit, 0, nullptr, &h) == ANYML_OK && h, "create");
  return h;
}
int push(libsvm_parse* h, const char* s) {
  return libsvm_parse_push(h, reinterpret_cast<const uint8_t*>(s), strlen(s));
}
}  // namespace

TEST(libsvm_parse_stream) {
  libsvm_parse* h = make(0);
  CHECK(push(h, "+1 1:0.5 3:-2\n# c\n\n-1 2:1") == ANYML_OK, "push 1");
  CHECK(push(h, "e-1 4:0  \n1") == ANYML_OK, "push 2");
  CHECK(libsvm_parse_finish(h) == ANYML_OK, "%s", anyml_last_error());
  int32_t shape[3];
  double labels[2];
  CHECK(libsvm_parse_shape(h, shape, labels) == ANYML_OK, "shape");
  CHECK(shape[0] == 3 && shape[1] == 3 && shape[2] == 4, "rows %d nnz %d cols %d", shape[0], shape[1], shape[2]);
  CHECK(labels[0] == 1 && labels[1] == -1, "labels %g %g", labels[0], labels[1]);
  const int32_t *ip, *ix;
  const float* v;
  const double* raw;
  CHECK(libsvm_parse_arrays(h, &ip, &ix, &v, &raw) == ANYML_OK, "arrays");
  CHECK(ip[0] == 0 && ip[1] == 2 && ip[2] == 3 && ip[3] == 3, "indptr");
  CHECK(ix[0] == 0 && ix[1] == 2 && ix[2] == 1 && v[2] == 0.1f, "indices/values");
  CHECK(raw[0] == 1 && raw[1] == -1 && raw[2] == 1, "raw labels");
  CHECK(libsvm_parse_push(h, nullptr, 0) == ANYML_E_STATE, "push after finish");
  libsvm_parse_destroy(h);
}

TEST(libsvm_parse_errors) {
  libsvm_parse* h = make(1, 8);
  CHECK(push(h, "1 1:0\n-1 2:1\n1 3:1 9:2\n") == ANYML_E_INVALID_ARG, "limit");
  double info[LIBSVM_PARSE_ERROR_SLOTS];
  const uint8_t* line = nullptr;
  CHECK(libsvm_parse_error(h, info, &line) == ANYML_OK, "error");
  CHECK(info[LIBSVM_PARSE_E_KIND] == LIBSVM_PARSE_FEATURE && info[LIBSVM_PARSE_E_LINE] == 3, "kind/line");
  CHECK(info[LIBSVM_PARSE_E_TOKEN] == 6 && info[LIBSVM_PARSE_E_LENGTH] == 9 && memcmp(line, "1 3:1 9:2", 9) == 0, "token");
  CHECK(info[LIBSVM_PARSE_E_INDEX] == 9 && info[LIBSVM_PARSE_E_LAST] == 3, "index/last");
  CHECK(push(h, "1 1:1\n") == ANYML_E_STATE, "push after an error");
  libsvm_parse_destroy(h);
  h = make(0);
  CHECK(push(h, "# only\n") == ANYML_OK && libsvm_parse_finish(h) == ANYML_E_INVALID_ARG, "no rows");
  CHECK(libsvm_parse_error(h, info, &line) == ANYML_OK && info[LIBSVM_PARSE_E_KIND] == LIBSVM_PARSE_NO_ROWS, "no rows kind");
  libsvm_parse_destroy(h);
  libsvm_parse* bad = nullptr;
  CHECK(libsvm_parse_create(0, 0, 0, nullptr, &bad) == ANYML_E_INVALID_ARG && !bad, "limit 0");
  const double same[2] = {1, 1}, one[1] = {1};
  CHECK(libsvm_parse_create(0, 9, 2, same, &bad) == ANYML_E_INVALID_ARG, "equal forced labels");
  CHECK(libsvm_parse_create(0, 9, 1, one, &bad) == ANYML_E_INVALID_ARG, "one forced label");
  CHECK(libsvm_parse_create(0, 9, 3, nullptr, &bad) == ANYML_E_INVALID_ARG, "forced NULL");
}

// Every label value is accepted unless some are forced; a forced list of three or more is checked past the first two.
TEST(libsvm_parse_labels) {
  libsvm_parse* h = make(0);
  CHECK(push(h, "3 1:1\n1 1:2\n2 1:3\n3 1:4\n") == ANYML_OK && libsvm_parse_finish(h) == ANYML_OK, "%s", anyml_last_error());
  const int32_t *ip = nullptr, *ix = nullptr;
  const float* v = nullptr;
  const double* raw = nullptr;
  CHECK(libsvm_parse_arrays(h, &ip, &ix, &v, &raw) == ANYML_OK, "arrays");
  CHECK(raw[0] == 3 && raw[1] == 1 && raw[2] == 2 && raw[3] == 3, "raw labels");
  libsvm_parse_destroy(h);
  const double forced[3] = {1, 2, 3};
  CHECK(libsvm_parse_create(0, 9, 3, forced, &h) == ANYML_OK, "create forced");
  CHECK(push(h, "3 1:1\n1 1:2\n4 1:3\n") == ANYML_E_INVALID_ARG, "label 4 outside the forced list");
  double info[LIBSVM_PARSE_ERROR_SLOTS];
  const uint8_t* line = nullptr;
  CHECK(libsvm_parse_error(h, info, &line) == ANYML_OK && info[LIBSVM_PARSE_E_KIND] == LIBSVM_PARSE_LABEL_SET, "kind");
  CHECK(info[LIBSVM_PARSE_E_LINE] == 3, "line %g", info[LIBSVM_PARSE_E_LINE]);
  libsvm_parse_destroy(h);
}
