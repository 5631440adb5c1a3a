// SPDX-License-Identifier: MIT
// Micro-benchmark of every kernel variant in the .inc lists (the numbers behind the dispatch choice in
// kernels/internal.h). One JSON line per kernel × variant × n: ns per call and elements per second.
// Native: build/native/kernels_bench. WASM SIMD: bash wasm/build.sh --bench.
#include <stdio.h>

#include <chrono>
#include <vector>

#include "../kernels/internal.h"

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
  return 0;
}
