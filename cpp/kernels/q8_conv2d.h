// SPDX-License-Identifier: MIT
// q8_conv2d internals: the packed operands every variant reads, and the exact int8 requantization of TFLite's
// reference ConvPerChannel (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h), whose TS twin is
// convInt8 in src/quant/kernels.ts.
#ifndef ANYML_KERNELS_Q8_CONV2D_H_
#define ANYML_KERNELS_Q8_CONV2D_H_

#include <stddef.h>
#include <stdint.h>

namespace anyml {
// Lanes of one i16x8 vector: patch rows are zero-padded to a multiple of this, so the SIMD loop has no tail.
constexpr int32_t kQ8Lanes = 8;

// Rows of Q8ConvPacked::rq, each [cout] int32, so that 4 channels' constants are one v128 load. With
// left = max(shift, 0), right = max(−shift, 0) (TFLite MultiplyByQuantizedMultiplier):
enum Q8Rq {
  kRqBias,        // bias[c]
  kRqMultiplier,  // multiplier[c]
  kRqLeft,        // 2^left as int32 (2^31 wraps to INT32_MIN): x·2^left = x << left mod 2^32, one i32x4.mul
  kRqRight,       // 2^(31 − right) when right >= 1, else 0: x / 2^right through a 32×32→64 product
  kRqNoRight,     // −1 when right = 0 (RoundingDivideByPOT is the identity), else 0
  kRqMinMul,      // −1 when multiplier[c] = INT32_MIN (the one SaturatingRoundingDoublingHighMul overflow), else 0
  kQ8RqRows
};

// The convolution with its operands repacked by the dispatcher (q8_conv2d.cc), so that every variant computes
//   acc[y][x][c] = Σ_ky Σ_j xp[(y+ky)·row + x·cin + j] · wp[(c·k + ky)·lp + j],  j < lp,
// with no bounds checks: xp holds (x − in_zero) widened to int16 and surrounded by a (k−1)/2 border of zeros
// (TFLite skips out-of-image taps, which is the same as padding with the zero point), so a patch row (kx, ci)
// is k·cin contiguous values; wp holds the weights as int16 with each ky row zero-filled from k·cin up to lp.
// The zero fill makes the ≤ 7 values read past a patch row (the next pixel's, or xp's zero tail) count 0.
// |x − in_zero| ≤ 255 and |w| ≤ 128, so i32x4.dot_i16x8_s pairs (≤ 65280) are exact; the int32 accumulator
// then wraps like TFLite's (the TS oracle wraps x·2^left the same way, so results agree for any size).
struct Q8ConvPacked {
  const int16_t* xp;  // [(height+k−1)·(width+k−1)·cin + kQ8Lanes]
  const int16_t* wp;  // [cout·k·lp]
  const int32_t* rq;  // [kQ8RqRows][cout]: per-channel requantization constants for the SIMD variants
  int32_t height, width, cin, k, cout;
  int32_t lp;   // k·cin rounded up to kQ8Lanes
  int32_t row;  // int16 values per padded input row: (width + k − 1)·cin
  const int32_t* bias;
  const int32_t* multiplier;
  const int32_t* shift;
  int32_t out_zero, act_min, act_max;
};

// Packing (q8_conv2d.cc), for the dispatcher and for tests and benches that run each variant. Arguments already
// checked. layout() fills everything but xp, wp and rq; pack() fills `block` (packed_bytes(p), 4-byte aligned)
// and points them into it.
Q8ConvPacked q8_conv2d_layout(int32_t h, int32_t w, int32_t cin, int32_t k, int32_t cout, const int32_t* bias,
                              const int32_t* multiplier, const int32_t* shift, int32_t out_zero, int32_t act_min,
                              int32_t act_max);
size_t q8_conv2d_packed_bytes(const Q8ConvPacked& p);
void q8_conv2d_pack(const int8_t* x, int32_t in_zero, const int8_t* weights, Q8ConvPacked& p, void* block);

// gemmlowp fixedpoint.h SaturatingRoundingDoublingHighMul: high 32 bits of 2·a·b, rounded half away from zero
// (the nudge, then C's truncating division); only a = b = INT32_MIN overflows and saturates.
inline int32_t q8_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((ab + nudge) / (INT64_C(1) << 31));
}

// gemmlowp fixedpoint.h RoundingDivideByPOT: x / 2^e, e in [0, 31], rounded to nearest with halves away from 0.
inline int32_t q8_rounding_divide_by_pot(int32_t x, int32_t e) {
  const int32_t mask = static_cast<int32_t>((INT64_C(1) << e) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

// TFLite kernels/internal/common.h MultiplyByQuantizedMultiplier: shift > 0 multiplies x by 2^shift first (int32
// wrap, done unsigned to avoid C's signed-overflow UB), shift < 0 divides the high product by 2^−shift.
inline int32_t q8_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  const int32_t scaled = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return q8_rounding_divide_by_pot(q8_srdhm(scaled, multiplier), right);
}

// The output of channel c from its accumulator, as ConvPerChannel does: acc + bias (int32 wrap),
// MultiplyByQuantizedMultiplier, + output zero point, clamp to [act_min, act_max] ⊆ [−128, 127].
inline int8_t q8_requantize(const Q8ConvPacked& p, int32_t acc, int32_t c) {
  const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) + static_cast<uint32_t>(p.bias[c]));
  int32_t v = q8_multiply_by_quantized_multiplier(x, p.multiplier[c], p.shift[c]);
  // v + out_zero in int64: v may be near INT32_MAX, and the sum must clamp rather than wrap (the oracle is exact).
  const int64_t o = static_cast<int64_t>(v) + p.out_zero;
  v = o < p.act_min ? p.act_min : o > p.act_max ? p.act_max : static_cast<int32_t>(o);
  return static_cast<int8_t>(v);
}
}  // namespace anyml

#endif  // ANYML_KERNELS_Q8_CONV2D_H_
