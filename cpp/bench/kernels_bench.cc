// SPDX-License-Identifier: MIT
// Micro-benchmark of every kernel variant in the .inc lists (the numbers behind the dispatch choice in
// kernels/internal.h). One JSON line per kernel × variant × n: ns per call and elements per second.
// Native: build/native/kernels_bench. WASM SIMD: bash wasm/build.sh --bench.
#include <stdio.h>

#include <chrono>
#include <vector>

#include "../kernels/internal.h"
#include "../kernels/q8_conv2d.h"

namespace {
volatile float g_sink;

template <class F>
void run(const char* name, size_t n, F&& call) {
  // Enough calls for ~20 ms; best of 5 runs.
  size_t reps = 1;
  double best = 1e30;
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    for (size_t r = 0; r < reps; r++) call();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s > 0.02) break;
    reps *= 2;
  }
  for (int k = 0; k < 5; k++) {
    auto t0 = std::chrono::steady_clock::now();
    for (size_t r = 0; r < reps; r++) call();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
    if (s < best) best = s;
  }
  printf("{\"variant\":\"%s\",\"n\":%zu,\"ns_per_call\":%.2f,\"melem_per_s\":%.1f}\n", name, n, best * 1e9, n / best / 1e6);
}

// q8_conv2d variants on packed TomoGAN-sized layers: n = multiply-accumulates, so melem_per_s is MMAC/s.
void bench_q8_conv2d() {
  struct Shape { int32_t h, w, cin, k, cout; };
  for (const Shape s : {Shape{64, 64, 32, 3, 32}, Shape{128, 128, 64, 3, 64}, Shape{64, 64, 3, 1, 8}}) {
    std::vector<int8_t> x(static_cast<size_t>(s.h) * s.w * s.cin), wt(static_cast<size_t>(s.cout) * s.k * s.k * s.cin);
    for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<int8_t>(i * 37 + 11);
    for (size_t i = 0; i < wt.size(); i++) wt[i] = static_cast<int8_t>(i * 53 + 5);
    std::vector<int32_t> bias(s.cout, 1000), mul(s.cout, 1518500250), shift(s.cout, -10);
    anyml::Q8ConvPacked p = anyml::q8_conv2d_layout(s.h, s.w, s.cin, s.k, s.cout, bias.data(), mul.data(),
                                                    shift.data(), 5, 5, 127);
    std::vector<int32_t> block(anyml::q8_conv2d_packed_bytes(p) / 4 + 1);
    anyml::q8_conv2d_pack(x.data(), -3, wt.data(), p, block.data());
    std::vector<int8_t> out(static_cast<size_t>(s.h) * s.w * s.cout);
    const size_t macs = out.size() * s.k * s.k * s.cin;
#define ANYML_KERNEL(fn, u, isa) run(#fn, macs, [&] { fn(&p, out.data()); g_sink = out[0]; });
#include "../kernels/q8_conv2d.inc"
#undef ANYML_KERNEL
  }
}
}  // namespace

int main() {
  for (size_t n : {14, 22, 64, 256, 4096}) {
    const size_t m = 8 * n;  // sparse rows pick every 8th column of an m-long vector
    std::vector<float> x(m, 0.5f), y(m, 0.25f);
    std::vector<int32_t> idx(n);
    for (size_t i = 0; i < n; i++) idx[i] = static_cast<int32_t>(8 * i);
    float out = 0;
#define ANYML_KERNEL(fn, u, isa) run(#fn, n, [&] { fn(n, x.data(), y.data(), &out); g_sink = out; });
#include "../kernels/f32_dot.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, u, isa) run(#fn, n, [&] { fn(n, 1e-7f, x.data(), y.data()); });
#include "../kernels/f32_axpy.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, u, isa) run(#fn, n, [&] { fn(n, 1.0f, y.data()); });
#include "../kernels/f32_scal.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, u, isa) run(#fn, n, [&] { fn(n, x.data(), &out); g_sink = out; });
#include "../kernels/f32_nrm2.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, u, isa) run(#fn, n, [&] { fn(n, idx.data(), x.data(), y.data(), &out); g_sink = out; });
#include "../kernels/f32_spdot.inc"
#undef ANYML_KERNEL
#define ANYML_KERNEL(fn, u, isa) run(#fn, n, [&] { fn(n, 1e-7f, idx.data(), x.data(), y.data()); });
#include "../kernels/f32_spaxpy.inc"
#undef ANYML_KERNEL
  }
  bench_q8_conv2d();
  return 0;
}
