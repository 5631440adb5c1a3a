// SPDX-License-Identifier: MIT
// anyml-mpi: data-parallel SGD-SVM training under MPI, following docs/svm-solver.md "Data-parallel training" so
// that P ranks give the same model as trainSvm(data, { workers: P, syncEvery: b }) in Node. The only file that
// includes mpi.h; the solver is the cpp/svm C ABI shared with the wasm builds.
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../io/libsvm_source.h"
#include "anyml/anyml.h"

#ifndef ANYML_VERSION
#define ANYML_VERSION "0.0.0"
#endif

namespace {

const char* const kUsage =
    "usage: mpirun -np P anyml-mpi train <file.libsvm[.gz]> [options]\n"
    "       anyml-mpi --version | --help\n"
    "\n"
    "Trains a linear SVM (Pegasos SGD, averaged, exact bias refit) on P ranks; the model equals\n"
    "trainSvm(data, { workers: P, syncEvery: b }) of the anyml library for the same options.\n"
    "Rank p trains on rows [floor(p*n/P), floor((p+1)*n/P)) and reads only its part of a plain file;\n"
    "a .gz file has no random access, so every rank inflates it from the start up to the end of its rows.\n"
    "Pre-sharded data: a path with {rank} (e.g. part-{rank}.libsvm) makes rank p read its own whole file.\n"
    "\n"
    "options:\n"
    "  --test FILE          evaluate the model on FILE (rank 0) and report testAccuracy\n"
    "  --lambda X           regularisation, a number > 0 (default 1e-4); 'auto' (the lambda search)\n"
    "                       is not available under MPI yet: choose it with the library, then pass it here\n"
    "  --epochs N           at most N epochs (default 10)\n"
    "  --tol X              stop when the objective changes by <= X relative (default 1e-3; 0 = never)\n"
    "  --sync-every B|epoch local samples between model averages (default 1000)\n"
    "  --seed S             seed of every rank's sample order (default 1)\n"
    "  --batch-size K       mini-batch size (default 1)\n"
    "  --features N         feature count (default: the largest index in the file)\n"
    "  --model OUT.json     write the model (anyml-svm JSON, loadable by SvmModel.fromJSON)\n"
    "  --json               print one JSON line with the run summary and the per-epoch breakdown\n";

struct Args {
  std::string train, test, model;
  double lambda = 1e-4, tol = 1e-3;
  int epochs = 10;
  int64_t sync_every = 1000;  // 0 = 'epoch'
  uint32_t seed = 1;
  int32_t batch = 1;
  int64_t features = 0;
  bool json = false;
};

struct EpochRec {
  int epoch;
  double objective, update, check, allreduce;
};

double now() { return MPI_Wtime(); }

// Shortest decimal that reads back as the same double (JSON.parse gives the exact value, as JSON.stringify would).
std::string num(double x) {
  if (!std::isfinite(x)) return "null";
  char b[64];
  auto r = std::to_chars(b, b + sizeof b, x);
  return std::string(b, r.ptr);
}

bool parse_num(const char* s, double* out) {
  char* e;
  *out = strtod(s, &e);
  return e != s && *e == 0 && std::isfinite(*out);
}

// Parses the command line; returns "" or the error text. Every rank parses the same argv, so all agree.
std::string parse_args(int argc, char** argv, Args* a) {
  if (argc < 3) return "missing the training file";
  a->train = argv[2];
  for (int i = 3; i < argc; i++) {
    const std::string k = argv[i];
    if (k == "--json") { a->json = true; continue; }
    if (i + 1 >= argc) return "missing value after " + k;
    const char* v = argv[++i];
    double x;
    auto integer = [&](double lo, double hi) { return parse_num(v, &x) && x == std::floor(x) && x >= lo && x <= hi; };
    if (k == "--test") a->test = v;
    else if (k == "--model") a->model = v;
    else if (k == "--lambda") {
      if (std::string(v) == "auto")
        return "--lambda auto: the lambda search is not available under MPI yet; choose lambda with the library "
               "(trainSvm lambda: 'auto') and pass the number, e.g. --lambda 1e-5";
      if (!parse_num(v, &x) || !(x > 0)) return std::string("--lambda: got '") + v + "', expected a number > 0";
      a->lambda = x;
    } else if (k == "--tol") {
      if (!parse_num(v, &x) || x < 0) return std::string("--tol: got '") + v + "', expected a number >= 0";
      a->tol = x;
    } else if (k == "--epochs") {
      if (!integer(1, 1e6)) return std::string("--epochs: got '") + v + "', expected an integer in [1, 1e6]";
      a->epochs = static_cast<int>(x);
    } else if (k == "--sync-every") {
      if (std::string(v) == "epoch") a->sync_every = 0;
      else if (!integer(1, 2147483647.0)) return std::string("--sync-every: got '") + v + "', expected an integer >= 1 or 'epoch'";
      else a->sync_every = static_cast<int64_t>(x);
    } else if (k == "--seed") {
      if (!integer(0, 4294967295.0)) return std::string("--seed: got '") + v + "', expected an integer in [0, 2^32)";
      a->seed = static_cast<uint32_t>(x);
    } else if (k == "--batch-size") {
      if (!integer(1, 1 << 24)) return std::string("--batch-size: got '") + v + "', expected an integer in [1, 2^24]";
      a->batch = static_cast<int32_t>(x);
    } else if (k == "--features") {
      if (!integer(1, 2147483647.0)) return std::string("--features: got '") + v + "', expected an integer >= 1";
      a->features = static_cast<int64_t>(x);
    } else {
      return "unknown option " + k;
    }
  }
  return "";
}

class Run {
 public:
  Run(int rank, int size) : rank_(rank), P_(size) {}

  // Collective: true when every rank is fine. Otherwise the lowest failing rank's message goes to rank 0, which
  // prints it once; every rank then returns an error code (no MPI_Abort, no hang: all ranks call this).
  bool agree(bool ok, const std::string& msg) {
    std::vector<int> oks(P_);
    int mine = ok ? 1 : 0;
    MPI_Allgather(&mine, 1, MPI_INT, oks.data(), 1, MPI_INT, MPI_COMM_WORLD);
    int bad = -1;
    for (int p = 0; p < P_; p++)
      if (!oks[p]) { bad = p; break; }
    if (bad < 0) return true;
    std::string text = msg;
    int len = static_cast<int>(text.size());
    MPI_Bcast(&len, 1, MPI_INT, bad, MPI_COMM_WORLD);
    text.resize(len);
    MPI_Bcast(&text[0], len, MPI_CHAR, bad, MPI_COMM_WORLD);
    if (rank_ == 0) {
      int others = 0;
      for (int p = 0; p < P_; p++) others += !oks[p] && p != bad;
      fprintf(stderr, "anyml-mpi: error on rank %d of %d: %s%s\n", bad, P_, text.c_str(),
              others ? (" (and " + std::to_string(others) + " more rank(s) failed)").c_str() : "");
    }
    return false;
  }

  int main(const Args& a);

 private:
  bool read_train(const Args& a);
  bool read_range(const Args& a, const anyml::LineOptions& opt);
  bool train(const Args& a);
  bool finish(const Args& a);

  int rank_, P_;
  anyml::LibsvmData d_;
  std::vector<int64_t> row_line_;
  std::vector<float> y_;
  int64_t n_ = 0, lo_ = 0;
  std::vector<int64_t> rows_;  // data rows of every rank, in rank order
  std::string src_;            // this rank's training file (the {rank} pattern filled in)
  int32_t cols_ = 0;
  double neg_ = -1, pos_ = 1, bias_ = 0, test_acc_ = -1;
  int64_t test_rows_ = 0;
  std::vector<float> w_;
  double train_seconds_ = 0, read_seconds_ = 0, allreduce_total_ = 0;
  int64_t b_ = 0;
  std::vector<EpochRec> hist_;
};

int64_t shard_lo(int p, int P, int64_t n) { return static_cast<int64_t>((static_cast<__int128>(p) * n) / P); }

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
  std::string err;
  anyml::LineOptions opt;
  opt.keep_zeros = false;
  opt.max_index = a.features;
  const size_t slot = a.train.find("{rank}");
  src_ = a.train;
  if (slot != std::string::npos) {
    // Pre-sharded: rank p reads the whole file with {rank} replaced by p; the shards are the files, in rank order.
    src_.replace(slot, 6, std::to_string(rank_));
    int64_t rows = 0, lines = 0;
    bool ok = anyml::count_lines(src_, 0, std::numeric_limits<int64_t>::max(), &rows, &lines, &err) &&
              anyml::read_rows(src_, 0, 1, 0, rows, opt, &d_, &row_line_, &err);
    if (!agree(ok, err)) return false;
    int64_t mine = d_.rows;
    rows_.assign(P_, 0);
    MPI_Allgather(&mine, 1, MPI_INT64_T, rows_.data(), 1, MPI_INT64_T, MPI_COMM_WORLD);
    for (int p = 0; p < P_; p++) n_ += rows_[p], lo_ += p < rank_ ? rows_[p] : 0;
    if (!agree(d_.rows > 0, src_ + ": no data rows (every rank's shard needs at least one row)")) return false;
  } else if (!read_range(a, opt)) {
    return false;
  }
  // Features: the largest index over all ranks (or --features).
  int32_t cols = d_.cols;
  MPI_Allreduce(&d_.cols, &cols, 1, MPI_INT32_T, MPI_MAX, MPI_COMM_WORLD);
  cols_ = a.features > 0 ? static_cast<int32_t>(a.features) : cols;
  if (!agree(cols_ > 0, src_ + ": no features in any row")) return false;

  // Labels: each rank's distinct values in file order (a third one is an error right away), then the union over
  // ranks in rank order = file order of first appearance, so the offending line is the one the TS reader names.
  double mine[2] = {0, 0};
  int k = 0;
  bool ok = true;
  for (int32_t i = 0; i < d_.rows && ok; i++) {
    const double v = d_.labels[i];
    if (k > 0 && v == mine[0]) continue;
    if (k > 1 && v == mine[1]) continue;
    if (k < 2) { mine[k++] = v; continue; }
    err = src_ + ":" + std::to_string(row_line_[i]) + ":1: a third label value, got '" + num(v) +
          "', expected one of the label values already seen (" + num(mine[0]) + ", " + num(mine[1]) +
          "): only binary labels are supported";
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
  ok = true;
  if (third_rank == rank_) {
    for (int32_t i = 0; i < d_.rows; i++)
      if (d_.labels[i] == third) {
        err = src_ + ":" + std::to_string(row_line_[i]) + ":1: a third label value, got '" + num(third) +
              "', expected one of the label values already seen (" + num(seen[0]) + ", " + num(seen[1]) +
              "): only binary labels are supported";
        break;
      }
    ok = false;
  }
  if (!agree(ok, err)) return false;
  // The TS labelPair: two values → [lower, higher]; one value v → [v, 1] if v is −1 or 0, else [−1, v].
  std::sort(seen.begin(), seen.end());
  if (seen.size() == 2) neg_ = seen[0], pos_ = seen[1];
  else if (seen.size() == 1) {
    const double v = seen[0];
    if (v == -1 || v == 0) neg_ = v, pos_ = 1;
    else neg_ = -1, pos_ = v;
  }
  y_.resize(d_.rows);
  for (int32_t i = 0; i < d_.rows; i++) y_[i] = d_.labels[i] == pos_ ? 1.0f : -1.0f;
  read_seconds_ = now() - t0;
  return true;
}

bool Run::train(const Args& a) {
  const double t0 = now();
  const int32_t np = d_.rows;
  int64_t max_rows = 0;
  for (int p = 0; p < P_; p++) max_rows = std::max(max_rows, rows_[p]);
  b_ = a.sync_every > 0 ? a.sync_every : max_rows;
  const int64_t rounds = (max_rows + b_ - 1) / b_;
  // Same options and seed on every rank; averaging starts after one *local* epoch, as the Node workers do.
  const sgd_svm_options o = {a.lambda, static_cast<double>(a.batch), SGD_SVM_PEGASOS, 1, 1,
                             a.epochs > 1 ? static_cast<double>(np) : 0.0, 1, static_cast<double>(a.seed)};
  sgd_svm* h = nullptr;
  std::string err;
  bool ok = sgd_svm_create_csr(np, cols_, d_.indptr.data(), d_.indices.data(), d_.values.data(), y_.data(), &o, &h) == ANYML_OK;
  if (!ok) err = anyml_last_error();
  if (!agree(ok, err)) return false;
  float* v = nullptr;
  double* avg = nullptr;
  int32_t* perm = nullptr;
  sgd_svm_state_buffers(h, &v, &avg, &perm);
  const size_t d = static_cast<size_t>(cols_);
  // One contribution = [bias, avgBias, A_0..A_{d-1}] as f64, then w_0..w_{d-1} as f32: gathered as raw bytes so
  // every rank sums exactly the same values in rank order (an MPI_SUM reduction's order is unspecified).
  const size_t nd = 2 + d, bytes = nd * sizeof(double) + d * sizeof(float);
  std::vector<char> mine(bytes), all(bytes * P_);
  std::vector<double> sw(d), sa(d);
  double sc[SGD_SVM_STATE_SCALARS];
  w_.assign(d, 0.0f);
  double prev = std::numeric_limits<double>::infinity();
  for (int e = 1; e <= a.epochs; e++) {
    double upd = 0, red = 0;
    sgd_svm_begin_epoch(h);
    for (int64_t r = 0; r < rounds; r++) {
      const double r0 = now();
      int32_t done = 0;
      sgd_svm_run(h, static_cast<int32_t>(std::min<int64_t>(b_, 2147483647)), &done);
      const double r1 = now();
      upd += r1 - r0;
      if (P_ == 1) continue;  // nothing to average: P = 1 is the in-thread engine bit for bit
      sgd_svm_get_state(h, sc);
      double* cd = reinterpret_cast<double*>(mine.data());
      float* cw = reinterpret_cast<float*>(mine.data() + nd * sizeof(double));
      cd[0] = sc[SGD_SVM_S_BIAS];
      cd[1] = sc[SGD_SVM_S_AVG_BIAS];
      const double scale = sc[SGD_SVM_S_SCALE], wfrac = sc[SGD_SVM_S_AVG_WFRAC], div = sc[SGD_SVM_S_AVG_DIV];
      for (size_t j = 0; j < d; j++) {
        cw[j] = static_cast<float>(scale * v[j]);
        cd[2 + j] = (avg[j] + wfrac * v[j]) / div;
      }
      MPI_Allgather(mine.data(), static_cast<int>(bytes), MPI_BYTE, all.data(), static_cast<int>(bytes), MPI_BYTE, MPI_COMM_WORLD);
      std::fill(sw.begin(), sw.end(), 0.0);
      std::fill(sa.begin(), sa.end(), 0.0);
      double sb = 0, sab = 0;
      for (int p = 0; p < P_; p++) {
        const double* pd = reinterpret_cast<const double*>(all.data() + p * bytes);
        const float* pw = reinterpret_cast<const float*>(all.data() + p * bytes + nd * sizeof(double));
        for (size_t j = 0; j < d; j++) sw[j] += pw[j];
        for (size_t j = 0; j < d; j++) sa[j] += pd[2 + j];
        sb += pd[0];
        sab += pd[1];
      }
      for (size_t j = 0; j < d; j++) v[j] = static_cast<float>(sw[j] / P_);
      for (size_t j = 0; j < d; j++) avg[j] = sa[j] / P_;
      sc[SGD_SVM_S_SCALE] = 1;
      sc[SGD_SVM_S_BIAS] = sb / P_;
      sc[SGD_SVM_S_AVG_WFRAC] = 0;
      sc[SGD_SVM_S_AVG_DIV] = 1;
      sc[SGD_SVM_S_AVG_BIAS] = sab / P_;
      sgd_svm_set_state(h, sc);
      red += now() - r1;
    }
    // Combined convergence check: reg + Σ_p ((obj_p − reg)·n_p)/n in rank order (fit.ts combineObjectives).
    const double c0 = now();
    double obj = 0, bias = 0;
    sgd_svm_objective(h, &obj);
    sgd_svm_weights(h, w_.data(), &bias);
    double reg = 0;
    for (size_t j = 0; j < d; j++) reg += static_cast<double>(w_[j]) * static_cast<double>(w_[j]);
    reg = (a.lambda / 2) * reg;
    double objective = obj;
    if (P_ > 1) {
      std::vector<double> objs(P_);
      MPI_Allgather(&obj, 1, MPI_DOUBLE, objs.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD);
      double s = 0;
      for (int p = 0; p < P_; p++) {
        const double rows = static_cast<double>(rows_[p]);
        s += ((objs[p] - reg) * rows) / static_cast<double>(n_);
      }
      objective = reg + s;
    }
    double times[3] = {upd, now() - c0, red}, tmax[3];
    MPI_Allreduce(times, tmax, 3, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    hist_.push_back({e, objective, tmax[0], tmax[1], tmax[2]});
    if (a.tol > 0 && std::fabs(prev - objective) <= a.tol * std::max(std::fabs(objective), 1e-12)) break;
    prev = objective;
  }
  double bias = 0;
  sgd_svm_weights(h, w_.data(), &bias);
  sgd_svm_destroy(h);

  // Exact bias refit over all rows (src/svm/bias.ts optimalBias): margins s_i = Σ f64(w_j)·f64(x_ij) in stored
  // order (decisionValues with bias 0), gathered on rank 0, then the midpoint of the P-th and (P+1)-th kinks.
  std::vector<double> kinks(np);
  int32_t positives = 0;
  for (int32_t i = 0; i < np; i++) {
    double s = 0;
    for (int32_t k = d_.indptr[i]; k < d_.indptr[i + 1]; k++) s += static_cast<double>(w_[d_.indices[k]]) * d_.values[k];
    s = s + 0.0;
    if (y_[i] > 0) kinks[i] = 1 - s, positives++;
    else kinks[i] = -1 - s;
  }
  std::vector<int> counts(P_), displs(P_);
  MPI_Gather(&np, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  int32_t total_pos = 0;
  MPI_Reduce(&positives, &total_pos, 1, MPI_INT32_T, MPI_SUM, 0, MPI_COMM_WORLD);
  std::vector<double> allk(rank_ == 0 ? static_cast<size_t>(n_) : 0);
  for (int p = 1; p < P_; p++) displs[p] = displs[p - 1] + counts[p - 1];
  MPI_Gatherv(kinks.data(), np, MPI_DOUBLE, allk.data(), counts.data(), displs.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank_ == 0) {
    const size_t n = allk.size(), pc = static_cast<size_t>(total_pos);
    if (pc == 0) bias_ = *std::min_element(allk.begin(), allk.end());
    else if (pc == n) bias_ = *std::max_element(allk.begin(), allk.end());
    else {
      std::nth_element(allk.begin(), allk.begin() + (pc - 1), allk.end());
      const double lower = allk[pc - 1];
      bias_ = (lower + *std::min_element(allk.begin() + pc, allk.end())) / 2;
    }
  }
  train_seconds_ = now() - t0;
  return true;
}

bool Run::finish(const Args& a) {
  std::string err;
  bool ok = true;
  if (rank_ == 0 && !a.test.empty()) {
    // The test file is read whole on rank 0 with the training labels forced (another value is an error) and
    // columns beyond the model ignored, like readDataset(test, { labels }) + SvmModel.evaluate.
    anyml::LibsvmData t;
    std::vector<int64_t> lines;
    anyml::LineOptions opt;
    opt.keep_zeros = false;
    int64_t rows = 0, all_lines = 0;
    ok = anyml::count_lines(a.test, 0, std::numeric_limits<int64_t>::max(), &rows, &all_lines, &err) &&
         anyml::read_rows(a.test, 0, 1, 0, rows, opt, &t, &lines, &err);
    int64_t right = 0;
    for (int32_t i = 0; ok && i < t.rows; i++) {
      const double l = t.labels[i];
      if (l != neg_ && l != pos_) {
        err = a.test + ":" + std::to_string(lines[i]) + ":1: label not in the training labels, got '" + num(l) +
              "', expected one of " + num(neg_) + " or " + num(pos_);
        ok = false;
        break;
      }
      double s = 0;
      for (int32_t k = t.indptr[i]; k < t.indptr[i + 1]; k++)
        if (t.indices[k] < cols_) s += static_cast<double>(w_[t.indices[k]]) * t.values[k];
      const double pred = s + bias_ > 0 ? pos_ : neg_;
      right += pred == l;
    }
    test_rows_ = t.rows;
    test_acc_ = t.rows ? static_cast<double>(right) / t.rows : 0;
  }
  if (!agree(ok, err)) return false;
  if (rank_ == 0 && !a.model.empty()) {
    std::string j = "{\"format\":\"anyml-svm\",\"version\":1,\"features\":" + std::to_string(cols_) + ",\"weights\":[";
    for (size_t i = 0; i < w_.size(); i++) j += (i ? "," : "") + num(static_cast<double>(w_[i]));
    j += "],\"bias\":" + num(bias_) + ",\"labels\":[" + num(neg_) + "," + num(pos_) + "],\"lambda\":" + num(a.lambda);
    j += ",\"trainedWith\":{\"backend\":\"mpi\",\"batchSize\":" + std::to_string(a.batch) +
         ",\"schedule\":\"pegasos\",\"shuffle\":true,\"averaged\":true,\"biasScale\":1,\"seed\":" + std::to_string(a.seed) +
         ",\"refitBias\":true,\"epochs\":" + std::to_string(hist_.size()) + ",\"maxEpochs\":" + std::to_string(a.epochs) +
         ",\"tol\":" + num(a.tol) + ",\"workers\":" + std::to_string(P_) + ",\"syncEvery\":" +
         (a.sync_every > 0 ? std::to_string(a.sync_every) : std::string("\"epoch\"")) + ",\"transport\":\"mpi\"}}\n";
    // Atomic: a reader never sees half a model, and a failed write leaves any previous model in place.
    const std::string tmp = a.model + ".tmp." + std::to_string(getpid());
    FILE* f = fopen(tmp.c_str(), "wb");
    ok = f && fwrite(j.data(), 1, j.size(), f) == j.size();
    ok = (f && fclose(f) == 0) && ok;
    if (ok && rename(tmp.c_str(), a.model.c_str()) != 0) ok = false;
    if (!ok) {
      err = a.model + ": cannot write the model (" + strerror(errno) + ")";
      remove(tmp.c_str());
    }
  }
  if (!agree(ok, err)) return false;
  if (rank_ == 0 && a.json) {
    std::string j = "{\"rows\":" + std::to_string(n_) + ",\"features\":" + std::to_string(cols_) + ",\"ranks\":" +
                    std::to_string(P_) + ",\"syncEvery\":" + std::to_string(b_) + ",\"lambda\":" + num(a.lambda) +
                    ",\"epochs\":" + std::to_string(hist_.size()) + ",\"readSeconds\":" + num(read_seconds_) +
                    ",\"trainSeconds\":" + num(train_seconds_) + ",\"bias\":" + num(bias_);
    if (!a.test.empty()) j += ",\"testRows\":" + std::to_string(test_rows_) + ",\"testAccuracy\":" + num(test_acc_);
    if (!hist_.empty()) j += ",\"objective\":" + num(hist_.back().objective);
    j += ",\"history\":[";
    for (size_t i = 0; i < hist_.size(); i++) {
      const EpochRec& h = hist_[i];
      j += std::string(i ? "," : "") + "{\"epoch\":" + std::to_string(h.epoch) + ",\"objective\":" + num(h.objective) +
           ",\"updateSeconds\":" + num(h.update) + ",\"checkSeconds\":" + num(h.check) +
           ",\"allreduceSeconds\":" + num(h.allreduce) + "}";
    }
    j += "]}";
    printf("%s\n", j.c_str());
    fflush(stdout);
  }
  return true;
}

int Run::main(const Args& a) {
  if (!read_train(a)) return 1;
  if (!train(a)) return 1;
  if (!finish(a)) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int rc = 0;
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "--version") {
    if (rank == 0) printf("anyml-mpi %s\n", ANYML_VERSION);
  } else if (cmd == "--help" || cmd == "-h") {
    if (rank == 0) fputs(kUsage, stdout);
  } else if (cmd != "train") {
    if (rank == 0) fprintf(stderr, "anyml-mpi: %s\n%s", cmd.empty() ? "missing command" : ("unknown command " + cmd).c_str(), kUsage);
    rc = 2;
  } else {
    Args a;
    const std::string err = parse_args(argc, argv, &a);
    if (!err.empty()) {
      if (rank == 0) fprintf(stderr, "anyml-mpi: %s\n(see anyml-mpi --help)\n", err.c_str());
      rc = 2;
    } else {
      Run run(rank, size);
      rc = run.main(a);
    }
  }
  // Every rank gets here on every path (errors are agreed collectively), so MPI ends cleanly.
  MPI_Finalize();
  return rc;
}
