// SPDX-License-Identifier: MIT
// anyml-mpi command line: options, usage text and parsing (no MPI here; every rank parses the same argv).
#ifndef ANYML_MPI_ARGS_H_
#define ANYML_MPI_ARGS_H_
#include <cstdint>
#include <string>

namespace anyml_mpi {

extern const char* const kUsage;

struct Args {
  std::string train, test, model, liblinear;
  double lambda = 1e-4, tol = 1e-3;
  bool lambda_auto = false;  // --lambda auto: chosen by the search of search.cc, then written to lambda
  int epochs = 0;  // 0: trainSvm's default for the row count (Run::main)
  int64_t sync_every = 1000;  // 0 = 'epoch'
  uint32_t seed = 1;
  int32_t batch = 1;
  int64_t features = 0;
  int64_t max_features = int64_t{1} << 25;  // without --features: the largest index accepted (a stray one is refused)
  bool json = false;
  std::string scale = "auto";  // auto | maxabs | none (src/svm/scale.ts; 'standard' would densify sparse data)
};

// Parses `anyml-mpi train <file> [options]`; returns "" or the error text.
std::string parse_args(int argc, char** argv, Args* a);

}  // namespace anyml_mpi
#endif  // ANYML_MPI_ARGS_H_
