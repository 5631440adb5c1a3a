// SPDX-License-Identifier: MIT
// Solver tests through the C ABI: golden results shared with the TS oracle, argument and call-order errors,
// state round trip. The dataset generator mirrors test/parity/data.ts `synthetic` exactly.
#include <math.h>
#include <string.h>

#include <vector>

#include "../svm/rng.h"
#include "anyml/anyml.h"
#include "harness.h"

namespace {
struct Synthetic {
  int32_t rows, cols;
  std::vector<int32_t> indptr{0}, indices;
  std::vector<float> values, dense, y;
};

// test/parity/data.ts synthetic(rows, cols, density, seed), operation for operation.
Synthetic synthetic(int32_t rows, int32_t cols, double density, uint32_t seed) {
  uint32_t s[4];
  anyml::rng_seed(s, seed);
  auto uniform = [&] { return static_cast<float>(anyml::rng_next(s) / 2147483648.0 - 1.0); };
  Synthetic d;
  d.rows = rows;
  d.cols = cols;
  std::vector<float> w(cols);
  for (auto& x : w) x = uniform();
  d.dense.assign(static_cast<size_t>(rows) * cols, 0.0f);
  for (int32_t i = 0; i < rows; i++) {
    double m = 0.3 * uniform();
    for (int32_t j = 0; j < cols; j++) {
      if (anyml::rng_next(s) / 4294967296.0 >= density) continue;
      const double v = static_cast<double>(uniform()) * 3.0;
      d.indices.push_back(j);
      d.values.push_back(static_cast<float>(v));
      d.dense[static_cast<size_t>(i) * cols + j] = static_cast<float>(v);
      m += static_cast<double>(w[j]) * v;
    }
    d.indptr.push_back(static_cast<int32_t>(d.indices.size()));
    d.y.push_back(m >= 0 ? 1.0f : -1.0f);
  }
  return d;
}

uint64_t fnv1a(const void* p, size_t n, uint64_t h = 0xcbf29ce484222325ull) {
  for (size_t i = 0; i < n; i++) h = (h ^ static_cast<const uint8_t*>(p)[i]) * 0x100000001b3ull;
  return h;
}

sgd_svm_options opts(int schedule, int k, bool averaged) {
  return {0.01, double(k), double(schedule), 1, averaged ? 1.0 : 0.0, 150, 0.5, 42};
}

sgd_svm* make(const Synthetic& d, bool csr, const sgd_svm_options& o) {
  sgd_svm* h = nullptr;
  const int rc = csr ? sgd_svm_create_csr(d.rows, d.cols, d.indptr.data(), d.indices.data(), d.values.data(), d.y.data(), &o, &h)
                     : sgd_svm_create_dense(d.rows, d.cols, d.dense.data(), d.y.data(), &o, &h);
  CHECK(rc == ANYML_OK && h, "create: %s", anyml_last_error());
  return h;
}

void epochs(sgd_svm* h, int n, int32_t rows) {
  for (int e = 0; e < n; e++) {
    int32_t done = -1;
    CHECK(sgd_svm_begin_epoch(h) == ANYML_OK, "begin_epoch");
    CHECK(sgd_svm_run(h, rows, &done) == ANYML_OK && done == rows, "run: %d, %s", done, anyml_last_error());
  }
}
}  // namespace

// Expected values pin the scalar solver (the wasm scalar build runs these same tests under Node: `wasm/build.sh
// --test`, and vitest checks that build bit-identical to the js engine); the scalar native build must match
// them bit for bit (x86-64 SSE f32/f64 with -ffp-contract=off). The SIMD build sums dots in lanes: skipped there.
TEST(sgd_svm_golden_vs_ts_oracle) {
#if defined(__wasm_simd128__)
  return;
#endif
  const Synthetic d = synthetic(200, 30, 0.25, 5);
  CHECK(d.indptr.back() == 1491, "nnz = %d", d.indptr.back());
  struct Case { int schedule, k; bool averaged, csr; uint64_t w, b, obj; };
  const Case cases[] = {
      {SGD_SVM_PEGASOS, 1, true, true, 0xe910d502363338afull, 0xeac5996af8f51672ull, 0xd1a54992f73ca698ull},
      {SGD_SVM_SEED_ALPHA, 7, false, false, 0x099a025210625074ull, 0xf679aa811e5b1541ull, 0xa2d71ac60fe6abf9ull},
      {SGD_SVM_PAPER, 3, true, false, 0xf9a752cacd6106a0ull, 0x3cdc4bd2cf7f564bull, 0x868ce53e4165656bull},
  };
  for (const Case& c : cases) {
    sgd_svm* h = make(d, c.csr, opts(c.schedule, c.k, c.averaged));
    epochs(h, 2, d.rows);
    std::vector<float> w(d.cols);
    double bias = 0, obj = 0;
    CHECK(sgd_svm_weights(h, w.data(), &bias) == ANYML_OK, "weights");
    CHECK(sgd_svm_objective(h, &obj) == ANYML_OK, "objective");
    CHECK(fnv1a(w.data(), w.size() * 4) == c.w, "schedule %d: weights hash %llx", c.schedule, (unsigned long long)fnv1a(w.data(), w.size() * 4));
    CHECK(fnv1a(&bias, 8) == c.b, "schedule %d: bias %.17g (hash %llx)", c.schedule, bias, (unsigned long long)fnv1a(&bias, 8));
    CHECK(fnv1a(&obj, 8) == c.obj, "schedule %d: objective %.17g (hash %llx)", c.schedule, obj, (unsigned long long)fnv1a(&obj, 8));
    sgd_svm_destroy(h);
  }
}

TEST(sgd_svm_state_round_trip) {
  const Synthetic d = synthetic(90, 12, 0.4, 3);
  const sgd_svm_options o = opts(SGD_SVM_PEGASOS, 4, true);
  sgd_svm* a = make(d, true, o);
  epochs(a, 2, d.rows);
  sgd_svm* b = make(d, true, o);
  epochs(b, 1, d.rows);
  double sc[SGD_SVM_STATE_SCALARS];
  CHECK(sgd_svm_get_state(b, sc) == ANYML_OK, "get_state");
  float *bv, *cv, *av;
  double *bavg, *cavg, *aavg;
  int32_t *bperm, *cperm, *aperm;
  sgd_svm_state_buffers(b, &bv, &bavg, &bperm);
  sgd_svm* c = make(d, true, o);
  sgd_svm_state_buffers(c, &cv, &cavg, &cperm);
  memcpy(cv, bv, d.cols * 4);
  memcpy(cavg, bavg, d.cols * 8);
  memcpy(cperm, bperm, d.rows * 4);
  CHECK(sgd_svm_set_state(c, sc) == ANYML_OK, "set_state: %s", anyml_last_error());
  epochs(c, 1, d.rows);
  sgd_svm_state_buffers(a, &av, &aavg, &aperm);
  sgd_svm_state_buffers(c, &cv, &cavg, &cperm);
  CHECK(memcmp(av, cv, d.cols * 4) == 0 && memcmp(aavg, cavg, d.cols * 8) == 0, "v/avg differ");
  CHECK(memcmp(aperm, cperm, d.rows * 4) == 0, "perm differs");
  double sa[SGD_SVM_STATE_SCALARS], scc[SGD_SVM_STATE_SCALARS];
  sgd_svm_get_state(a, sa);
  sgd_svm_get_state(c, scc);
  CHECK(memcmp(sa, scc, sizeof sa) == 0, "scalars differ");
  sgd_svm_destroy(a);
  sgd_svm_destroy(b);
  sgd_svm_destroy(c);
}

TEST(sgd_svm_errors) {
  const Synthetic d = synthetic(20, 5, 0.5, 1);
  sgd_svm* h = nullptr;
  sgd_svm_options o = opts(SGD_SVM_PEGASOS, 1, false);
  o.lambda = 0;
  CHECK(sgd_svm_create_dense(d.rows, d.cols, d.dense.data(), d.y.data(), &o, &h) == ANYML_E_INVALID_ARG && !h, "lambda 0");
  CHECK(strcmp(anyml_last_error(), "sgd_svm_create_dense: opts.lambda must be finite and > 0") == 0, "%s", anyml_last_error());
  o = opts(SGD_SVM_PEGASOS, 1, false);
  std::vector<float> y = d.y;
  y[7] = 0.5f;
  CHECK(sgd_svm_create_dense(d.rows, d.cols, d.dense.data(), y.data(), &o, &h) == ANYML_E_INVALID_ARG, "label 0.5");
  CHECK(strcmp(anyml_last_error(), "sgd_svm_create_dense: y must be -1 or +1; bad label at row 7") == 0, "%s", anyml_last_error());
  std::vector<int32_t> idx = d.indices;
  idx[2] = 5;
  CHECK(sgd_svm_create_csr(d.rows, d.cols, d.indptr.data(), idx.data(), d.values.data(), d.y.data(), &o, &h) == ANYML_E_INVALID_ARG, "index 5");
  CHECK(strcmp(anyml_last_error(), "sgd_svm_create_csr: column index out of [0, cols) at entry 2") == 0, "%s", anyml_last_error());
  CHECK(sgd_svm_create_dense(-3, d.cols, d.dense.data(), d.y.data(), &o, &h) == ANYML_E_INVALID_ARG, "rows -3");
  CHECK(strcmp(anyml_last_error(), "sgd_svm_create_dense: rows must be >= 1, got -3") == 0, "%s", anyml_last_error());
  h = make(d, false, o);
  int32_t done = 0;
  CHECK(sgd_svm_run(h, 5, &done) == ANYML_E_STATE && done == 0, "run before begin_epoch");
  double sc[SGD_SVM_STATE_SCALARS];
  sgd_svm_get_state(h, sc);
  sc[SGD_SVM_S_POS] = 21;
  CHECK(sgd_svm_set_state(h, sc) == ANYML_E_INVALID_ARG, "pos 21 > rows");
  CHECK(sgd_svm_destroy(h) == ANYML_OK && sgd_svm_destroy(nullptr) == ANYML_OK, "destroy");
}
