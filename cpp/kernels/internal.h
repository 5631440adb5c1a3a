// SPDX-License-Identifier: MIT
// Kernel internals: error reporting, variant declarations from the .inc lists, and the dispatch choice.
#ifndef ANYML_KERNELS_INTERNAL_H_
#define ANYML_KERNELS_INTERNAL_H_

#include <stddef.h>
#include <stdint.h>

#include "anyml/anyml.h"

// ISA tags used by the .inc lists (tests print them).
#define ANYML_ISA_NONE 0
#define ANYML_ISA_WASM_SIMD 1
#if defined(__wasm_simd128__)
#define ANYML_WASM_SIMD 1
#else
#define ANYML_WASM_SIMD 0
#endif

namespace anyml {
// Records "<fn>: <what>" (plus " <num>" when num != kNoNum) as the last error and returns `code`.
constexpr int64_t kNoNum = INT64_MIN;
int fail(int code, const char* fn, const char* what, int64_t num = kNoNum);
// "<fn>: argument <arg> is NULL with n = <n> > 0".
int fail_null(const char* fn, const char* arg, size_t n);
}  // namespace anyml

// Variants: same parameters as the public kernel, no argument checks, no status.
extern "C" {
#define ANYML_KERNEL(fn, unroll, isa) void fn(size_t n, const float* x, const float* y, float* out);
#include "f32_dot.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, unroll, isa) void fn(size_t n, float alpha, const float* x, float* y);
#include "f32_axpy.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, unroll, isa) void fn(size_t n, float alpha, float* x);
#include "f32_scal.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, unroll, isa) void fn(size_t n, const float* x, float* out);
#include "f32_nrm2.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, unroll, isa) \
  void fn(size_t nnz, const int32_t* idx, const float* val, const float* y, float* out);
#include "f32_spdot.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, unroll, isa) \
  void fn(size_t nnz, float alpha, const int32_t* idx, const float* val, float* y);
#include "f32_spaxpy.inc"
#undef ANYML_KERNEL
}

// q8_conv2d variants take the operands packed by the dispatcher (q8_conv2d.h), not the public arguments: the
// padding, zero-point subtraction and int16 widening are shared, and each variant is only the sums + requantization.
namespace anyml { struct Q8ConvPacked; }
extern "C" {
#define ANYML_KERNEL(fn, unroll, isa) void fn(const anyml::Q8ConvPacked* p, int8_t* out);
#include "q8_conv2d.inc"
#undef ANYML_KERNEL
}

// The variant each dispatcher (and the solver) uses. Chosen with cpp/bench/kernels_bench.cc under Node 20
// (`bash wasm/build.sh --bench`, noisy 2-vCPU box, ns per call, scalar → SIMD):
//   f32_dot    n=22: 20–28 → 12–16 (u8)   n=4096: 3900 → 500–710 (u8), u16 similar, u4 ~1000
//   f32_spdot  n=14: 14–24 → 10–18 (u4)   n=4096: 3900–5100 → 2100–2900 (u4 ≈ u8; gathers are lane by lane)
//   f32_spaxpy n=22: 21–32 → 18–19 (u4)   kept scalar: the gain is small and the SIMD variant needs distinct
//                                          indices within each group of 4, which the public kernel does not require
//   f32_axpy / f32_scal: u8 ≈ scalar for n ≤ 64, 1.3–1.5× faster at n = 4096; f32_nrm2 u8: 1.4–3× faster.
//   q8_conv2d  64×64×32→32 k3 (37.7 MMAC): 16–27 ms → 1.3–1.5 ms (p4c2 ≈ p2c4, 25–29 GMAC/s); 128×128×64→64:
//              20–30 GMAC/s. p3c4/p4c4 were 3–5× slower (V8 spills their 12–16 accumulators), x-tiles of 8–32
//              pixels with channel blocks outside gained nothing measurable; requantizing 4 outputs per SIMD
//              sequence instead of one by one saved 25–35%. p4c2 also keeps the 4-wide requantization for odd cout.
#if ANYML_WASM_SIMD
#define ANYML_BEST_F32_DOT f32_dot__wasmsimd_u8
#define ANYML_BEST_F32_AXPY f32_axpy__wasmsimd_u8
#define ANYML_BEST_F32_SCAL f32_scal__wasmsimd_u8
#define ANYML_BEST_F32_NRM2 f32_nrm2__wasmsimd_u8
#define ANYML_BEST_F32_SPDOT f32_spdot__wasmsimd_u4
#define ANYML_BEST_F32_SPAXPY f32_spaxpy__scalar_u1
#define ANYML_BEST_Q8_CONV2D q8_conv2d__wasmsimd_p4c2
#else
#define ANYML_BEST_F32_DOT f32_dot__scalar_u1
#define ANYML_BEST_F32_AXPY f32_axpy__scalar_u1
#define ANYML_BEST_F32_SCAL f32_scal__scalar_u1
#define ANYML_BEST_F32_NRM2 f32_nrm2__scalar_u1
#define ANYML_BEST_F32_SPDOT f32_spdot__scalar_u1
#define ANYML_BEST_F32_SPAXPY f32_spaxpy__scalar_u1
#define ANYML_BEST_Q8_CONV2D q8_conv2d__scalar_u1
#endif

#endif  // ANYML_KERNELS_INTERNAL_H_
