// SPDX-License-Identifier: MIT
// anyml-mpi internals shared by its translation units: the run state (one rank's shard, model, timings).
#ifndef ANYML_MPI_RUN_H_
#define ANYML_MPI_RUN_H_
#include <mpi.h>

#include <cmath>
#include <charconv>
#include <string>
#include <vector>

#include "../io/libsvm_reader.h"
#include "../io/libsvm_source.h"
#include "anyml/anyml.h"
#include "args.h"

namespace anyml_mpi {

inline double now() { return MPI_Wtime(); }

// Shortest decimal that reads back as the same double (JSON.parse gives the exact value, as JSON.stringify would).
inline std::string num(double x) {
  if (!std::isfinite(x)) return "null";
  char b[64];
  auto r = std::to_chars(b, b + sizeof b, x);
  return std::string(b, r.ptr);
}

// First row of rank p's contiguous shard: floor(p·n/P), the workers' rule (docs/svm-solver.md).
inline int64_t shard_lo(int p, int P, int64_t n) { return static_cast<int64_t>((static_cast<__int128>(p) * n) / P); }

struct EpochRec {
  int epoch;
  double objective, update, check, allreduce;
};

// The buffers of one rank's model averaging: the solver's own state arrays and the gather buffers.
struct Averaging {
  float* v = nullptr;
  double* avg = nullptr;
  int32_t* perm = nullptr;
  std::vector<char> mine, all;
  std::vector<double> sw, sa;
};

// The λ search (search.cc, src/svm/train.ts chooseLambda): one fold's rows as indices into all rows, one (fold,
// λ) fit-and-validate task, a λ's running tally and its final score (one_fold: dropped by the race after fold 0).
struct Fold {
  std::vector<int32_t> train, val;
};
struct Task {
  size_t fold, grid;
  double lambda;
};
struct Tally {
  double correct = 0, hinge = 0, rows = 0;
};
struct LambdaScore {
  double lambda, accuracy, hinge;
  bool one_fold;
};

// src/svm/train.ts defaultFolds and defaultSearchEpochs (search.cc).
int search_folds(int64_t n);
int search_epochs(int64_t n, int epochs);

// One training run on the ranks of `comm`: MPI_COMM_WORLD for the data-parallel binary fit, MPI_COMM_SELF for one
// one-vs-rest class (ovr.cc), whose fit is then literally the P = 1 binary fit. A quiet run keeps its failure in
// error() for the caller to agree on over the world instead of printing it.
class Run {
 public:
  explicit Run(MPI_Comm comm, bool quiet = false) : comm_(comm), quiet_(quiet) {
    MPI_Comm_rank(comm, &rank_);
    MPI_Comm_size(comm, &P_);
  }

  // Collective: true when every rank is fine. Otherwise the lowest failing rank's message goes to rank 0, which
  // prints it once; every rank then returns an error code (no MPI_Abort, no hang: all ranks call this).
  bool agree(bool ok, const std::string& msg) {
    std::vector<int> oks(P_);
    int mine = ok ? 1 : 0;
    MPI_Allgather(&mine, 1, MPI_INT, oks.data(), 1, MPI_INT, comm_);
    int bad = -1;
    for (int p = 0; p < P_; p++)
      if (!oks[p]) { bad = p; break; }
    if (bad < 0) return true;
    std::string text = msg;
    int len = static_cast<int>(text.size());
    MPI_Bcast(&len, 1, MPI_INT, bad, comm_);
    text.resize(len);
    MPI_Bcast(&text[0], len, MPI_CHAR, bad, comm_);
    error_ = text;
    if (rank_ == 0 && !quiet_) {
      int others = 0;
      for (int p = 0; p < P_; p++) others += !oks[p] && p != bad;
      fprintf(stderr, "anyml-mpi: error on rank %d of %d: %s%s\n", bad, P_, text.c_str(),
              others ? (" (and " + std::to_string(others) + " more rank(s) failed)").c_str() : "");
    }
    return false;
  }

  int main(const Args& a);
  const std::string& error() const { return error_; }

 private:
  bool read_train(const Args& a);
  bool read_shard(const Args& a, const anyml::LineOptions& opt);
  bool read_range(const Args& a, const anyml::LineOptions& opt);
  bool agree_labels();
  bool binary_labels(const std::vector<double>& classes);
  // One-vs-rest for K >= 3 label values (ovr.cc).
  bool gather_rows(Run* all) const;
  bool train_ovr(Args& a);
  bool fit_class(Run& all, const Args& a, size_t k);
  void gather_classes();
  bool evaluate_ovr(const anyml::LibsvmData& t, const std::vector<int64_t>& lines, const std::string& name, std::string* err);
  std::string ovr_model_json(const Args& a) const;
  std::string ovr_json_summary() const;
  std::string liblinear_text() const;
  // --lambda auto (search.cc).
  bool search_binary(Args* a);
  bool choose_lambda(const Run& all, const std::vector<double>& classes, Args* a);
  static bool search_folds_of(int32_t n, uint32_t seed, std::vector<Fold>* folds);
  void take_rows(const Run& all, const std::vector<int32_t>& rows);
  bool fit_task(const Args& a, const std::vector<double>& classes, std::vector<float>* w, std::vector<double>* b);
  void score_task(const std::vector<int32_t>& val, const std::vector<float>& w, const std::vector<double>& b,
                  const std::vector<double>& classes, double* accuracy, double* hinge) const;
  bool run_tasks(const Run& all, const Args& a, const std::vector<Fold>& folds, const std::vector<Task>& tasks,
                 const std::vector<double>& classes, std::vector<double>* out);
  double pick_lambda(const std::vector<size_t>& alive, const std::vector<Tally>& t);
  std::string search_json() const;
  bool train(const Args& a);
  bool epochs(sgd_svm* h, const Args& a, int64_t rounds);
  void average(sgd_svm* h, Averaging& m);
  double objective(sgd_svm* h, const Args& a);
  void refit_bias();
  bool finish(const Args& a);
  bool evaluate_test(const Args& a, std::string* err);
  bool write_model(const Args& a, std::string* err);
  std::string model_json(const Args& a) const;
  std::string trained_with(const Args& a, const std::string& epochs) const;
  void print_json(const Args& a) const;
  bool compact_columns();
  bool scale_features(const Args& a);
  // Trained column c's weight on raw features: w_[c] / s_[c] when the features were scaled.
  double raw_weight(size_t c) const { return raw(w_.data(), c); }
  double raw(const float* w, size_t c) const { return s_.empty() ? static_cast<double>(w[c]) : static_cast<double>(w[c]) / s_[c]; }
  double weight(int32_t j) const { return weight(w_.data(), j); }
  double weight(const float* w, int32_t j) const;
  std::string weights_json(const float* w) const;

  MPI_Comm comm_;
  bool quiet_;
  std::string error_;  // the message of the last failed agree()
  int rank_ = 0, P_ = 1;
  anyml::LibsvmData d_;
  std::vector<int64_t> row_line_;
  std::vector<float> y_;
  int64_t n_ = 0, lo_ = 0;
  std::vector<int64_t> rows_;  // data rows of every rank, in rank order
  std::string src_;            // this rank's training file (the {rank} pattern filled in)
  int32_t width_ = 0;            // the model's feature count (the largest index, or --features)
  int32_t cols_ = 0;             // the columns trained: width_, or the used ones when compacted
  std::vector<int32_t> columns_;  // when compacted: the used columns in order (column c trains feature columns_[c])
  double neg_ = -1, pos_ = 1, bias_ = 0, test_acc_ = -1;
  int64_t test_rows_ = 0;
  std::vector<float> w_;
  std::vector<double> s_;       // per trained column: the max-abs divisor (empty: not scaled)
  std::string scale_ = "none";  // what scale_features chose
  double train_seconds_ = 0, read_seconds_ = 0, allreduce_total_ = 0;
  int64_t b_ = 0;
  std::vector<EpochRec> hist_;
  // --lambda auto: the search's epochs per fit (trainedWith.lambdaSearchEpochs, written for a fixed λ too, as
  // trainSvm does), its scores in grid order (empty: a fixed λ) and its time.
  int search_epochs_ = 0;
  std::vector<LambdaScore> search_;
  double search_seconds_ = 0;
  // One-vs-rest (K >= 3): the sorted label values and, on rank 0 after gather_classes, per class k its trained
  // weights (cols_ each, row-major), refit bias, epochs run and last objective.
  std::vector<double> classes_;
  std::vector<float> cw_;
  std::vector<double> cbias_, cobj_;
  std::vector<int32_t> cepochs_;
};

}  // namespace anyml_mpi
#endif  // ANYML_MPI_RUN_H_
