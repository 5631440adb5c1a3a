#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the MPI runner: bash scripts/build-mpi.sh [--mpich]  →  build/mpi/anyml-mpi (build/mpi-mpich with --mpich).
# OpenMPI's mpicxx is the default; --mpich picks Debian's mpicxx.mpich so both MPI ABIs can be tested side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/mpi
extra=()
for arg in "$@"; do
  case "$arg" in
    --mpich) dir=build/mpi-mpich; extra=(-DMPI_CXX_COMPILER=mpicxx.mpich -DMPIEXEC_EXECUTABLE="$(command -v mpirun.mpich || echo mpirun.mpich)") ;;
    *) echo "build-mpi.sh: unknown argument $arg (usage: build-mpi.sh [--mpich])" >&2; exit 2 ;;
  esac
done
cmake -S cpp -B "$dir" -DANYML_MPI=ON -DCMAKE_BUILD_TYPE=Release "${extra[@]}" >/dev/null
cmake --build "$dir" -j 2 --target anyml-mpi
echo "built $dir/anyml-mpi"
