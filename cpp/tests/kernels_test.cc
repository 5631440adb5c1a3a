// SPDX-License-Identifier: MIT
// Every variant in the .inc lists vs an independent reference at the tile edges; outputs pre-filled with NaN,
// canaries after n, in-place cases. Natively only the scalar variants exist; `bash wasm/build.sh --test` runs
// this same file compiled with -msimd128 under Node, which covers the wasmsimd variants.
#include <math.h>
#include <string.h>

#include <vector>

#include "../kernels/internal.h"
#include "../svm/rng.h"
#include "harness.h"

namespace {
const size_t kSizes[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65};
const size_t kPad = 5;            // canary slots after n
const uint32_t kCanary = 0x7fc0dead;  // a NaN payload no kernel computes

float canary() { float f; memcpy(&f, &kCanary, 4); return f; }
bool is_canary(float f) { uint32_t b; memcpy(&b, &f, 4); return b == kCanary; }
bool same_bits(float a, float b) { return memcmp(&a, &b, 4) == 0; }

struct Data {
  std::vector<float> x, y;
  std::vector<int32_t> idx;  // distinct, ascending, in [0, 2n+3)
  float alpha;
};

Data make(size_t n, uint32_t seed) {
  uint32_t s[4];
  anyml::rng_seed(s, seed);
  auto u = [&] { return static_cast<float>(anyml::rng_next(s) / 2147483648.0 - 1.0) * 4.0f; };
  Data d;
  const size_t m = 2 * n + 3;
  for (size_t i = 0; i < m + kPad; i++) { d.x.push_back(u()); d.y.push_back(u()); }
  for (size_t j = 0; j < m && d.idx.size() < n; j++)
    if (anyml::rng_next(s) % m < n || m - j == n - d.idx.size()) d.idx.push_back(static_cast<int32_t>(j));
  d.alpha = u();
  return d;
}

// Sequential f32 sum with every rounding forced through a volatile (so no FMA even if contraction were on).
float ref_sum(size_t n, const float* a, const float* b, const int32_t* idx) {
  volatile float acc = 0.0f;
  for (size_t i = 0; i < n; i++) {
    volatile float p = a[i] * (idx ? b[idx[i]] : b[i]);
    acc = acc + p;
  }
  return acc;
}
double abs_sum(size_t n, const float* a, const float* b, const int32_t* idx) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += fabs(static_cast<double>(a[i]) * (idx ? b[idx[i]] : b[i]));
  return s;
}
// Scalar variants must match the reference exactly; SIMD ones within n·2⁻²³·Σ|terms| (see test/parity/tolerance.ts).
void check_sum(const char* fn, int isa, size_t n, float got, float ref, double scale) {
  if (isa == ANYML_ISA_NONE) CHECK(same_bits(got, ref), "%s n=%zu: %.9g vs %.9g", fn, n, got, ref);
  else CHECK(fabs(got - ref) <= n * ldexp(1.0, -23) * scale, "%s n=%zu: %.9g vs %.9g", fn, n, got, ref);
}
}  // namespace

TEST(f32_dot_variants) {
  for (size_t n : kSizes) {
    Data d = make(n, 100 + n);
    for (int in_place = 0; in_place < 2; in_place++) {
      const float* y = in_place ? d.x.data() : d.y.data();
      const float ref = ref_sum(n, d.x.data(), y, nullptr);
#define ANYML_KERNEL(fn, u, isa) { float out = nanf(""); fn(n, d.x.data(), y, &out); \
      check_sum(#fn, isa, n, out, ref, abs_sum(n, d.x.data(), y, nullptr)); }
#include "../kernels/f32_dot.inc"
#undef ANYML_KERNEL
    }
  }
}

TEST(f32_spdot_variants) {
  for (size_t n : kSizes) {
    Data d = make(n, 200 + n);
    const float ref = ref_sum(n, d.x.data(), d.y.data(), d.idx.data());
#define ANYML_KERNEL(fn, u, isa) { float out = nanf(""); fn(n, d.idx.data(), d.x.data(), d.y.data(), &out); \
    check_sum(#fn, isa, n, out, ref, abs_sum(n, d.x.data(), d.y.data(), d.idx.data())); }
#include "../kernels/f32_spdot.inc"
#undef ANYML_KERNEL
  }
}

TEST(f32_nrm2_variants) {
  for (size_t n : kSizes) {
    Data d = make(n, 300 + n);
    double acc = 0;
    for (size_t i = 0; i < n; i++) acc += static_cast<double>(d.x[i]) * d.x[i];
    const float ref = static_cast<float>(sqrt(acc));
#define ANYML_KERNEL(fn, u, isa) { float out = nanf(""); fn(n, d.x.data(), &out); \
    CHECK(isa == ANYML_ISA_NONE ? same_bits(out, ref) : fabs(out - ref) <= ldexp(fabs(ref), -23), \
          "%s n=%zu: %.9g vs %.9g", #fn, n, out, ref); }
#include "../kernels/f32_nrm2.inc"
#undef ANYML_KERNEL
  }
}

// Element-wise kernels: every variant is bit-identical to the volatile reference, and slots after n stay canaries.
TEST(f32_axpy_variants) {
  for (size_t n : kSizes) {
    Data d = make(n, 400 + n);
    for (int in_place = 0; in_place < 2; in_place++) {
      std::vector<float> ref(d.y.begin(), d.y.begin() + n);
      for (size_t i = 0; i < n; i++) { volatile float p = d.alpha * (in_place ? ref[i] : d.x[i]); ref[i] = ref[i] + p; }
#define ANYML_KERNEL(fn, u, isa) { std::vector<float> y(d.y.begin(), d.y.begin() + n); y.resize(n + kPad, canary()); \
      fn(n, d.alpha, in_place ? y.data() : d.x.data(), y.data()); \
      for (size_t i = 0; i < n; i++) CHECK(same_bits(y[i], ref[i]), "%s n=%zu i=%zu in_place=%d", #fn, n, i, in_place); \
      for (size_t i = n; i < n + kPad; i++) CHECK(is_canary(y[i]), "%s n=%zu wrote past n at %zu", #fn, n, i); }
#include "../kernels/f32_axpy.inc"
#undef ANYML_KERNEL
    }
  }
}

TEST(f32_scal_variants) {
  for (size_t n : kSizes) {
    Data d = make(n, 500 + n);
#define ANYML_KERNEL(fn, u, isa) { std::vector<float> x(d.x.begin(), d.x.begin() + n); x.resize(n + kPad, canary()); \
    fn(n, d.alpha, x.data()); \
    for (size_t i = 0; i < n; i++) CHECK(same_bits(x[i], d.alpha * d.x[i]), "%s n=%zu i=%zu", #fn, n, i); \
    for (size_t i = n; i < n + kPad; i++) CHECK(is_canary(x[i]), "%s n=%zu wrote past n at %zu", #fn, n, i); }
#include "../kernels/f32_scal.inc"
#undef ANYML_KERNEL
  }
}

TEST(f32_spaxpy_variants) {
  for (size_t n : kSizes) {
    Data d = make(n, 600 + n);
    const size_t m = 2 * n + 3;
    std::vector<float> ref(d.y.begin(), d.y.begin() + m);
    for (size_t i = 0; i < n; i++) { volatile float p = d.alpha * d.x[i]; ref[d.idx[i]] = ref[d.idx[i]] + p; }
#define ANYML_KERNEL(fn, u, isa) { std::vector<float> y(d.y.begin(), d.y.begin() + m); y.resize(m + kPad, canary()); \
    fn(n, d.alpha, d.idx.data(), d.x.data(), y.data()); \
    for (size_t i = 0; i < m; i++) CHECK(same_bits(y[i], ref[i]), "%s n=%zu i=%zu", #fn, n, i); \
    for (size_t i = m; i < m + kPad; i++) CHECK(is_canary(y[i]), "%s n=%zu wrote past the end at %zu", #fn, n, i); }
#include "../kernels/f32_spaxpy.inc"
#undef ANYML_KERNEL
  }
}

TEST(dispatchers_check_arguments) {
  float out = 0, v[4] = {1, 2, 3, 4};
  int32_t idx[1] = {0};
  CHECK(f32_dot(4, v, v, &out) == ANYML_OK && out == 30.0f, "dot = %g", out);
  CHECK(f32_dot(5, nullptr, v, &out) == ANYML_E_INVALID_ARG, "null x");
  CHECK(strcmp(anyml_last_error(), "f32_dot: argument x is NULL with n = 5 > 0") == 0, "msg: %s", anyml_last_error());
  CHECK(f32_dot(0, nullptr, nullptr, &out) == ANYML_OK && out == 0.0f, "n = 0 with NULL data is fine");
  CHECK(f32_nrm2(4, v, nullptr) == ANYML_E_INVALID_ARG, "null out");
  CHECK(strcmp(anyml_last_error(), "f32_nrm2: argument out is NULL") == 0, "msg: %s", anyml_last_error());
  CHECK(f32_axpy(1, 1, v, nullptr) == ANYML_E_INVALID_ARG, "null y");
  CHECK(f32_scal(1, 1, nullptr) == ANYML_E_INVALID_ARG, "null x");
  CHECK(f32_spdot(1, idx, nullptr, v, &out) == ANYML_E_INVALID_ARG, "null val");
  CHECK(f32_spaxpy(1, 1, nullptr, v, v) == ANYML_E_INVALID_ARG, "null idx");
  CHECK(strcmp(anyml_last_error(), "f32_spaxpy: argument idx is NULL with n = 1 > 0") == 0, "msg: %s", anyml_last_error());
}
