// SPDX-License-Identifier: MIT
// anyml-mpi one-vs-rest for K >= 3 label values, class-parallel: every rank gets all n rows (an Allgatherv of the
// shards in rank order, so the rows are in file order), rank r fits the classes k with k % P == r, each on all rows
// with y = +1 for label classes[k] and -1 otherwise, and rank 0 collects the K weight vectors. A class's fit is a
// Run on MPI_COMM_SELF, i.e. literally the P = 1 binary fit (same options, seed, epochs, averaging, bias refit), and
// scaling is learned once on all rows: the model does not depend on P.
#include <algorithm>
#include <limits>

#include "run.h"

namespace anyml_mpi {
namespace {

// MPI_Allgatherv into `out`, rank p's `counts[p]` elements after those of the ranks before it.
template <typename T>
void allgather(const T* mine, const std::vector<int>& counts, int rank, MPI_Datatype type, std::vector<T>* out,
               MPI_Comm comm) {
  std::vector<int> displs(counts.size(), 0);
  for (size_t p = 1; p < counts.size(); p++) displs[p] = displs[p - 1] + counts[p - 1];
  out->resize(static_cast<size_t>(displs.back()) + static_cast<size_t>(counts.back()));
  MPI_Allgatherv(mine, counts[rank], type, out->data(), counts.data(), displs.data(), type, comm);
}

}  // namespace

// Every rank's shard to every rank, in rank order (= file order): the CSR arrays and the raw labels. The column
// numbering is already the common one (compact_columns ran on the world before). False (on every rank) when the
// whole data is too large for one int32 CSR.
bool Run::gather_rows(Run* all) const {
  const int mine[2] = {d_.rows, d_.indptr[d_.rows]};
  std::vector<int> both(2 * P_), rows(P_), nnz(P_);
  MPI_Allgather(mine, 2, MPI_INT, both.data(), 2, MPI_INT, comm_);
  int64_t total = 0;
  for (int p = 0; p < P_; p++) rows[p] = both[2 * p], nnz[p] = both[2 * p + 1], total += nnz[p];
  if (total > std::numeric_limits<int32_t>::max()) return false;
  anyml::LibsvmData& d = all->d_;
  std::vector<int32_t> ends;  // every shard's indptr[1..rows], relative to that shard's first entry
  allgather(d_.indptr.data() + 1, rows, rank_, MPI_INT32_T, &ends, comm_);
  allgather(d_.indices.data(), nnz, rank_, MPI_INT32_T, &d.indices, comm_);
  allgather(d_.values.data(), nnz, rank_, MPI_FLOAT, &d.values, comm_);
  allgather(d_.labels.data(), rows, rank_, MPI_DOUBLE, &d.labels, comm_);
  d.rows = static_cast<int32_t>(n_);
  d.cols = d_.cols;
  d.indptr.assign(1, 0);
  d.indptr.reserve(static_cast<size_t>(n_) + 1);
  int32_t base = 0;
  for (int p = 0, i = 0; p < P_; base += nnz[p], p++)
    for (int r = 0; r < rows[p]; r++, i++) d.indptr.push_back(base + ends[static_cast<size_t>(i)]);
  all->n_ = n_;
  all->rows_.assign(1, n_);
  all->src_ = src_;
  all->width_ = width_;
  all->cols_ = cols_;
  all->columns_ = columns_;
  return true;
}

// Class k's fit on `all` (every row, one process): the binary P = 1 fit with y = +1 exactly for label classes_[k].
bool Run::fit_class(Run& all, const Args& a, size_t k) {
  const anyml::LibsvmData& d = all.d_;
  all.y_.resize(static_cast<size_t>(d.rows));
  for (int32_t i = 0; i < d.rows; i++) all.y_[i] = d.labels[i] == classes_[k] ? 1.0f : -1.0f;
  all.hist_.clear();
  all.bias_ = 0;
  return all.train(a);
}

// Rank 0 collects every class's weights and figures from the rank that fitted it (rank k % P, its (k / P)-th
// class). Point-to-point in class order: messages of one sender arrive in the order they were sent.
void Run::gather_classes() {
  const size_t K = classes_.size(), d = static_cast<size_t>(cols_);
  if (rank_ != 0) {
    for (size_t k = static_cast<size_t>(rank_); k < K; k += static_cast<size_t>(P_)) {
      const double fig[3] = {cbias_[k], cobj_[k], static_cast<double>(cepochs_[k])};
      MPI_Send(fig, 3, MPI_DOUBLE, 0, 0, comm_);
      MPI_Send(cw_.data() + k * d, cols_, MPI_FLOAT, 0, 0, comm_);
    }
    return;
  }
  for (size_t k = 0; k < K; k++) {
    const int from = static_cast<int>(k % static_cast<size_t>(P_));
    if (from == 0) continue;
    double fig[3];
    MPI_Recv(fig, 3, MPI_DOUBLE, from, 0, comm_, MPI_STATUS_IGNORE);
    MPI_Recv(cw_.data() + k * d, cols_, MPI_FLOAT, from, 0, comm_, MPI_STATUS_IGNORE);
    cbias_[k] = fig[0], cobj_[k] = fig[1], cepochs_[k] = static_cast<int32_t>(fig[2]);
  }
}

// The class-parallel schedule (see the top of this file). Scaling is learned on all rows once, so every class
// (and every rank) uses the same divisors; they are kept here for folding the weights back to raw features.
bool Run::train_ovr(Args& a) {
  const double t0 = now();
  Run all(MPI_COMM_SELF, true);
  if (!agree(gather_rows(&all), src_ + ": more than 2^31 - 1 stored values in all, too many for one-vs-rest "
                                      "training, which gives every rank all rows"))
    return false;
  if (!all.scale_features(a)) return false;
  // --lambda auto: the search on the same scaled rows, each task's K class fits on one rank (search.cc).
  if (a.lambda_auto && !choose_lambda(all, classes_, &a)) return false;
  const size_t K = classes_.size(), d = static_cast<size_t>(cols_);
  cw_.assign(K * d, 0.0f);
  cbias_.assign(K, 0.0), cobj_.assign(K, 0.0), cepochs_.assign(K, 0);
  bool ok = true;
  size_t k = static_cast<size_t>(rank_);
  for (; k < K; k += static_cast<size_t>(P_)) {
    ok = fit_class(all, a, k);
    if (!ok) break;
    std::copy(all.w_.begin(), all.w_.end(), cw_.begin() + static_cast<std::ptrdiff_t>(k * d));
    cbias_[k] = all.bias_, cobj_[k] = all.hist_.back().objective, cepochs_[k] = static_cast<int32_t>(all.hist_.size());
  }
  const std::string why = ok ? "" : "class " + num(classes_[k]) + " vs the rest: " + all.error();
  if (!agree(ok, why)) return false;
  gather_classes();
  s_ = all.s_;
  scale_ = all.scale_;
  train_seconds_ = now() - t0 - search_seconds_;
  return true;
}

}  // namespace anyml_mpi

namespace anyml_mpi {

// Test rows under one-vs-rest: the class of the largest w_kᵀx + b_k (the first such k on a tie, as LIBLINEAR's
// predict does), right when its label equals the row's. A label the training file lacks is an error, as in binary.
bool Run::evaluate_ovr(const anyml::LibsvmData& t, const std::vector<int64_t>& lines, const std::string& name,
                       std::string* err) {
  const size_t K = classes_.size(), d = static_cast<size_t>(cols_);
  int64_t right = 0;
  for (int32_t i = 0; i < t.rows; i++) {
    const double l = t.labels[i];
    if (!std::binary_search(classes_.begin(), classes_.end(), l)) {
      std::string list;
      for (size_t k = 0; k < K; k++) list += (k ? ", " : "") + num(classes_[k]);
      *err = name + ":" + std::to_string(lines[i]) + ":1: label not in the training labels, got '" + num(l) +
             "', expected one of " + list;
      return false;
    }
    size_t best = 0;
    double top = -std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < K; k++) {
      double s = 0;
      for (int32_t e = t.indptr[i]; e < t.indptr[i + 1]; e++) s += weight(cw_.data() + k * d, t.indices[e]) * t.values[e];
      s += cbias_[k];
      if (k == 0 || s > top) top = s, best = k;
    }
    right += classes_[best] == l;
  }
  test_rows_ = t.rows;
  test_acc_ = t.rows ? static_cast<double>(right) / t.rows : 0;
  return true;
}

// The anyml JSON model of K classes: the binary document's keys in the same order, with "weights" and "bias" one
// entry per class (each weight list in the binary's dense-or-sparse form), "labels" the K classes, ascending, and
// trainedWith.epochs the epochs of each class (src/svm/train.ts writes the same).
std::string Run::ovr_model_json(const Args& a) const {
  const size_t K = classes_.size(), d = static_cast<size_t>(cols_);
  std::string w = "[", b = "[", l = "[", e = "[";
  for (size_t k = 0; k < K; k++) {
    w += (k ? "," : "") + weights_json(cw_.data() + k * d);
    b += (k ? "," : "") + num(cbias_[k]);
    l += (k ? "," : "") + num(classes_[k]);
    e += (k ? "," : "") + std::to_string(cepochs_[k]);
  }
  std::string j = "{\"format\":\"anyml-svm\",\"version\":1,\"features\":" + std::to_string(width_) + ",\"weights\":" + w +
                  "],\"bias\":" + b + "],\"labels\":" + l + "],\"lambda\":" + num(a.lambda);
  return j + trained_with(a, e + "]") + "}\n";
}

// LIBLINEAR save_model's text (linear.cpp) for solver L2R_L1LOSS_SVC_DUAL with bias 1, whose model is the same
// L2-regularised hinge loss. Binary: `label pos neg` and one weight a line (LIBLINEAR predicts its first label when
// wᵀx + b > 0), as src/svm/liblinear.ts writes it. K classes: line j holds w_0[j] … w_{K-1}[j]; the last line the
// biases. Every number is followed by a space, as LIBLINEAR's "%.17g " writes it; the shortest round-trip decimal
// reads back as the same double.
std::string Run::liblinear_text() const {
  const bool multi = !classes_.empty();
  const size_t K = multi ? classes_.size() : 1, d = static_cast<size_t>(cols_);
  std::string t = "solver_type L2R_L1LOSS_SVC_DUAL\nnr_class " + std::to_string(multi ? K : 2) + "\nlabel ";
  if (multi)
    for (size_t k = 0; k < K; k++) t += (k ? " " : "") + num(classes_[k]);
  else
    t += num(pos_) + " " + num(neg_);
  t += "\nnr_feature " + std::to_string(width_) + "\nbias 1\nw\n";
  const auto put = [&t](double v) { t += (v == 0 ? std::string("0") : num(v)) + " "; };  // -0 as 0
  for (int32_t j = 0; j < width_; j++) {
    for (size_t k = 0; k < K; k++) put(multi ? weight(cw_.data() + k * d, j) : weight(j));
    t += "\n";
  }
  for (size_t k = 0; k < K; k++) put(multi ? cbias_[k] : bias_);
  return t + "\n";
}

// --json under one-vs-rest: the binary summary's figures, with per-class lists in place of the scalars.
std::string Run::ovr_json_summary() const {
  const size_t K = classes_.size();
  std::string b = "[", l = "[", e = "[", o = "[";
  for (size_t k = 0; k < K; k++) {
    const char* sep = k ? "," : "";
    b += sep + num(cbias_[k]), l += sep + num(classes_[k]);
    e += sep + std::to_string(cepochs_[k]), o += sep + num(cobj_[k]);
  }
  const int32_t epochs = K ? *std::max_element(cepochs_.begin(), cepochs_.end()) : 0;
  return ",\"scale\":\"" + scale_ + "\",\"epochs\":" + std::to_string(epochs) + ",\"readSeconds\":" + num(read_seconds_) +
         ",\"trainSeconds\":" + num(train_seconds_) + ",\"labels\":" + l + "],\"bias\":" + b + "],\"classEpochs\":" + e +
         "],\"objective\":" + o + "]";
}

}  // namespace anyml_mpi
