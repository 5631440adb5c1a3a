// SPDX-License-Identifier: MIT
// q8_conv2d dispatcher: checks arguments, packs the operands (q8_conv2d.h) into one heap block, runs the variant
// chosen in internal.h, frees the block. Semantics: TFLite's reference int8 ConvPerChannel
// (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h), batch 1, stride 1, dilation 1, 'same'
// padding, bit-identical to convInt8 in src/quant/kernels.ts.
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "q8_conv2d.h"

namespace {
constexpr const char* kFn = "q8_conv2d";
// Packed int16 elements and i/o bytes stay below 2^31 so every index fits int32 and the block fits wasm32.
constexpr int64_t kMaxElems = INT64_C(1) << 30;

int check_range(const char* what, int32_t v, int32_t lo, int32_t hi) {
  if (v >= lo && v <= hi) return ANYML_OK;
  return anyml::fail(ANYML_E_INVALID_ARG, kFn, what, v);
}

int check_sizes(int32_t h, int32_t w, int32_t cin, int32_t k, int32_t cout) {
  if (h < 1) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "h must be >= 1, got", h);
  if (w < 1) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "w must be >= 1, got", w);
  if (cin < 1) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "cin must be >= 1, got", cin);
  if (cout < 1) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "cout must be >= 1, got", cout);
  if (k != 1 && k != 3) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "k must be 1 or 3, got", k);
  const int64_t pixels = (static_cast<int64_t>(h) + k - 1) * (static_cast<int64_t>(w) + k - 1);
  const int64_t wrow = static_cast<int64_t>(k) * cin + anyml::kQ8Lanes;  // >= a packed weight row (lp)
  if (pixels * cin > kMaxElems || pixels * cout > kMaxElems || wrow * k * cout > kMaxElems) {
    return anyml::fail(ANYML_E_INVALID_ARG, kFn, "(h+k-1)*(w+k-1)*max(cin, cout) or (k*cin+8)*k*cout exceeds 2^30");
  }
  return ANYML_OK;
}

int check_pointers(const int8_t* x, const int8_t* weights, const int32_t* bias, const int32_t* multiplier,
                   const int32_t* shift, const int8_t* out) {
  if (!x) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "argument x is NULL");
  if (!weights) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "argument weights is NULL");
  if (!bias) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "argument bias is NULL");
  if (!multiplier) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "argument multiplier is NULL");
  if (!shift) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "argument shift is NULL");
  if (!out) return anyml::fail(ANYML_E_INVALID_ARG, kFn, "argument out is NULL");
  return ANYML_OK;
}

// The scalars, and every shift[c] in [−31, 31]: RoundingDivideByPOT takes exponents up to 31 and the left shift
// is a 32-bit one (TFLite's own limit, in QuantizeMultiplier, is tighter).
int check_scalars(const int32_t* shift, int32_t cout, int32_t in_zero, int32_t out_zero, int32_t act_min,
                  int32_t act_max) {
  int rc = check_range("in_zero must be in [-128, 127], got", in_zero, -128, 127);
  if (rc == ANYML_OK) rc = check_range("out_zero must be in [-128, 127], got", out_zero, -128, 127);
  if (rc == ANYML_OK) rc = check_range("act_min must be in [-128, 127], got", act_min, -128, 127);
  if (rc == ANYML_OK) rc = check_range("act_max must be in [act_min, 127], got", act_max, act_min, 127);
  for (int32_t c = 0; rc == ANYML_OK && c < cout; c++)
    if (shift[c] < -31 || shift[c] > 31)
      rc = anyml::fail(ANYML_E_INVALID_ARG, kFn, "shift[c] must be in [-31, 31]; it is not for c =", c);
  return rc;
}

// xp = (x − in_zero) in int16 inside a zero border of r = (k−1)/2, then a zero tail of kQ8Lanes (q8_conv2d.h).
void pack_input(const int8_t* x, int32_t in_zero, const anyml::Q8ConvPacked& p, int16_t* xp) {
  const int32_t r = (p.k - 1) / 2;
  memset(xp, 0, (static_cast<size_t>(p.height + p.k - 1) * p.row + anyml::kQ8Lanes) * sizeof(int16_t));
  for (int32_t y = 0; y < p.height; y++) {
    const int8_t* src = x + static_cast<size_t>(y) * p.width * p.cin;
    int16_t* dst = xp + static_cast<size_t>(y + r) * p.row + static_cast<size_t>(r) * p.cin;
    for (int32_t i = 0; i < p.width * p.cin; i++) dst[i] = static_cast<int16_t>(src[i] - in_zero);
  }
}

// wp[c][ky][0..lp) = weights[c][ky][kx][ci] as int16 for j = kx·cin + ci < k·cin, 0 up to lp (OHWI keeps each ky
// row contiguous, so this is a copy per row).
void pack_weights(const int8_t* weights, const anyml::Q8ConvPacked& p, int16_t* wp) {
  const int32_t n = p.k * p.cin;
  for (int32_t row = 0; row < p.cout * p.k; row++) {
    const int8_t* src = weights + static_cast<size_t>(row) * n;
    int16_t* dst = wp + static_cast<size_t>(row) * p.lp;
    for (int32_t j = 0; j < n; j++) dst[j] = src[j];
    for (int32_t j = n; j < p.lp; j++) dst[j] = 0;
  }
}

// The per-channel constants of Q8Rq (see q8_conv2d.h for what each means).
void pack_requant(const anyml::Q8ConvPacked& p, int32_t* rq) {
  const size_t n = static_cast<size_t>(p.cout);
  for (size_t c = 0; c < n; c++) {
    const int32_t left = p.shift[c] > 0 ? p.shift[c] : 0;
    const int32_t right = p.shift[c] > 0 ? 0 : -p.shift[c];
    rq[anyml::kRqBias * n + c] = p.bias[c];
    rq[anyml::kRqMultiplier * n + c] = p.multiplier[c];
    rq[anyml::kRqLeft * n + c] = static_cast<int32_t>(UINT32_C(1) << left);
    rq[anyml::kRqRight * n + c] = right > 0 ? INT32_C(1) << (31 - right) : 0;
    rq[anyml::kRqNoRight * n + c] = right == 0 ? -1 : 0;
    rq[anyml::kRqMinMul * n + c] = p.multiplier[c] == INT32_MIN ? -1 : 0;
  }
}
}  // namespace

namespace anyml {
Q8ConvPacked q8_conv2d_layout(int32_t h, int32_t w, int32_t cin, int32_t k, int32_t cout, const int32_t* bias,
                              const int32_t* multiplier, const int32_t* shift, int32_t out_zero, int32_t act_min,
                              int32_t act_max) {
  Q8ConvPacked p{};
  p.height = h; p.width = w; p.cin = cin; p.k = k; p.cout = cout;
  p.lp = (k * cin + kQ8Lanes - 1) / kQ8Lanes * kQ8Lanes;
  p.row = (w + k - 1) * cin;
  p.bias = bias; p.multiplier = multiplier; p.shift = shift;
  p.out_zero = out_zero; p.act_min = act_min; p.act_max = act_max;
  return p;
}

size_t q8_conv2d_packed_bytes(const Q8ConvPacked& p) {
  const size_t nx = static_cast<size_t>(p.height + p.k - 1) * p.row + kQ8Lanes;
  const size_t nw = static_cast<size_t>(p.cout) * p.k * p.lp;
  return static_cast<size_t>(kQ8RqRows) * p.cout * sizeof(int32_t) + (nw + nx) * sizeof(int16_t);
}

// Layout of the block: rq (int32, first so it stays aligned), wp, xp.
void q8_conv2d_pack(const int8_t* x, int32_t in_zero, const int8_t* weights, Q8ConvPacked& p, void* block) {
  int32_t* rq = static_cast<int32_t*>(block);
  int16_t* wp = reinterpret_cast<int16_t*>(rq + static_cast<size_t>(kQ8RqRows) * p.cout);
  int16_t* xp = wp + static_cast<size_t>(p.cout) * p.k * p.lp;
  pack_requant(p, rq);
  pack_weights(weights, p, wp);
  pack_input(x, in_zero, p, xp);
  p.rq = rq;
  p.wp = wp;
  p.xp = xp;
}
}  // namespace anyml

extern "C" int q8_conv2d(const int8_t* x, int32_t h, int32_t w, int32_t cin, int32_t k, int32_t cout,
                         const int8_t* weights, const int32_t* bias, const int32_t* multiplier, const int32_t* shift,
                         int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max, int8_t* out) {
  int rc = check_sizes(h, w, cin, k, cout);
  if (rc == ANYML_OK) rc = check_pointers(x, weights, bias, multiplier, shift, out);
  if (rc == ANYML_OK) rc = check_scalars(shift, cout, in_zero, out_zero, act_min, act_max);
  if (rc != ANYML_OK) return rc;
  anyml::Q8ConvPacked p =
      anyml::q8_conv2d_layout(h, w, cin, k, cout, bias, multiplier, shift, out_zero, act_min, act_max);
  // One block for both packed operands (2.2 MB for a 128×128×64 → 64 layer), allocated per call: packing costs
  // O(h·w·cin + k·k·cin·cout), small next to the O(h·w·k·k·cin·cout) sums, so a separate prepare step would save
  // little and burden callers with a handle's lifetime.
  const size_t bytes = anyml::q8_conv2d_packed_bytes(p);
  void* block = malloc(bytes);
  if (!block) {
    return anyml::fail(ANYML_E_NOMEM, kFn, "cannot allocate the packed operands, bytes:", static_cast<int64_t>(bytes));
  }
  anyml::q8_conv2d_pack(x, in_zero, weights, p, block);
  ANYML_BEST_Q8_CONV2D(&p, out);
  free(block);
  return ANYML_OK;
}
