#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The checks that need the lent device machine (16 cores, an NVIDIA GPU), as one prepared run of under 10 minutes:
#   1. anyml-mpi np 1, 2, 4, 8, 16 on epsilon-shaped dense data (`anyml svm generate`), wall and train seconds;
#   2. data-parallel TomoGAN training, P = 1 … 16 workers, iterations per second (bench/tomogan/train_parallel.mjs);
#   3. TomoGAN inference on the real GPU through Dawn (Vulkan) at 1024² and 2048² (bench/tomogan/run.mjs);
#   4. TensorRT, when the image has trtexec: the gated hardware test of the host's tensorrt provider.
# Every section checks what it needs and prints why it skips. Figures go to $OUT/device-check.txt (or
# bench/results/ without $OUT), which docs/benchmarks.md quotes.
#
# Prepare here (the device has no registry and takes at most 64 MiB of carried files):
#   npm run build && npm run build:mpi && node scripts/device-pack.mjs
# then run there with carry [".device", "dist", "vendor", "build/mpi"]:
#   bash scripts/device-check.sh            (--quick: small sizes, P ≤ 2, for a dry run on any machine)
set -uo pipefail
cd "$(dirname "$0")/.."
QUICK=0; [ "${1:-}" = "--quick" ] && QUICK=1
OUTDIR=${OUT:-bench/results}; mkdir -p "$OUTDIR"
REPORT="$OUTDIR/device-check.txt"
exec > >(tee "$REPORT") 2>&1
section() { echo; echo "== $1 ($(date -u +%H:%M:%S))"; }
skip() { echo "skipped: $1"; }
START=$(date +%s)

section "machine"
echo "date $(date -u +%FT%TZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), node $(node -v 2>/dev/null || echo none)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi"
if [ ! -d node_modules ] && [ -d .device/node_modules ]; then ln -sfn .device/node_modules node_modules; echo "node_modules: the packed subset (.device)"; fi
[ -f dist/cli/index.js ] || { echo "dist/ is missing: run npm run build here (or carry dist)"; exit 1; }
MAXP=16; [ $QUICK = 1 ] && MAXP=2
TMPD=$(mktemp -d); trap 'rm -rf "$TMPD"' EXIT

section "1. anyml-mpi np 1…$MAXP, epsilon-shaped dense data"
MPIRUN=$(command -v mpirun || true)
if [ -z "$MPIRUN" ]; then skip "no mpirun on this machine (OpenMPI is not in the image)"
elif [ ! -x build/mpi/anyml-mpi ]; then skip "build/mpi/anyml-mpi missing (npm run build:mpi, then carry build/mpi)"
else
  ROWS=20000; [ $QUICK = 1 ] && ROWS=2000
  node bin/anyml.js svm generate "$TMPD/eps.libsvm" --rows $ROWS --features 2000 --density 1 --seed 1 --json | tail -1
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  echo "np | wall s | read s | train s | epochs | objective"
  for np in 1 2 4 8 16; do
    [ $np -gt $MAXP ] && break
    t0=$(date +%s.%N)
    line=$(timeout 120 "$MPIRUN" -np $np --oversubscribe build/mpi/anyml-mpi train "$TMPD/eps.libsvm" --lambda 1e-4 --epochs 10 --tol 0 --seed 1 --json 2>&1 | tail -1)
    t1=$(date +%s.%N)
    echo "$np | $(echo "$t1 - $t0" | bc) | $(echo "$line" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const j=JSON.parse(s);console.log(`${j.readSeconds} | ${j.trainSeconds} | ${j.epochs} | ${j.objective}`)}catch{console.log("failed: "+s.slice(0,200))}})')"
  done
fi

section "2. data-parallel TomoGAN training, P = 1…$MAXP"
if [ -f bench/tomogan/train_parallel.mjs ]; then
  if [ $QUICK = 1 ]; then ARGS="--workers 0,1,2 --iterations 1 --batch 4 --crop 32"; else ARGS="--workers 0,1,2,4,8,16 --iterations 3 --batch 16 --crop 64"; fi
  timeout 240 node bench/tomogan/train_parallel.mjs $ARGS || echo "failed or timed out (exit $?)"
else skip "bench/tomogan/train_parallel.mjs is not in this tree"; fi

section "3. TomoGAN on the GPU through Dawn (Vulkan)"
if [ $QUICK = 1 ]; then
  # A dry run exercises the path on whatever adapter Dawn finds here (GL ES on llvmpipe without a GPU).
  timeout 150 node bench/tomogan/run.mjs --reps 1 --webgpu-size 256 --webgpu-only || echo "failed or timed out (exit $?)"
elif ! ldconfig -p 2>/dev/null | grep -q libvulkan; then skip "no libvulkan (see the device README: unpack the loader .debs first)"
else
  for n in 1024 2048; do
    [ $QUICK = 1 ] && [ $n -gt 1024 ] && break
    ANYML_DAWN_FLAGS=backend=vulkan timeout 150 node bench/tomogan/run.mjs --size $n --reps 1 --webgpu-size $n --webgpu-only || echo "failed or timed out at $n² (exit $?)"
  done
fi

section "4. TensorRT"
TRT=${ANYML_TRTEXEC:-/usr/src/tensorrt/bin/trtexec}; command -v trtexec >/dev/null && TRT=$(command -v trtexec)
if [ ! -x "$TRT" ]; then skip "no trtexec in this image"
else
  "$TRT" --version 2>&1 | head -2
  # The shipped generator (exported by device-pack) built and timed by TensorRT itself, fp32 and fp16.
  for prec in "" "--fp16"; do
    timeout 140 "$TRT" --onnx=.device/tomogan-1024.onnx $prec --iterations=20 --avgRuns=10 2>&1 | grep -E "GPU Compute Time|Throughput|FAILED" | head -3
  done
  # The host's gated TensorRT test, when the full dev tree (vitest) came along.
  if [ -x node_modules/.bin/vitest ]; then ANYML_TRTEXEC="$TRT" timeout 150 node_modules/.bin/vitest run test/unit/host/tensorrt_runner.test.ts || echo "failed (exit $?)"; fi
fi

section "done in $(( $(date +%s) - START )) s; figures in $REPORT"
