// SPDX-License-Identifier: MIT
// anyml-mpi on wide sparse data: training on the columns some row uses, as trainSvm does (src/svm/compact.ts).
// Pegasos starts from w = 0 and only moves the weights of a sample's non-zero features; the shrink step scales
// every weight, so an unused column keeps weight exactly 0 (Shalev-Shwartz et al. 2011, Algorithm 1). The solver
// and the averaging buffers then take memory for the used columns, not for one stray index's width.
#include <algorithm>

#include "run.h"

namespace anyml_mpi {
namespace {

// The thresholds of src/svm/compact.ts, so the same data trains on the same columns in Node and under MPI.
constexpr int32_t kMinWidth = 1 << 20;  // below it the per-column state is small
constexpr int64_t kMaxUsedShare = 4;    // compact only when under a quarter of the columns are used

}  // namespace

// The union of the used columns over all ranks (one byte a column, OR-reduced), then every rank renumbers its
// indices in column order. Returns whether it compacted.
bool Run::compact_columns() {
  if (width_ < kMinWidth) return false;
  std::vector<uint8_t> used(static_cast<size_t>(width_), 0);
  for (int32_t j : d_.indices) used[j] = 1;
  MPI_Allreduce(MPI_IN_PLACE, used.data(), width_, MPI_UINT8_T, MPI_MAX, comm_);
  int64_t count = 0;
  for (uint8_t u : used) count += u;
  if (count * kMaxUsedShare >= width_) return false;
  columns_.clear();
  columns_.reserve(static_cast<size_t>(count));
  for (int32_t j = 0; j < width_; j++)
    if (used[j]) columns_.push_back(j);
  for (int32_t& j : d_.indices) j = static_cast<int32_t>(std::lower_bound(columns_.begin(), columns_.end(), j) - columns_.begin());
  cols_ = std::max<int32_t>(1, static_cast<int32_t>(count));
  return true;
}

// The trained weight (of w: w_ or one class's) of feature column j (0 beyond the model or in a column no training row used).
double Run::weight(const float* w, int32_t j) const {
  if (columns_.empty()) return j < cols_ ? raw(w, static_cast<size_t>(j)) : 0.0;
  const auto it = std::lower_bound(columns_.begin(), columns_.end(), j);
  return it != columns_.end() && *it == j ? raw(w, static_cast<size_t>(it - columns_.begin())) : 0.0;
}

// The weights as src/svm/model_json.ts writes them: the full list while at least half of the width_ weights are
// non-zero, otherwise {"indices":[…],"values":[…]} of the non-zero ones.
// w holds cols_ trained weights (w_, or one class's under one-vs-rest).
std::string Run::weights_json(const float* w) const {
  const size_t cols = static_cast<size_t>(cols_);
  size_t nonzero = 0;
  for (size_t i = 0; i < cols; i++) nonzero += w[i] != 0;
  std::string j = "[";
  if (2 * nonzero >= static_cast<size_t>(width_)) {  // never when compacted: nonzero <= cols_ < width_ / 4
    for (size_t i = 0; i < cols; i++) j += (i ? "," : "") + num(raw(w, i));
    return j + "]";
  }
  std::string values = "[";
  for (size_t i = 0, k = 0; i < cols; i++) {
    if (w[i] == 0) continue;
    j += (k ? "," : "") + std::to_string(columns_.empty() ? static_cast<int32_t>(i) : columns_[i]);
    values += (k++ ? "," : "") + num(raw(w, i));
  }
  return "{\"indices\":" + j + "],\"values\":" + values + "]}";
}

}  // namespace anyml_mpi
