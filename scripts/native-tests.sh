#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the C++ core natively (cpp/CMakeLists.txt, -O3 -march=native) into build/native and runs its tests.
#   --build-only   build the library, tests and benchmarks without running the tests
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S cpp -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j 2 >/dev/null
[ "${1:-}" = "--build-only" ] && exit 0
ctest --test-dir build/native --output-on-failure
