#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages anyml's build and tests need. Idempotent: skips apt when all are present.
set -euo pipefail
# emscripten: the WASM build check; liblinear-tools: the LIBLINEAR interop tests and bench; chromium: browser tests;
# OpenMPI + MPICH + zlib + cmake: anyml-mpi (cpp/mpi), built and tested with both MPI implementations.
# Mesa EGL/GLES (llvmpipe): WebGPU in Node through Dawn's OpenGL ES backend (TomoGAN webgpu tests).
PKGS=(emscripten liblinear-tools chromium openmpi-bin libopenmpi-dev mpich libmpich-dev zlib1g-dev cmake g++ libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all packages present (${PKGS[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "setup-system: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: done"
