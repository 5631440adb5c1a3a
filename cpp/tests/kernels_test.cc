// SPDX-License-Identifier: MIT
// Every variant in the .inc lists vs an independent reference at the tile edges; outputs pre-filled with NaN,
// canaries after n, in-place cases. Natively only the scalar variants exist; `bash wasm/build.sh --test` runs
// this same file compiled with -msimd128 under Node, which covers the wasmsimd variants.
#include <math.h>
#include <string.h>

#include <vector>

#include "../kernels/internal.h"
#include "../kernels/q8_conv2d.h"
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

// ---- q8_conv2d: every variant vs an independent TFLite-style reference; hand-computed cases; argument errors. ----

namespace {
struct Q8Conv {
  int32_t h, w, cin, k, cout;
  std::vector<int8_t> x, wt;  // x [h][w][cin], wt OHWI [cout][k][k][cin]
  std::vector<int32_t> bias, mul, shift;
  int32_t in_zero, out_zero, act_min, act_max;
};

// gemmlowp's two routines from their definitions, computed differently from q8_conv2d.h: SRDHM as
// floor((a·b + 2^30) / 2^31) (its nudge + truncation, folded), RDBP as sign(x)·⌊(|x| + 2^(e−1)) / 2^e⌋ in int64.
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int32_t ref_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return static_cast<int32_t>(floor_div(static_cast<int64_t>(a) * b + (INT64_C(1) << 30), INT64_C(1) << 31));
}
int32_t ref_rdbp(int32_t x, int32_t e) {
  if (e == 0) return x;
  const int64_t m = x < 0 ? -static_cast<int64_t>(x) : x;
  const int64_t q = (m + (INT64_C(1) << (e - 1))) >> e;
  return static_cast<int32_t>(x < 0 ? -q : q);
}

// TFLite reference_integer_ops::ConvPerChannel on the unpadded input: out-of-image taps skipped; the exact sum
// + bias wrapped to int32 once (as the TS oracle does), then MultiplyByQuantizedMultiplier, + out_zero, clamp.
std::vector<int8_t> ref_conv(const Q8Conv& c) {
  std::vector<int8_t> out(static_cast<size_t>(c.h) * c.w * c.cout);
  const int32_t r = (c.k - 1) / 2;
  for (int32_t y = 0; y < c.h; y++)
    for (int32_t x = 0; x < c.w; x++)
      for (int32_t o = 0; o < c.cout; o++) {
        int64_t acc = c.bias[o];
        for (int32_t ky = 0; ky < c.k; ky++)
          for (int32_t kx = 0; kx < c.k; kx++) {
            const int32_t yy = y + ky - r, xx = x + kx - r;
            if (yy < 0 || yy >= c.h || xx < 0 || xx >= c.w) continue;
            for (int32_t i = 0; i < c.cin; i++)
              acc += (c.x[(static_cast<size_t>(yy) * c.w + xx) * c.cin + i] - c.in_zero) *
                     c.wt[((static_cast<size_t>(o) * c.k + ky) * c.k + kx) * c.cin + i];
          }
        const int32_t left = c.shift[o] > 0 ? c.shift[o] : 0, right = c.shift[o] > 0 ? 0 : -c.shift[o];
        const int32_t scaled = static_cast<int32_t>(static_cast<uint32_t>(acc) << left);
        const int64_t v = static_cast<int64_t>(ref_rdbp(ref_srdhm(scaled, c.mul[o]), right)) + c.out_zero;
        out[(static_cast<size_t>(y) * c.w + x) * c.cout + o] =
            static_cast<int8_t>(v < c.act_min ? c.act_min : v > c.act_max ? c.act_max : v);
      }
  return out;
}

int32_t q8_call(const Q8Conv& c, int8_t* out) {
  return q8_conv2d(c.x.data(), c.h, c.w, c.cin, c.k, c.cout, c.wt.data(), c.bias.data(), c.mul.data(),
                   c.shift.data(), c.in_zero, c.out_zero, c.act_min, c.act_max, out);
}

// Runs the public kernel and every variant; each must equal the reference and leave the canaries after the end.
std::vector<int8_t> q8_check_all(const Q8Conv& c, const char* what) {
  const std::vector<int8_t> ref = ref_conv(c);
  const size_t n = ref.size();
  const int8_t kQ8Canary = 0x5a;
  std::vector<int8_t> out(n + kPad, kQ8Canary);
  CHECK(q8_call(c, out.data()) == ANYML_OK, "%s: q8_conv2d failed: %s", what, anyml_last_error());
  CHECK(memcmp(out.data(), ref.data(), n) == 0, "%s: q8_conv2d differs from the reference", what);
  anyml::Q8ConvPacked p = anyml::q8_conv2d_layout(c.h, c.w, c.cin, c.k, c.cout, c.bias.data(), c.mul.data(),
                                                  c.shift.data(), c.out_zero, c.act_min, c.act_max);
  std::vector<int32_t> block(anyml::q8_conv2d_packed_bytes(p) / 4 + 1);
  anyml::q8_conv2d_pack(c.x.data(), c.in_zero, c.wt.data(), p, block.data());
#define ANYML_KERNEL(fn, u, isa) { std::vector<int8_t> v(n + kPad, kQ8Canary); fn(&p, v.data()); \
  size_t i = 0; \
  while (i < n && v[i] == ref[i]) i++; \
  CHECK(i == n, "%s: %s out[%zu] = %d, reference %d", what, #fn, i, i < n ? v[i] : 0, i < n ? ref[i] : 0); \
  for (i = n; i < n + kPad; i++) CHECK(v[i] == kQ8Canary, "%s: %s wrote past the end at %zu", what, #fn, i); }
#include "../kernels/q8_conv2d.inc"
#undef ANYML_KERNEL
  return out;
}

Q8Conv q8_random(uint32_t seed, int32_t h, int32_t w, int32_t cin, int32_t k, int32_t cout, bool wild) {
  uint32_t s[4];
  anyml::rng_seed(s, seed);
  auto i8 = [&] { return static_cast<int8_t>(anyml::rng_next(s)); };
  auto in = [&](int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(anyml::rng_bounded(s, hi - lo + 1)); };
  Q8Conv c{h, w, cin, k, cout, {}, {}, {}, {}, {}, in(-128, 127), in(-128, 127), 0, 0};
  for (int32_t i = 0; i < h * w * cin; i++) c.x.push_back(i8());
  for (int32_t i = 0; i < cout * k * k * cin; i++) c.wt.push_back(i8());
  // The shift that maps the accumulator's spread (about √(k²·cin)·74² for uniform codes) to ±64, so that most
  // outputs are rounded, not clamped (as in test/unit/kernels/q8_conv2d.test.ts).
  const int32_t fitted = static_cast<int32_t>(lround(log2(64 / (0.75 * 74 * 74 * sqrt(k * k * cin)))));
  for (int32_t o = 0; o < cout; o++) {
    // wild: any int32 bias and multiplier (INT32_MIN, 0, negatives) and any shift; else TFLite-like values.
    c.bias.push_back(wild ? static_cast<int32_t>(anyml::rng_next(s)) : in(-20000, 20000));
    c.mul.push_back(wild ? static_cast<int32_t>(anyml::rng_next(s)) : in(1 << 30, INT32_MAX));
    c.shift.push_back(wild ? in(-31, 31) : o % 4 == 3 ? in(-12, 2) : fitted + in(-1, 1));
  }
  if (wild) c.mul[0] = INT32_MIN;
  const uint32_t mode = anyml::rng_bounded(s, 3);  // whole int8 range, ReLU, a random range
  c.act_min = mode == 0 ? -128 : mode == 1 ? c.out_zero : in(-128, 0);
  c.act_max = mode == 2 ? in(0, 127) : 127;
  return c;
}
}  // namespace

TEST(q8_requant_helpers_match_gemmlowp_definitions) {
  const int32_t xs[] = {0, 1, -1, 2, -2, 3, -3, 5, -5, 1 << 30, -(1 << 30), INT32_MAX, INT32_MIN, INT32_MIN + 1,
                        123456789, -987654321};
  for (int32_t a : xs)
    for (int32_t b : xs) CHECK(anyml::q8_srdhm(a, b) == ref_srdhm(a, b), "srdhm(%d, %d)", a, b);
  for (int32_t x : xs)
    for (int32_t e = 0; e <= 31; e++)
      CHECK(anyml::q8_rounding_divide_by_pot(x, e) == ref_rdbp(x, e), "rdbp(%d, %d)", x, e);
  // Halves: SRDHM rounds 2.5 → 3 and −2.5 → −2 (nudge then truncation); RDBP rounds ±2.5 → ±3 (away from zero).
  CHECK(anyml::q8_srdhm(5, 1 << 30) == 3 && anyml::q8_srdhm(-5, 1 << 30) == -2, "srdhm halves");
  CHECK(anyml::q8_rounding_divide_by_pot(5, 1) == 3 && anyml::q8_rounding_divide_by_pot(-5, 1) == -3, "rdbp halves");
  CHECK(anyml::q8_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX, "the one overflow saturates");
}

TEST(q8_conv2d_variants_match_reference) {
  const int32_t kHW[][2] = {{1, 1}, {1, 5}, {3, 2}, {5, 7}, {4, 9}};
  const int32_t kCin[] = {1, 3, 8, 17, 32};
  const int32_t kCout[] = {1, 2, 4, 5, 8, 33};
  uint32_t seed = 7000;
  char what[96];
  for (int32_t k : {1, 3})
    for (const auto& hw : kHW)
      for (int32_t cin : kCin)
        for (int32_t cout : kCout)
          for (int wild = 0; wild < 2; wild++) {
            snprintf(what, sizeof what, "%dx%dx%d k%d -> %d%s", hw[0], hw[1], cin, k, cout, wild ? " wild" : "");
            q8_check_all(q8_random(seed++, hw[0], hw[1], cin, k, cout, wild), what);
          }
  q8_check_all(q8_random(seed++, 16, 16, 64, 3, 64, false), "16x16x64 k3 -> 64");
}

// One pixel, k = 1, cin = 2, cout = 1: x − in_zero = (8, −6), w = (3, −5), so Σ = 8·3 + (−6)(−5) = 54.
Q8Conv q8_pixel(int32_t bias, int32_t mul, int32_t shift, int32_t act_min = -128) {
  return Q8Conv{1, 1, 2, 1, 1, {10, -4}, {3, -5}, {bias}, {mul}, {shift}, 2, -3, act_min, 127};
}
int q8_one(const Q8Conv& c) { return q8_check_all(c, "hand case")[0]; }

TEST(q8_conv2d_hand_computed) {
  const int32_t half = 1 << 30;  // Q31 0.5
  CHECK(q8_one(q8_pixel(5, half, 0)) == 27, "59·0.5 = 29.5 → 30, −3");
  CHECK(q8_one(q8_pixel(-59, half, 0)) == -5, "−5·0.5 = −2.5 → −2 (SRDHM rounds halves up), −3");
  CHECK(q8_one(q8_pixel(7, half, -1)) == 13, "61·0.5 = 30.5 → 31, /2 = 15.5 → 16, −3");
  CHECK(q8_one(q8_pixel(-61, half, -1)) == -5, "−7·0.5 = −3.5 → −3, /2 = −1.5 → −2 (away from 0), −3");
  CHECK(q8_one(q8_pixel(5, half, 2)) == 115, "59·4·0.5 = 118, −3");
  CHECK(q8_one(q8_pixel(5, INT32_MAX, 2)) == 127, "236 saturates to 127");
  CHECK(q8_one(q8_pixel(-1000, INT32_MAX, 0)) == -128, "−946 saturates to −128");
  CHECK(q8_one(q8_pixel(-59, half, 0, -3)) == -3, "ReLU: act_min = out_zero");
  CHECK(q8_one(q8_pixel(half - 54, half, 2)) == -3, "(2^30)·4 wraps to 0 in int32");
  CHECK(q8_one(q8_pixel(half - 54, half, 1)) == -128, "(2^30)·2 wraps to INT32_MIN; ·0.5 = −2^30");
  // acc = INT32_MIN exactly, multiplier INT32_MIN: SRDHM saturates to INT32_MAX (not INT32_MIN).
  Q8Conv sat = q8_pixel(0, INT32_MIN, 0);
  sat.x = {2, 2};  // x = in_zero: Σ = 0
  sat.bias = {INT32_MIN};
  CHECK(q8_one(sat) == 127, "SRDHM(INT32_MIN, INT32_MIN) = INT32_MAX");
  sat.shift = {-31};
  CHECK(q8_one(sat) == -2, "INT32_MAX / 2^31 = 0.99… → 1, −3");
}

// 'same' padding counts out-of-image taps as the zero point: 2×2 image, x − in_zero = (0, 1; 2, 3), w = 1..9.
TEST(q8_conv2d_k3_padding_is_the_zero_point) {
  Q8Conv c{2, 2, 1, 3, 1, {1, 2, 3, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {0}, {INT32_MAX}, {0}, 1, 0, -128, 127};
  const std::vector<int8_t> out = q8_check_all(c, "k3 padding");
  CHECK(out[0] == 49 && out[1] == 43 && out[2] == 31 && out[3] == 25, "got %d %d %d %d (49 43 31 25)", out[0],
        out[1], out[2], out[3]);
}

TEST(q8_conv2d_checks_arguments) {
  Q8Conv c = q8_pixel(0, 1 << 30, 0);
  int8_t out[4];
  auto expect = [&](const Q8Conv& bad, const char* msg) {
    CHECK(q8_call(bad, out) == ANYML_E_INVALID_ARG, "%s: status", msg);
    CHECK(strcmp(anyml_last_error(), msg) == 0, "got '%s', want '%s'", anyml_last_error(), msg);
  };
  Q8Conv bad = c; bad.k = 2; expect(bad, "q8_conv2d: k must be 1 or 3, got 2");
  bad = c; bad.h = 0; expect(bad, "q8_conv2d: h must be >= 1, got 0");
  bad = c; bad.cout = -1; expect(bad, "q8_conv2d: cout must be >= 1, got -1");
  bad = c; bad.shift = {32}; expect(bad, "q8_conv2d: shift[c] must be in [-31, 31]; it is not for c = 0");
  bad = c; bad.in_zero = 128; expect(bad, "q8_conv2d: in_zero must be in [-128, 127], got 128");
  bad = c; bad.act_max = -129; expect(bad, "q8_conv2d: act_max must be in [act_min, 127], got -129");
  bad = c; bad.h = 1 << 16; bad.w = 1 << 16;
  expect(bad, "q8_conv2d: (h+k-1)*(w+k-1)*max(cin, cout) or (k*cin+8)*k*cout exceeds 2^30");
  CHECK(q8_conv2d(c.x.data(), 1, 1, 2, 1, 1, nullptr, c.bias.data(), c.mul.data(), c.shift.data(), 2, -3, -128, 127,
                  out) == ANYML_E_INVALID_ARG, "null weights");
  CHECK(strcmp(anyml_last_error(), "q8_conv2d: argument weights is NULL") == 0, "msg: %s", anyml_last_error());
  CHECK(q8_conv2d(c.x.data(), 1, 1, 2, 1, 1, c.wt.data(), c.bias.data(), c.mul.data(), c.shift.data(), 2, -3, -128,
                  127, nullptr) == ANYML_E_INVALID_ARG, "null out");
}
