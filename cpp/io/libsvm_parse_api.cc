// SPDX-License-Identifier: MIT
// The libsvm_parse_* C ABI (cpp/include/anyml/libsvm_parse.h) over LibsvmStream: argument checks, the open /
// finished / failed states, and anyml_last_error messages. No exceptions cross it: the record comes from malloc.
#include <math.h>
#include <new>
#include <stdlib.h>

#include "../kernels/internal.h"
#include "anyml/libsvm_parse.h"
#include "libsvm_stream.h"

struct libsvm_parse {
  explicit libsvm_parse(const anyml::LibsvmStreamOptions& o) : stream(o), forced(const_cast<double*>(o.forced)) {}
  anyml::LibsvmStream stream;
  double* forced;  // the record's copy of the forced labels (malloc), freed by destroy
  int state = 0;  // kOpen, kFinished or kFailed
};

namespace {
using anyml::fail;
constexpr int kBad = ANYML_E_INVALID_ARG;
enum { kOpen = 0, kFinished = 1, kFailed = 2 };

// Maps a stream status to the C result, with a message that points at libsvm_parse_error for data errors.
int result(libsvm_parse* h, const char* fn, int rc) {
  if (rc == ANYML_OK) return rc;
  h->state = kFailed;
  if (rc == ANYML_E_NOMEM) return fail(rc, fn, "out of memory for the parsed rows");
  return fail(rc, fn, "invalid LIBSVM data (libsvm_parse_error has the details) on line", h->stream.error().line);
}

int check_open(const libsvm_parse* h, const char* fn) {
  if (!h) return fail(kBad, fn, "argument h is NULL");
  if (h->state != kOpen) return fail(ANYML_E_STATE, fn, h->state == kFailed ? "the parse already failed" : "the parse is finished");
  return ANYML_OK;
}
}  // namespace

extern "C" {

int libsvm_parse_create(int32_t keep_zeros, int32_t limit, int32_t forced_count, const double* forced,
                        libsvm_parse** out) {
  const char* fn = "libsvm_parse_create";
  if (!out) return fail(kBad, fn, "argument out is NULL");
  *out = nullptr;
  if (keep_zeros != 0 && keep_zeros != 1) return fail(kBad, fn, "keep_zeros must be 0 or 1, got", keep_zeros);
  if (limit < 1) return fail(kBad, fn, "limit must be in 1 .. 2^31-1, got", limit);
  if (forced_count < 0 || forced_count == 1) return fail(kBad, fn, "forced_count must be 0 or at least 2, got", forced_count);
  if (forced_count > 0 && !forced) return anyml::fail_null(fn, "forced", forced_count);
  for (int32_t k = 0; k < forced_count; k++) {
    if (!isfinite(forced[k])) return fail(kBad, fn, "forced labels must be finite; not at position", k);
    for (int32_t q = 0; q < k; q++)
      if (forced[q] == forced[k]) return fail(kBad, fn, "forced labels must be distinct; repeated at position", k);
  }
  double* copy = nullptr;
  if (forced_count > 0) {
    copy = static_cast<double*>(malloc(sizeof(double) * static_cast<size_t>(forced_count)));
    if (!copy) return fail(ANYML_E_NOMEM, fn, "out of memory for the forced labels");
    for (int32_t k = 0; k < forced_count; k++) copy[k] = forced[k];
  }
  anyml::LibsvmStreamOptions o;
  o.keep_zeros = keep_zeros != 0;
  o.limit = limit;
  o.forced = copy;
  o.forced_count = forced_count;
  void* mem = malloc(sizeof(libsvm_parse));
  if (!mem) {
    free(copy);
    return fail(ANYML_E_NOMEM, fn, "out of memory for the parser record");
  }
  libsvm_parse* h = new (mem) libsvm_parse(o);
  if (h->stream.init() != ANYML_OK) {
    libsvm_parse_destroy(h);
    return fail(ANYML_E_NOMEM, fn, "out of memory for the parser record");
  }
  *out = h;
  return ANYML_OK;
}

int libsvm_parse_push(libsvm_parse* h, const uint8_t* bytes, size_t len) {
  const char* fn = "libsvm_parse_push";
  if (int rc = check_open(h, fn)) return rc;
  if (len == 0) return ANYML_OK;
  if (!bytes) return anyml::fail_null(fn, "bytes", len);
  return result(h, fn, h->stream.push(bytes, len));
}

int libsvm_parse_finish(libsvm_parse* h) {
  const char* fn = "libsvm_parse_finish";
  if (int rc = check_open(h, fn)) return rc;
  const int rc = result(h, fn, h->stream.finish());
  if (rc == ANYML_OK) h->state = kFinished;
  return rc;
}

int libsvm_parse_error(const libsvm_parse* h, double* info, const uint8_t** line) {
  const char* fn = "libsvm_parse_error";
  if (!h || !info || !line) return fail(kBad, fn, "arguments h, info and line must not be NULL");
  const anyml::LibsvmStreamError& e = h->stream.error();
  info[LIBSVM_PARSE_E_KIND] = e.kind;
  info[LIBSVM_PARSE_E_LINE] = static_cast<double>(e.line);
  info[LIBSVM_PARSE_E_TOKEN] = static_cast<double>(e.token);
  info[LIBSVM_PARSE_E_LENGTH] = static_cast<double>(e.length);
  info[LIBSVM_PARSE_E_INDEX] = static_cast<double>(e.index);
  info[LIBSVM_PARSE_E_LAST] = static_cast<double>(e.last);
  *line = e.text.data();
  return ANYML_OK;
}

int libsvm_parse_shape(const libsvm_parse* h, int32_t* shape, double* labels) {
  if (!h || !shape || !labels) return fail(kBad, "libsvm_parse_shape", "arguments h, shape and labels must not be NULL");
  shape[0] = h->stream.rows();
  shape[1] = static_cast<int32_t>(h->stream.nnz());
  shape[2] = static_cast<int32_t>(h->stream.max_index());
  labels[0] = h->stream.label_a();
  labels[1] = h->stream.label_b();
  return ANYML_OK;
}

int libsvm_parse_arrays(const libsvm_parse* h, const int32_t** indptr, const int32_t** indices, const float** values,
                        const double** raw) {
  if (!h || !indptr || !indices || !values || !raw) return fail(kBad, "libsvm_parse_arrays", "an argument is NULL");
  *indptr = h->stream.indptr();
  *indices = h->stream.indices();
  *values = h->stream.values();
  *raw = h->stream.raw();
  return ANYML_OK;
}

int libsvm_parse_destroy(libsvm_parse* h) {
  if (!h) return ANYML_OK;
  double* forced = h->forced;
  h->~libsvm_parse();
  free(h);
  free(forced);
  return ANYML_OK;
}

}  // extern "C"
