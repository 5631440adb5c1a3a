// SPDX-License-Identifier: MIT
// anyml-mpi reading: each rank loads only its shard (byte ranges of one file, or its own {rank} file) and the ranks
// agree on n, the feature count and the label values.
#include <algorithm>
#include <limits>

#include "run.h"

namespace anyml_mpi {

// Phases 1 and 2 of a one-file read. Plain file: rank p counts the lines starting in its byte range, an Allgather
// of the counts gives n and where each range's rows start, then rank p seeks to the range holding its first row.
// Gzip: no random access, so every rank inflates the stream from the start (the first range "owns" every row).
bool Run::read_range(const Args& a, const anyml::LineOptions& opt) {
  std::string err;
  int64_t size = -1;
  bool gz = false;
  {
    anyml::LineReader r;
    bool ok = r.open(a.train, &err);
    if (ok) size = r.size(), gz = r.gzip();
    if (!agree(ok, err)) return false;
  }
  int64_t begin = 0, end = std::numeric_limits<int64_t>::max(), counts[2] = {0, 0};
  if (!gz) begin = shard_lo(rank_, P_, size), end = shard_lo(rank_ + 1, P_, size);
  bool ok = anyml::count_lines(a.train, begin, end, &counts[0], &counts[1], &err);
  if (!agree(ok, err)) return false;
  std::vector<int64_t> all(2 * P_);
  MPI_Allgather(counts, 2, MPI_INT64_T, all.data(), 2, MPI_INT64_T, comm_);
  if (gz) for (int p = 1; p < P_; p++) all[2 * p] = all[2 * p + 1] = 0;
  for (int p = 0; p < P_; p++) n_ += all[2 * p];
  if (!agree(n_ >= P_, a.train + ": " + std::to_string(n_) + " data rows, fewer than the " + std::to_string(P_) +
                           " ranks (every rank needs at least one row)"))
    return false;
  // Rank p's rows are [lo, hi): start at the byte range holding row lo and skip the rows before it there.
  lo_ = shard_lo(rank_, P_, n_);
  const int64_t hi = shard_lo(rank_ + 1, P_, n_);
  int q = 0;
  int64_t before_rows = 0, before_lines = 0;
  while (before_rows + all[2 * q] <= lo_) before_rows += all[2 * q], before_lines += all[2 * q + 1], q++;
  const int64_t start = gz ? 0 : shard_lo(q, P_, size);
  ok = anyml::read_rows(a.train, start, before_lines + 1, lo_ - before_rows, hi - lo_, opt, &d_, &row_line_, &err);
  if (!agree(ok, err)) return false;
  rows_.resize(P_);
  for (int p = 0; p < P_; p++) rows_[p] = shard_lo(p + 1, P_, n_) - shard_lo(p, P_, n_);
  return true;
}

bool Run::read_train(const Args& a) {
  const double t0 = now();
  anyml::LineOptions opt;
  opt.keep_zeros = false;
  opt.max_index = a.features > 0 ? a.features : a.max_features;
  if (a.features <= 0) opt.limit_why = "the feature limit, --max-features: raise it for wider data";
  src_ = a.train;
  if (!read_shard(a, opt)) return false;
  // Features: the largest index over all ranks (or --features).
  int32_t cols = d_.cols;
  MPI_Allreduce(&d_.cols, &cols, 1, MPI_INT32_T, MPI_MAX, comm_);
  width_ = cols_ = a.features > 0 ? static_cast<int32_t>(a.features) : cols;
  if (!agree(cols_ > 0, src_ + ": no features in any row")) return false;
  compact_columns();
  if (!agree_labels()) return false;
  read_seconds_ = now() - t0;
  return true;
}

// Pre-sharded input: rank p reads the whole file with {rank} replaced by p; the shards are the files, in rank
// order. Otherwise every rank reads its byte range of the one file.
bool Run::read_shard(const Args& a, const anyml::LineOptions& opt) {
  const size_t slot = a.train.find("{rank}");
  if (slot == std::string::npos) return read_range(a, opt);
  std::string err;
  src_.replace(slot, 6, std::to_string(rank_));
  int64_t rows = 0, lines = 0;
  bool ok = anyml::count_lines(src_, 0, std::numeric_limits<int64_t>::max(), &rows, &lines, &err) &&
            anyml::read_rows(src_, 0, 1, 0, rows, opt, &d_, &row_line_, &err);
  if (!agree(ok, err)) return false;
  int64_t mine = d_.rows;
  rows_.assign(P_, 0);
  MPI_Allgather(&mine, 1, MPI_INT64_T, rows_.data(), 1, MPI_INT64_T, comm_);
  for (int p = 0; p < P_; p++) n_ += rows_[p], lo_ += p < rank_ ? rows_[p] : 0;
  return agree(d_.rows > 0, src_ + ": no data rows (every rank's shard needs at least one row)");
}

// Labels: the distinct values over all ranks (each rank's sorted set, Allgatherv, union), sorted ascending. Two
// give the binary fit (the larger is +1); K >= 3 give one-vs-rest (ovr.cc), every rank knowing all K classes.
// At least two are needed (as in trainSvm): one class would train a model that invents the other label.
bool Run::agree_labels() {
  std::vector<double> mine(d_.labels.begin(), d_.labels.end());
  std::sort(mine.begin(), mine.end());
  mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
  int count = static_cast<int>(mine.size());
  std::vector<int> counts(P_), displs(P_, 0);
  MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_);
  for (int p = 1; p < P_; p++) displs[p] = displs[p - 1] + counts[p - 1];
  std::vector<double> all(static_cast<size_t>(displs[P_ - 1] + counts[P_ - 1]));
  MPI_Allgatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, comm_);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (!agree(all.size() >= 2, src_ + ": only label " + num(all.empty() ? 0 : all[0]) + " (all " +
                                  std::to_string(n_) + " rows), expected rows of both classes (a binary SVM "
                                  "separates two labels)"))
    return false;
  if (all.size() > 2) {
    classes_ = std::move(all);
    return true;
  }
  return binary_labels(all);
}

// Two label values: the smaller is -1, the larger +1 (src/io/libsvm.ts orders them the same way).
bool Run::binary_labels(const std::vector<double>& classes) {
  neg_ = classes[0], pos_ = classes[1];
  y_.resize(d_.rows);
  for (int32_t i = 0; i < d_.rows; i++) y_[i] = d_.labels[i] == pos_ ? 1.0f : -1.0f;
  return true;
}

}  // namespace anyml_mpi
