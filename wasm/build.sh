#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the wasm core (kernels, SGD-SVM solver, LIBSVM parser) with Debian emscripten 3.1.6 into wasm/dist/ (committed):
#   anyml-core.{mjs,wasm}       scalar kernels (runs on any WebAssembly engine)
#   anyml-core-simd.{mjs,wasm}  -msimd128 kernels (needs WebAssembly SIMD)
# Usage: bash wasm/build.sh            rebuild wasm/dist
#        bash wasm/build.sh --check    rebuild into a temp dir; exit 1 naming each file whose bytes differ
#        bash wasm/build.sh --test     run cpp/tests compiled with em++ (scalar and -msimd128) under Node
#        bash wasm/build.sh --bench    run cpp/bench/kernels_bench.cc compiled with -msimd128 under Node
# Builds are byte-reproducible: no -g, sources named by relative paths, fixed flag order.
set -euo pipefail
export NODE_PATH=/usr/share/nodejs   # emscripten's acorn optimizer lives there on Debian (docs/toolchain.md "Emscripten")
export SOURCE_DATE_EPOCH=0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=build
[[ "${1:-}" == "--check" ]] && mode=check
[[ "${1:-}" == "--test" ]] && mode=test
[[ "${1:-}" == "--bench" ]] && mode=bench
command -v em++ >/dev/null || { echo "build.sh: em++ not found; install Debian's emscripten (apt-get install -y emscripten)" >&2; exit 2; }

# _name list for -sEXPORTED_FUNCTIONS from exports.txt (comments and blank lines dropped).
exported="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/^[[:space:]]*/_/' -e 's/[[:space:]]*$//' wasm/exports.txt | paste -sd, -)"
exported="${exported},_malloc,_free"

sources=(cpp/kernels/*.cc cpp/svm/*.cc cpp/io/decimal_scan.cc cpp/io/libsvm_stream.cc cpp/io/libsvm_parse_api.cc)
cflags=(-std=c++17 -O3 -ffp-contract=off -fno-exceptions -fno-rtti -Icpp/include -DNDEBUG)
lflags=(--extern-pre-js wasm/banner.js -sSTRICT=1 -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createAnymlCore -sENVIRONMENT=web,worker
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sFILESYSTEM=0 -sMALLOC=emmalloc
  -sINCOMING_MODULE_JS_API=wasmBinary,locateFile,instantiateWasm,print,printErr
  "-sEXPORTED_RUNTIME_METHODS=HEAPU8,HEAP32,HEAPU32,HEAPF32,HEAPF64,UTF8ToString"
  "-sEXPORTED_FUNCTIONS=${exported}")

build_into() {  # $1 = output dir
  local out="$1"
  mkdir -p "$out"
  em++ "${cflags[@]}" "${sources[@]}" "${lflags[@]}" -o "$out/anyml-core.mjs"
  em++ "${cflags[@]}" -msimd128 "${sources[@]}" "${lflags[@]}" -o "$out/anyml-core-simd.mjs"
  check_isa "$out"
}

# The SIMD binary must contain f32x4 instructions and the scalar one none (catches a lost -msimd128).
check_isa() {
  command -v llvm-objdump-14 >/dev/null || { echo "build.sh: llvm-objdump-14 not found; skipping the f32x4 check" >&2; return 0; }
  local simd scalar
  simd=$(llvm-objdump-14 -d "$1/anyml-core-simd.wasm" | grep -c 'f32x4\.' || true)
  scalar=$(llvm-objdump-14 -d "$1/anyml-core.wasm" | grep -c 'f32x4\.' || true)
  echo "build.sh: f32x4 instructions: anyml-core-simd.wasm $simd, anyml-core.wasm $scalar"
  if [[ "$simd" -eq 0 || "$scalar" -ne 0 ]]; then echo "build.sh: wrong instruction set in the outputs" >&2; exit 1; fi
}

if [[ "$mode" == bench ]]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  em++ "${cflags[@]}" -msimd128 "${sources[@]}" cpp/bench/kernels_bench.cc -sENVIRONMENT=node -sSINGLE_FILE=1 \
    -o "$tmp/kernels_bench.js"
  node "$tmp/kernels_bench.js"
  exit 0
fi

if [[ "$mode" == test ]]; then
  # Plain (non-modular) node builds; a temp dir outside the repo, so .js is CommonJS there.
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # cpp/tests/wasm/: tests of sources only the wasm build has (the native CMake build globs cpp/tests/*.cc only);
  # cpp/io files not already in sources: the native readers the tests also cover.
  tests=(cpp/tests/*.cc cpp/tests/wasm/*.cc)
  for f in cpp/io/*.cc; do [[ " ${sources[*]} " == *" $f "* ]] || tests+=("$f"); done
  for flavour in scalar simd; do
    extra=(); [[ $flavour == simd ]] && extra=(-msimd128)
    # SINGLE_FILE: Node 20 has a global fetch that the 3.1.6 glue would use on a file path (docs/toolchain.md "Emscripten").
    em++ "${cflags[@]}" "${extra[@]}" "${sources[@]}" "${tests[@]}" -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 \
      -sSINGLE_FILE=1 -o "$tmp/anyml_tests_$flavour.js"
    echo "== cpp/tests under Node ($flavour)"
    node "$tmp/anyml_tests_$flavour.js"
  done
  exit 0
fi

outputs=(anyml-core.mjs anyml-core.wasm anyml-core-simd.mjs anyml-core-simd.wasm)
if [[ "$mode" == build ]]; then
  build_into wasm/dist
  for f in "${outputs[@]}"; do printf '%8d  %s\n' "$(wc -c < "wasm/dist/$f")" "wasm/dist/$f"; done
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
build_into "$tmp"
status=0
for f in "${outputs[@]}"; do
  if [[ ! -f "wasm/dist/$f" ]]; then echo "build.sh --check: wasm/dist/$f is missing; run: bash wasm/build.sh" >&2; status=1
  elif ! cmp -s "$tmp/$f" "wasm/dist/$f"; then
    echo "build.sh --check: wasm/dist/$f differs from a fresh build; run: bash wasm/build.sh and commit wasm/dist" >&2; status=1
  fi
done
[[ $status == 0 ]] && echo "build.sh --check: wasm/dist is up to date (${outputs[*]})"
exit $status
