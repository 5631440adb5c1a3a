// SPDX-License-Identifier: MIT
// anyml-mpi feature scaling, as trainSvm does it (src/svm/scale.ts): the max-abs of every column over all ranks
// (each rank's maxima, MAX-reduced), the shard's values divided by it before training, and the weights folded back
// (w_j / s_j) when the model is written, so the model takes raw features. 'auto' scales only when some value is
// outside [-1, 1]. Every rank computes the same divisors, so P ranks train on the rows one process would.
#include <algorithm>
#include <cmath>

#include "run.h"

namespace anyml_mpi {

bool Run::scale_features(const Args& a) {
  scale_ = "none";
  if (a.scale == "none") return true;
  std::vector<double> s(static_cast<size_t>(cols_), 0.0);
  const size_t nnz = static_cast<size_t>(d_.indptr[d_.rows]);
  for (size_t k = 0; k < nnz; k++) s[d_.indices[k]] = std::max(s[d_.indices[k]], std::fabs(static_cast<double>(d_.values[k])));
  MPI_Allreduce(MPI_IN_PLACE, s.data(), cols_, MPI_DOUBLE, MPI_MAX, comm_);
  const double largest = s.empty() ? 0.0 : *std::max_element(s.begin(), s.end());
  if (a.scale == "auto" && largest <= 1) return true;
  for (double& v : s)
    if (!(v > 0) || !std::isfinite(v)) v = 1;  // an unused column: nothing to scale
  // f32(f64(x) / s): the value src/svm/scale.ts stores in its Float32Array.
  for (size_t k = 0; k < nnz; k++) d_.values[k] = static_cast<float>(static_cast<double>(d_.values[k]) / s[d_.indices[k]]);
  s_ = std::move(s);
  scale_ = "maxabs";
  return true;
}

}  // namespace anyml_mpi
