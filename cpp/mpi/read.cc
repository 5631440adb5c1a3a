// SPDX-License-Identifier: MIT
// anyml-mpi reading: each rank loads only its shard (byte ranges of one file, or its own {rank} file) and the ranks
// agree on n, the feature count and the two label values.
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
  MPI_Allgather(counts, 2, MPI_INT64_T, all.data(), 2, MPI_INT64_T, MPI_COMM_WORLD);
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
  MPI_Allreduce(&d_.cols, &cols, 1, MPI_INT32_T, MPI_MAX, MPI_COMM_WORLD);
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
  MPI_Allgather(&mine, 1, MPI_INT64_T, rows_.data(), 1, MPI_INT64_T, MPI_COMM_WORLD);
  for (int p = 0; p < P_; p++) n_ += rows_[p], lo_ += p < rank_ ? rows_[p] : 0;
  return agree(d_.rows > 0, src_ + ": no data rows (every rank's shard needs at least one row)");
}

namespace {

std::string third_label(const std::string& src, int64_t line, double v, double a, double b) {
  return src + ":" + std::to_string(line) + ":1: a third label value, got '" + num(v) +
         "', expected one of the label values already seen (" + num(a) + ", " + num(b) +
         "): only binary labels are supported";
}

}  // namespace

// Labels: each rank's distinct values in file order (a third one is an error right away), then the union over
// ranks in rank order = file order of first appearance, so the offending line is the one the TS reader names.
// Both classes must be present (as in trainSvm): one class would train a model that invents the other label.
bool Run::agree_labels() {
  double mine[2] = {0, 0};
  int k = 0;
  std::string err;
  bool ok = true;
  for (int32_t i = 0; i < d_.rows && ok; i++) {
    const double v = d_.labels[i];
    if ((k > 0 && v == mine[0]) || (k > 1 && v == mine[1])) continue;
    if (k < 2) { mine[k++] = v; continue; }
    err = third_label(src_, row_line_[i], v, mine[0], mine[1]);
    ok = false;
  }
  if (!agree(ok, err)) return false;
  std::vector<double> lab(3 * P_);
  const double pack[3] = {static_cast<double>(k), mine[0], mine[1]};
  MPI_Allgather(pack, 3, MPI_DOUBLE, lab.data(), 3, MPI_DOUBLE, MPI_COMM_WORLD);
  std::vector<double> seen;
  int third_rank = -1;
  double third = 0;
  for (int p = 0; p < P_; p++)
    for (int j = 0; j < static_cast<int>(lab[3 * p]); j++) {
      const double v = lab[3 * p + 1 + j];
      if (std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
      if (seen.size() < 2) seen.push_back(v);
      else if (third_rank < 0) third_rank = p, third = v;
    }
  ok = third_rank != rank_;
  for (int32_t i = 0; i < d_.rows && !ok && err.empty(); i++)  // the first row with it
    if (d_.labels[i] == third) err = third_label(src_, row_line_[i], third, seen[0], seen[1]);
  if (!agree(ok, err)) return false;
  if (!agree(seen.size() == 2, src_ + ": only label " + num(seen.empty() ? 0 : seen[0]) + " (all " +
                                  std::to_string(n_) + " rows), expected rows of both classes (a binary SVM "
                                  "separates two labels)"))
    return false;
  std::sort(seen.begin(), seen.end());
  neg_ = seen[0], pos_ = seen[1];
  y_.resize(d_.rows);
  for (int32_t i = 0; i < d_.rows; i++) y_[i] = d_.labels[i] == pos_ ? 1.0f : -1.0f;
  return true;
}

}  // namespace anyml_mpi
