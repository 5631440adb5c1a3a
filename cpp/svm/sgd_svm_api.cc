// SPDX-License-Identifier: MIT
// The sgd_svm_* C ABI: argument checks (messages name function, argument and value), allocation, state access.
// No exceptions cross it: buffers come from malloc and failures return ANYML_E_NOMEM.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/internal.h"
#include "rng.h"
#include "sgd_svm.h"

namespace {
using anyml::fail;
constexpr int kBad = ANYML_E_INVALID_ARG;

bool is_int_in(double x, double lo, double hi) { return x >= lo && x <= hi && floor(x) == x; }
bool is_flag(double x) { return x == 0.0 || x == 1.0; }

int check_options(const char* fn, const sgd_svm_options* o) {
  if (!o) return fail(kBad, fn, "argument opts is NULL");
  if (!(o->lambda > 0.0) || !isfinite(o->lambda)) return fail(kBad, fn, "opts.lambda must be finite and > 0");
  if (!is_int_in(o->batch_size, 1, 2147483647.0)) return fail(kBad, fn, "opts.batch_size must be an integer >= 1");
  if (!is_int_in(o->schedule, 0, 2)) return fail(kBad, fn, "opts.schedule must be 0 (pegasos), 1 (seed-alpha) or 2 (paper)");
  if (!is_flag(o->shuffle) || !is_flag(o->averaged)) return fail(kBad, fn, "opts.shuffle and opts.averaged must be 0 or 1");
  if (!is_int_in(o->average_start, 0, 9007199254740992.0)) return fail(kBad, fn, "opts.average_start must be an integer >= 0");
  if (!isfinite(o->bias_scale)) return fail(kBad, fn, "opts.bias_scale must be finite");
  if (!is_int_in(o->seed, 0, 4294967295.0)) return fail(kBad, fn, "opts.seed must be an integer in [0, 2^32)");
  return ANYML_OK;
}

int check_labels(const char* fn, int32_t rows, const float* y) {
  if (!y) return fail(kBad, fn, "argument y is NULL");
  for (int32_t i = 0; i < rows; i++)
    if (y[i] != 1.0f && y[i] != -1.0f) return fail(kBad, fn, "y must be -1 or +1; bad label at row", i);
  return ANYML_OK;
}

// Allocates the solver with its owned buffers and the initial state (v = 0, scale = 1, identity perm, seeded rng).
int make(const char* fn, int32_t rows, int32_t cols, const sgd_svm_options* o, sgd_svm** out) {
  sgd_svm* s = static_cast<sgd_svm*>(calloc(1, sizeof(sgd_svm)));
  if (!s) return fail(ANYML_E_NOMEM, fn, "out of memory for the solver record");
  s->rows = rows;
  s->cols = cols;
  s->lambda = o->lambda;
  s->batch = static_cast<int32_t>(o->batch_size);
  s->schedule = static_cast<int32_t>(o->schedule);
  s->shuffle = o->shuffle != 0.0;
  s->averaged = o->averaged != 0.0;
  s->average_start = o->average_start;
  s->bias_scale = o->bias_scale;
  s->v = static_cast<float*>(calloc(static_cast<size_t>(cols), sizeof(float)));
  s->w = static_cast<float*>(calloc(static_cast<size_t>(cols), sizeof(float)));
  s->perm = static_cast<int32_t*>(malloc(static_cast<size_t>(rows) * sizeof(int32_t)));
  s->violates = static_cast<uint8_t*>(malloc(static_cast<size_t>(s->batch)));
  if (s->averaged) s->avg = static_cast<double*>(calloc(static_cast<size_t>(cols), sizeof(double)));
  if (!s->v || !s->w || !s->perm || !s->violates || (s->averaged && !s->avg)) {
    sgd_svm_destroy(s);
    return fail(ANYML_E_NOMEM, fn, "out of memory for the solver buffers (v, w, perm, avg)");
  }
  for (int32_t i = 0; i < rows; i++) s->perm[i] = i;
  s->scale = 1.0;
  s->avg_div = 1.0;
  anyml::rng_seed(s->rng, static_cast<uint32_t>(o->seed));
  *out = s;
  return ANYML_OK;
}

int check_shape(const char* fn, int32_t rows, int32_t cols, sgd_svm** out) {
  if (!out) return fail(kBad, fn, "argument out is NULL");
  *out = nullptr;
  if (rows < 1) return fail(kBad, fn, "rows must be >= 1, got", rows);
  if (cols < 1) return fail(kBad, fn, "cols must be >= 1, got", cols);
  return ANYML_OK;
}
}  // namespace

extern "C" int sgd_svm_create_csr(int32_t rows, int32_t cols, const int32_t* indptr, const int32_t* indices,
                                  const float* values, const float* y, const sgd_svm_options* opts, sgd_svm** out) {
  const char* fn = "sgd_svm_create_csr";
  int rc = check_shape(fn, rows, cols, out);
  if (rc == ANYML_OK) rc = check_options(fn, opts);
  if (rc == ANYML_OK) rc = check_labels(fn, rows, y);
  if (rc != ANYML_OK) return rc;
  if (!indptr) return fail(kBad, fn, "argument indptr is NULL");
  if (indptr[0] != 0) return fail(kBad, fn, "indptr[0] must be 0");
  for (int32_t i = 0; i < rows; i++)
    if (indptr[i + 1] < indptr[i]) return fail(kBad, fn, "indptr must be non-decreasing; drops after row", i);
  const int32_t nnz = indptr[rows];
  if (nnz > 0 && (!indices || !values)) return fail(kBad, fn, "indices/values are NULL with nnz =", nnz);
  for (int32_t p = 0; p < nnz; p++)
    if (indices[p] < 0 || indices[p] >= cols) return fail(kBad, fn, "column index out of [0, cols) at entry", p);
  rc = make(fn, rows, cols, opts, out);
  if (rc != ANYML_OK) return rc;
  (*out)->indptr = indptr;
  (*out)->indices = indices;
  (*out)->values = values;
  (*out)->y = y;
  return ANYML_OK;
}

extern "C" int sgd_svm_create_dense(int32_t rows, int32_t cols, const float* data, const float* y,
                                    const sgd_svm_options* opts, sgd_svm** out) {
  const char* fn = "sgd_svm_create_dense";
  int rc = check_shape(fn, rows, cols, out);
  if (rc == ANYML_OK) rc = check_options(fn, opts);
  if (rc == ANYML_OK) rc = check_labels(fn, rows, y);
  if (rc != ANYML_OK) return rc;
  if (!data) return fail(kBad, fn, "argument data is NULL");
  rc = make(fn, rows, cols, opts, out);
  if (rc != ANYML_OK) return rc;
  (*out)->dense = data;
  (*out)->y = y;
  return ANYML_OK;
}

extern "C" int sgd_svm_begin_epoch(sgd_svm* h) {
  if (!h) return fail(kBad, "sgd_svm_begin_epoch", "argument h is NULL");
  h->epoch += 1.0;
  h->pos = 0.0;
  anyml::sgd_svm_shuffle(*h);
  return ANYML_OK;
}

extern "C" int sgd_svm_run(sgd_svm* h, int32_t count, int32_t* processed) {
  const char* fn = "sgd_svm_run";
  if (!h || !processed) return fail(kBad, fn, "argument h or processed is NULL");
  *processed = 0;
  if (count < 0) return fail(kBad, fn, "count must be >= 0");
  if (h->epoch < 1.0) return fail(ANYML_E_STATE, fn, "no epoch begun: call sgd_svm_begin_epoch first");
  const int32_t left = h->rows - static_cast<int32_t>(h->pos);
  const int32_t todo = count < left ? count : left;
  for (int32_t done = 0; done < todo;) {
    const int32_t k = todo - done < h->batch ? todo - done : h->batch;
    anyml::sgd_svm_batch(*h, k);
    done += k;
  }
  *processed = todo;
  return ANYML_OK;
}

extern "C" int sgd_svm_weights(sgd_svm* h, float* w, double* bias) {
  if (!h || !w || !bias) return fail(kBad, "sgd_svm_weights", "argument h, w or bias is NULL");
  *bias = anyml::sgd_svm_model(*h, w);
  return ANYML_OK;
}

extern "C" int sgd_svm_objective(sgd_svm* h, double* out) {
  if (!h || !out) return fail(kBad, "sgd_svm_objective", "argument h or out is NULL");
  const double b = anyml::sgd_svm_model(*h, h->w);
  *out = anyml::sgd_svm_objective_of(*h, h->w, b);
  return ANYML_OK;
}

extern "C" int sgd_svm_state_buffers(sgd_svm* h, float** v, double** avg, int32_t** perm) {
  if (!h || !v || !avg || !perm) return fail(kBad, "sgd_svm_state_buffers", "argument h, v, avg or perm is NULL");
  *v = h->v;
  *avg = h->avg;
  *perm = h->perm;
  return ANYML_OK;
}

extern "C" int sgd_svm_get_state(const sgd_svm* h, double* sc) {
  if (!h || !sc) return fail(kBad, "sgd_svm_get_state", "argument h or scalars is NULL");
  sc[SGD_SVM_S_SCALE] = h->scale;
  sc[SGD_SVM_S_BIAS] = h->bias;
  sc[SGD_SVM_S_T] = h->t;
  sc[SGD_SVM_S_EPOCH] = h->epoch;
  sc[SGD_SVM_S_POS] = h->pos;
  for (int i = 0; i < 4; i++) sc[SGD_SVM_S_RNG0 + i] = h->rng[i];
  sc[SGD_SVM_S_AVG_DIV] = h->avg_div;
  sc[SGD_SVM_S_AVG_WFRAC] = h->avg_wfrac;
  sc[SGD_SVM_S_AVG_BIAS] = h->avg_bias;
  return ANYML_OK;
}

// Checks everything before changing anything; perm must hold indices in [0, rows) (the TS side checks it is a
// permutation; here we only need memory safety).
extern "C" int sgd_svm_set_state(sgd_svm* h, const double* sc) {
  const char* fn = "sgd_svm_set_state";
  if (!h || !sc) return fail(kBad, fn, "argument h or scalars is NULL");
  if (!(sc[SGD_SVM_S_SCALE] > 0.0) || !isfinite(sc[SGD_SVM_S_SCALE])) return fail(kBad, fn, "scale must be finite and > 0");
  if (!isfinite(sc[SGD_SVM_S_BIAS])) return fail(kBad, fn, "bias must be finite");
  if (!is_int_in(sc[SGD_SVM_S_T], 0, 9007199254740992.0)) return fail(kBad, fn, "t must be an integer >= 0");
  if (!is_int_in(sc[SGD_SVM_S_EPOCH], 0, 9007199254740992.0)) return fail(kBad, fn, "epoch must be an integer >= 0");
  if (!is_int_in(sc[SGD_SVM_S_POS], 0, h->rows)) return fail(kBad, fn, "pos must be an integer in [0, rows]");
  for (int i = 0; i < 4; i++)
    if (!is_int_in(sc[SGD_SVM_S_RNG0 + i], 0, 4294967295.0)) return fail(kBad, fn, "rng words must be u32; bad word", i);
  if (!(sc[SGD_SVM_S_AVG_DIV] > 0.0) || !isfinite(sc[SGD_SVM_S_AVG_DIV])) return fail(kBad, fn, "avgDiv must be finite and > 0");
  if (!isfinite(sc[SGD_SVM_S_AVG_WFRAC]) || !isfinite(sc[SGD_SVM_S_AVG_BIAS])) return fail(kBad, fn, "avgWFrac and avgBias must be finite");
  for (int32_t i = 0; i < h->rows; i++)
    if (h->perm[i] < 0 || h->perm[i] >= h->rows) return fail(kBad, fn, "perm entry out of [0, rows) at", i);
  h->scale = sc[SGD_SVM_S_SCALE];
  h->bias = sc[SGD_SVM_S_BIAS];
  h->t = sc[SGD_SVM_S_T];
  h->epoch = sc[SGD_SVM_S_EPOCH];
  h->pos = sc[SGD_SVM_S_POS];
  for (int i = 0; i < 4; i++) h->rng[i] = static_cast<uint32_t>(sc[SGD_SVM_S_RNG0 + i]);
  h->avg_div = sc[SGD_SVM_S_AVG_DIV];
  h->avg_wfrac = sc[SGD_SVM_S_AVG_WFRAC];
  h->avg_bias = sc[SGD_SVM_S_AVG_BIAS];
  return ANYML_OK;
}

extern "C" int sgd_svm_destroy(sgd_svm* h) {
  if (!h) return ANYML_OK;  // like free(NULL)
  free(h->v);
  free(h->w);
  free(h->perm);
  free(h->violates);
  free(h->avg);
  free(h);
  return ANYML_OK;
}
