// SPDX-License-Identifier: MIT
// q8_conv2d WASM SIMD variants: register blocks of NP output pixels (consecutive along a row) × NC output channels.
// Each step loads NP input and NC weight i16x8 vectors and issues NP·NC i32x4.dot_i16x8_s (8 MACs each, exact:
// see q8_conv2d.h). The lanes of each output are summed once, then 4 outputs are requantized together (requant4).
// Integer arithmetic is exact in any order, so every variant equals the scalar one bit for bit.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "internal.h"
#include "q8_conv2d.h"

namespace {
using anyml::Q8ConvPacked;

// The per-channel constants of 4 lanes (Q8Rq rows); which channel each lane holds depends on the load.
struct Rq4 { v128_t bias, mul, left, right, no_right, min_mul; };
// The clamp as act_min − out_zero <= v <= act_max − out_zero, then + out_zero (cannot overflow, unlike v + out_zero).
struct Clamp { v128_t lo, hi, zero; };

inline v128_t load4(const int32_t* r) { return wasm_v128_load(r); }          // channels c0..c0+3
inline v128_t load2(const int32_t* r) { return wasm_v128_load64_splat(r); }  // c0, c0+1, c0, c0+1
inline v128_t load1(const int32_t* r) { return wasm_v128_load32_splat(r); }  // c0 four times

template <class Load>
inline Rq4 rq4(const Q8ConvPacked& p, int32_t c0, Load load) {
  const int32_t* r = p.rq + c0;
  const size_t n = static_cast<size_t>(p.cout);
  return {load(r + anyml::kRqBias * n), load(r + anyml::kRqMultiplier * n), load(r + anyml::kRqLeft * n),
          load(r + anyml::kRqRight * n), load(r + anyml::kRqNoRight * n), load(r + anyml::kRqMinMul * n)};
}

// floor(v / 2^31) of each i64 lane of lo and hi (|v| < 2^62) as one i32x4: bits 31..62, via a shift by 1 and the
// high halves, because wasm SIMD has no 64-bit arithmetic right shift that V8 maps to one SSE instruction.
inline v128_t floor_div31(v128_t lo, v128_t hi) {
  return wasm_i32x4_shuffle(wasm_i64x2_shl(lo, 1), wasm_i64x2_shl(hi, 1), 1, 3, 5, 7);
}

// q8_requantize for 4 lanes, in the same exact integer arithmetic rearranged for SIMD (no per-lane shifts exist):
// - x·2^left is a multiply (mod 2^32, like the unsigned shift);
// - SaturatingRoundingDoublingHighMul: gemmlowp's nudge (2^30, or 1 − 2^30 when x·m < 0) followed by truncation
//   toward zero equals floor((x·m + 2^30) / 2^31) for both signs;
// - RoundingDivideByPOT(r, e), halves away from zero, is floor((r + 2^(e−1) − [r < 0]) / 2^e) for e >= 1; times
//   s = 2^(31−e) above and below it is floor((r·s + 2^30 − [r < 0]·s) / 2^31); e = 0 keeps r.
inline v128_t requant4(v128_t acc, const Rq4& q, const Clamp& k) {
  const v128_t x = wasm_i32x4_mul(wasm_i32x4_add(acc, q.bias), q.left);
  const v128_t half = wasm_i64x2_splat(INT64_C(1) << 30);
  v128_t r = floor_div31(wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, q.mul), half),
                         wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, q.mul), half));
  const v128_t sat = wasm_v128_and(wasm_i32x4_eq(x, wasm_i32x4_splat(INT32_MIN)), q.min_mul);
  r = wasm_v128_bitselect(wasm_i32x4_splat(INT32_MAX), r, sat);
  const v128_t adj = wasm_i32x4_sub(wasm_i32x4_splat(1 << 30), wasm_v128_and(q.right, wasm_i32x4_shr(r, 31)));
  v128_t d = floor_div31(wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(r, q.right), wasm_i64x2_extend_low_i32x4(adj)),
                         wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(r, q.right), wasm_i64x2_extend_high_i32x4(adj)));
  d = wasm_v128_bitselect(r, d, q.no_right);
  return wasm_i32x4_add(wasm_i32x4_min(wasm_i32x4_max(d, k.lo), k.hi), k.zero);
}

// The 4 values (already in [−128, 127]) as int8 lanes 0..3: the saturating narrows change nothing.
inline v128_t to_i8(v128_t v) {
  v = wasm_i16x8_narrow_i32x4(v, v);
  return wasm_i8x16_narrow_i16x8(v, v);
}

// [Σa0, Σa1, Σa2, Σa3]: a 4×4 transpose folded into the adds (6 shuffles, 3 adds for 4 outputs).
inline v128_t hsum4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
  const v128_t s0 = wasm_i32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5), wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7));
  const v128_t s1 = wasm_i32x4_add(wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5), wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(s0, s1, 0, 1, 4, 5), wasm_i32x4_shuffle(s0, s1, 2, 3, 6, 7));
}

inline int32_t hsum(v128_t a) {
  const v128_t s = wasm_i32x4_add(a, wasm_i32x4_shuffle(a, a, 2, 3, 0, 1));
  return wasm_i32x4_extract_lane(wasm_i32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2)), 0);
}

// Requantizes and stores acc[i][c] as o[i·cout + c0 + c]: 4 at a time when the block shape allows, else one by one.
template <int NP, int NC>
inline void store(const Q8ConvPacked& p, v128_t (&acc)[NP][NC], int32_t c0, int8_t* o, const Clamp& k) {
  const size_t n = static_cast<size_t>(p.cout);
  if constexpr (NC == 4) {
    const Rq4 q = rq4(p, c0, load4);
    for (int i = 0; i < NP; i++) {
      const v128_t s = hsum4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
      wasm_v128_store32_lane(o + i * n + c0, to_i8(requant4(s, q, k)), 0);
    }
  } else if constexpr (NC == 2 && NP % 2 == 0) {
    const Rq4 q = rq4(p, c0, load2);
    for (int i = 0; i < NP; i += 2) {
      const v128_t v = to_i8(requant4(hsum4(acc[i][0], acc[i][1], acc[i + 1][0], acc[i + 1][1]), q, k));
      wasm_v128_store16_lane(o + i * n + c0, v, 0);
      wasm_v128_store16_lane(o + (i + 1) * n + c0, v, 1);
    }
  } else if constexpr (NC == 1 && NP == 4) {
    const v128_t v = to_i8(requant4(hsum4(acc[0][0], acc[1][0], acc[2][0], acc[3][0]), rq4(p, c0, load1), k));
    wasm_v128_store8_lane(o + c0, v, 0);
    wasm_v128_store8_lane(o + n + c0, v, 1);
    wasm_v128_store8_lane(o + 2 * n + c0, v, 2);
    wasm_v128_store8_lane(o + 3 * n + c0, v, 3);
  } else {
    for (int i = 0; i < NP; i++)
      for (int c = 0; c < NC; c++) o[i * n + c0 + c] = anyml::q8_requantize(p, hsum(acc[i][c]), c0 + c);
  }
}

// Outputs (pixels x..x+NP−1 of the row whose padded patch rows start at `patch`) × channels c0..c0+NC−1.
template <int NP, int NC>
inline void block(const Q8ConvPacked& p, const int16_t* patch, int32_t c0, int8_t* o, const Clamp& k) {
  v128_t acc[NP][NC];
  for (int i = 0; i < NP; i++)
    for (int c = 0; c < NC; c++) acc[i][c] = wasm_i32x4_splat(0);
  const size_t wstride = static_cast<size_t>(p.k) * p.lp;
  const int16_t* w0 = p.wp + static_cast<size_t>(c0) * wstride;
  for (int32_t ky = 0; ky < p.k; ky++) {
    const int16_t* xr = patch + static_cast<size_t>(ky) * p.row;
    const int16_t* wr = w0 + static_cast<size_t>(ky) * p.lp;
    for (int32_t j = 0; j < p.lp; j += anyml::kQ8Lanes) {
      v128_t xv[NP];
      for (int i = 0; i < NP; i++) xv[i] = wasm_v128_load(xr + static_cast<size_t>(i) * p.cin + j);
      for (int c = 0; c < NC; c++) {
        const v128_t wv = wasm_v128_load(wr + c * wstride + j);
        for (int i = 0; i < NP; i++) acc[i][c] = wasm_i32x4_add(acc[i][c], wasm_i32x4_dot_i16x8(xv[i], wv));
      }
    }
  }
  store<NP, NC>(p, acc, c0, o, k);
}

// Every channel of NP pixels: NC-wide blocks, then single channels.
template <int NP, int NC>
inline void pixels(const Q8ConvPacked& p, const int16_t* patch, int8_t* o, const Clamp& k) {
  int32_t c0 = 0;
  for (; c0 + NC <= p.cout; c0 += NC) block<NP, NC>(p, patch, c0, o, k);
  for (; c0 < p.cout; c0++) block<NP, 1>(p, patch, c0, o, k);
}

// Row by row, NP pixels at a time, then the row's last width % NP pixels one by one.
template <int NP, int NC>
void run(const Q8ConvPacked* p, int8_t* out) {
  const Clamp k = {wasm_i32x4_splat(p->act_min - p->out_zero), wasm_i32x4_splat(p->act_max - p->out_zero),
                   wasm_i32x4_splat(p->out_zero)};
  for (int32_t y = 0; y < p->height; y++) {
    const int16_t* prow = p->xp + static_cast<size_t>(y) * p->row;
    int8_t* orow = out + static_cast<size_t>(y) * p->width * p->cout;
    int32_t x = 0;
    for (; x + NP <= p->width; x += NP)
      pixels<NP, NC>(*p, prow + static_cast<size_t>(x) * p->cin, orow + static_cast<size_t>(x) * p->cout, k);
    for (; x < p->width; x++)
      pixels<1, NC>(*p, prow + static_cast<size_t>(x) * p->cin, orow + static_cast<size_t>(x) * p->cout, k);
  }
}

}  // namespace

extern "C" void q8_conv2d__wasmsimd_p2c4(const Q8ConvPacked* p, int8_t* out) { run<2, 4>(p, out); }
extern "C" void q8_conv2d__wasmsimd_p4c2(const Q8ConvPacked* p, int8_t* out) { run<4, 2>(p, out); }
#endif  // __wasm_simd128__
