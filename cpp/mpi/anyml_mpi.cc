// SPDX-License-Identifier: MIT
// anyml-mpi: data-parallel SGD-SVM training under MPI, following docs/svm-solver.md "Data-parallel training" so
// that P ranks give the same model as trainSvm(data, { workers: P, syncEvery: b }) in Node. Training, the model
// output and main(); reading is in read.cc, options in args.cc, multiclass one-vs-rest in ovr.cc, the λ search of
// --lambda auto in search.cc. cpp/mpi/ is the only code that includes mpi.h.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "anyml/anyml.h"
#include "run.h"

#ifndef ANYML_VERSION
#define ANYML_VERSION "0.0.0"
#endif

namespace anyml_mpi {

// The model averaging of one round (docs/svm-solver.md "Data-parallel training"): every rank's contribution
// [bias, avgBias, A_0..A_{d-1}] as f64, then w_0..w_{d-1} as f32, gathered as raw bytes so that every rank sums
// exactly the same values in rank order (an MPI_SUM reduction's order is unspecified), then installed as scale 1.
void Run::average(sgd_svm* h, Averaging& m) {
  const size_t d = static_cast<size_t>(cols_), nd = 2 + d;
  double sc[SGD_SVM_STATE_SCALARS];
  sgd_svm_get_state(h, sc);
  double* cd = reinterpret_cast<double*>(m.mine.data());
  float* cw = reinterpret_cast<float*>(m.mine.data() + nd * sizeof(double));
  cd[0] = sc[SGD_SVM_S_BIAS];
  cd[1] = sc[SGD_SVM_S_AVG_BIAS];
  const double scale = sc[SGD_SVM_S_SCALE], wfrac = sc[SGD_SVM_S_AVG_WFRAC], div = sc[SGD_SVM_S_AVG_DIV];
  for (size_t j = 0; j < d; j++) {
    cw[j] = static_cast<float>(scale * m.v[j]);
    cd[2 + j] = (m.avg[j] + wfrac * m.v[j]) / div;
  }
  const int bytes = static_cast<int>(m.mine.size());
  MPI_Allgather(m.mine.data(), bytes, MPI_BYTE, m.all.data(), bytes, MPI_BYTE, comm_);
  std::fill(m.sw.begin(), m.sw.end(), 0.0);
  std::fill(m.sa.begin(), m.sa.end(), 0.0);
  double sb = 0, sab = 0;
  for (int p = 0; p < P_; p++) {
    const double* pd = reinterpret_cast<const double*>(m.all.data() + static_cast<size_t>(p) * bytes);
    const float* pw = reinterpret_cast<const float*>(m.all.data() + static_cast<size_t>(p) * bytes + nd * sizeof(double));
    for (size_t j = 0; j < d; j++) m.sw[j] += pw[j];
    for (size_t j = 0; j < d; j++) m.sa[j] += pd[2 + j];
    sb += pd[0];
    sab += pd[1];
  }
  for (size_t j = 0; j < d; j++) m.v[j] = static_cast<float>(m.sw[j] / P_);
  for (size_t j = 0; j < d; j++) m.avg[j] = m.sa[j] / P_;
  sc[SGD_SVM_S_SCALE] = 1;
  sc[SGD_SVM_S_BIAS] = sb / P_;
  sc[SGD_SVM_S_AVG_WFRAC] = 0;
  sc[SGD_SVM_S_AVG_DIV] = 1;
  sc[SGD_SVM_S_AVG_BIAS] = sab / P_;
  sgd_svm_set_state(h, sc);
}

// The combined convergence check: reg + Σ_p ((obj_p − reg)·n_p)/n in rank order, the sum the Node workers take
// (src/svm/parallel/average.ts combineObjectives), so P ranks stop in the same epoch as trainSvm({ workers: P }).
double Run::objective(sgd_svm* h, const Args& a) {
  double obj = 0, bias = 0;
  sgd_svm_objective(h, &obj);
  sgd_svm_weights(h, w_.data(), &bias);
  double reg = 0;
  for (float wj : w_) reg += static_cast<double>(wj) * static_cast<double>(wj);
  reg = (a.lambda / 2) * reg;
  if (P_ == 1) return obj;
  std::vector<double> objs(P_);
  MPI_Allgather(&obj, 1, MPI_DOUBLE, objs.data(), 1, MPI_DOUBLE, comm_);
  double s = 0;
  for (int p = 0; p < P_; p++) s += ((objs[p] - reg) * static_cast<double>(rows_[p])) / static_cast<double>(n_);
  return reg + s;
}

// The epochs: `rounds` rounds of b local samples, each followed by an average (P > 1), then the convergence check.
// False (on every rank: the objective is the same everywhere) when the objective is not finite: float32 overflow.
bool Run::epochs(sgd_svm* h, const Args& a, int64_t rounds) {
  Averaging m;
  sgd_svm_state_buffers(h, &m.v, &m.avg, &m.perm);
  const size_t d = static_cast<size_t>(cols_);
  m.mine.resize((2 + d) * sizeof(double) + d * sizeof(float));
  m.all.resize(m.mine.size() * P_);
  m.sw.resize(d);
  m.sa.resize(d);
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
      average(h, m);
      red += now() - r1;
    }
    const double c0 = now();
    const double obj = objective(h, a);
    if (!agree(std::isfinite(obj), "training diverged to an objective of " + num(obj) + " in epoch " + std::to_string(e) +
                                       ": the feature values are too large for float32 arithmetic; scale the features (e.g. to [-1, 1])"))
      return false;
    double times[3] = {upd, now() - c0, red}, tmax[3];
    MPI_Allreduce(times, tmax, 3, MPI_DOUBLE, MPI_MAX, comm_);
    hist_.push_back({e, obj, tmax[0], tmax[1], tmax[2]});
    if (a.tol > 0 && std::fabs(prev - obj) <= a.tol * std::max(std::fabs(obj), 1e-12)) break;
    prev = obj;
  }
  return true;
}

// Exact bias refit over all rows (src/svm/bias.ts optimalBias): margins s_i = Σ f64(w_j)·f64(x_ij) in stored order
// (decisionValues with bias 0), gathered on rank 0, then the midpoint of the P-th and (P+1)-th kinks.
void Run::refit_bias() {
  const int32_t np = d_.rows;
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
  MPI_Gather(&np, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm_);
  int32_t total_pos = 0;
  MPI_Reduce(&positives, &total_pos, 1, MPI_INT32_T, MPI_SUM, 0, comm_);
  std::vector<double> allk(rank_ == 0 ? static_cast<size_t>(n_) : 0);
  for (int p = 1; p < P_; p++) displs[p] = displs[p - 1] + counts[p - 1];
  MPI_Gatherv(kinks.data(), np, MPI_DOUBLE, allk.data(), counts.data(), displs.data(), MPI_DOUBLE, 0, comm_);
  if (rank_ != 0) return;
  const size_t n = allk.size(), pc = static_cast<size_t>(total_pos);
  if (pc == 0) bias_ = *std::min_element(allk.begin(), allk.end());
  else if (pc == n) bias_ = *std::max_element(allk.begin(), allk.end());
  else {
    std::nth_element(allk.begin(), allk.begin() + (pc - 1), allk.end());
    const double lower = allk[pc - 1];
    bias_ = (lower + *std::min_element(allk.begin() + pc, allk.end())) / 2;
  }
}

bool Run::train(const Args& a) {
  const double t0 = now();
  const int32_t np = d_.rows;
  int64_t max_rows = 0;
  for (int p = 0; p < P_; p++) max_rows = std::max(max_rows, rows_[p]);
  b_ = a.sync_every > 0 ? a.sync_every : max_rows;
  // Same options and seed on every rank; averaging starts after one *local* epoch, as the Node workers do.
  const sgd_svm_options o = {a.lambda, static_cast<double>(a.batch), SGD_SVM_PEGASOS, 1, 1,
                             a.epochs > 1 ? static_cast<double>(np) : 0.0, 1, static_cast<double>(a.seed)};
  sgd_svm* h = nullptr;
  std::string err;
  bool ok = sgd_svm_create_csr(np, cols_, d_.indptr.data(), d_.indices.data(), d_.values.data(), y_.data(), &o, &h) == ANYML_OK;
  if (!ok) err = anyml_last_error();
  if (!agree(ok, err)) return false;
  w_.assign(static_cast<size_t>(cols_), 0.0f);
  ok = epochs(h, a, (max_rows + b_ - 1) / b_);
  double bias = 0;
  if (ok) sgd_svm_weights(h, w_.data(), &bias);
  sgd_svm_destroy(h);
  if (!ok) return false;
  refit_bias();
  train_seconds_ = now() - t0;
  return true;
}

// The test file is read whole on rank 0 with the training labels forced (another value is an error) and columns
// beyond the model ignored, like readDataset(test, { labels }) + SvmModel.evaluate.
bool Run::evaluate_test(const Args& a, std::string* err) {
  anyml::LibsvmData t;
  std::vector<int64_t> lines;
  anyml::LineOptions opt;
  opt.keep_zeros = false;
  int64_t rows = 0, all_lines = 0;
  if (!anyml::count_lines(a.test, 0, std::numeric_limits<int64_t>::max(), &rows, &all_lines, err) ||
      !anyml::read_rows(a.test, 0, 1, 0, rows, opt, &t, &lines, err))
    return false;
  if (!classes_.empty()) return evaluate_ovr(t, lines, a.test, err);
  int64_t right = 0;
  for (int32_t i = 0; i < t.rows; i++) {
    const double l = t.labels[i];
    if (l != neg_ && l != pos_) {
      *err = a.test + ":" + std::to_string(lines[i]) + ":1: label not in the training labels, got '" + num(l) +
             "', expected one of " + num(neg_) + " or " + num(pos_);
      return false;
    }
    double s = 0;
    for (int32_t k = t.indptr[i]; k < t.indptr[i + 1]; k++)
      s += weight(t.indices[k]) * t.values[k];
    const double pred = s + bias_ > 0 ? pos_ : neg_;
    right += pred == l;
  }
  test_rows_ = t.rows;
  test_acc_ = t.rows ? static_cast<double>(right) / t.rows : 0;
  return true;
}

// The "trainedWith" member of the JSON model; `epochs` is the epochs run (one-vs-rest: the per-class list, and
// "multiclass" after "tol", where src/svm/train.ts puts them; "lambdaSearch", the search's scores, last).
std::string Run::trained_with(const Args& a, const std::string& epochs) const {
  return ",\"trainedWith\":{\"backend\":\"mpi\",\"batchSize\":" + std::to_string(a.batch) +
         ",\"schedule\":\"pegasos\",\"shuffle\":true,\"averaged\":true,\"biasScale\":1,\"seed\":" + std::to_string(a.seed) +
         ",\"scale\":\"" + scale_ + "\",\"refitBias\":true,\"epochs\":" + epochs + ",\"maxEpochs\":" + std::to_string(a.epochs) +
         ",\"lambdaSearchEpochs\":" + std::to_string(search_epochs_) + ",\"tol\":" + num(a.tol) + (classes_.empty() ? "" : ",\"multiclass\":\"one-vs-rest\"") + ",\"workers\":" +
         std::to_string(P_) + ",\"syncEvery\":" + (a.sync_every > 0 ? std::to_string(a.sync_every) : std::string("\"epoch\"")) +
         ",\"transport\":\"mpi\"" +
         (search_.empty() ? "" : ",\"lambdaSearch\":" + search_json()) + "}";
}

// The model as anyml JSON (SvmModel.fromJSON reads it).
std::string Run::model_json(const Args& a) const {
  if (!classes_.empty()) return ovr_model_json(a);
  std::string j = "{\"format\":\"anyml-svm\",\"version\":1,\"features\":" + std::to_string(width_) +
                  ",\"weights\":" + weights_json(w_.data());
  j += ",\"bias\":" + num(bias_) + ",\"labels\":[" + num(neg_) + "," + num(pos_) + "],\"lambda\":" + num(a.lambda);
  return j + trained_with(a, std::to_string(hist_.size())) + "}\n";
}

// Writes `text` to `path` atomically: a reader never sees half a model, and a failed write leaves any previous
// model in place.
static bool write_file(const std::string& path, const std::string& text, std::string* err) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE* f = fopen(tmp.c_str(), "wb");
  bool ok = f && fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (f && fclose(f) == 0) && ok;
  if (ok && rename(tmp.c_str(), path.c_str()) != 0) ok = false;
  if (!ok) {
    *err = path + ": cannot write the model (" + strerror(errno) + ")";
    remove(tmp.c_str());
  }
  return ok;
}

// --model (anyml JSON) and --liblinear (LIBLINEAR .model text), each when asked for.
bool Run::write_model(const Args& a, std::string* err) {
  if (!a.model.empty() && !write_file(a.model, model_json(a), err)) return false;
  return a.liblinear.empty() || write_file(a.liblinear, liblinear_text(), err);
}

// --json: one line with the figures, the same keys as `anyml svm train --json` where they mean the same.
void Run::print_json(const Args& a) const {
  std::string j = "{\"rows\":" + std::to_string(n_) + ",\"features\":" + std::to_string(width_) + ",\"ranks\":" +
                  std::to_string(P_) + ",\"syncEvery\":" + std::to_string(b_) + ",\"lambda\":" + num(a.lambda) +
                  ",\"lambdaSearchSeconds\":" + num(search_seconds_);
  if (!search_.empty()) j += ",\"lambdaSearch\":" + search_json();
  if (!classes_.empty()) j += ovr_json_summary();  // one-vs-rest: per-class lists, no one history
  else
    j += ",\"scale\":\"" + scale_ + "\",\"epochs\":" + std::to_string(hist_.size()) + ",\"readSeconds\":" + num(read_seconds_) +
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

bool Run::finish(const Args& a) {
  std::string err;
  const bool tested = rank_ != 0 || a.test.empty() || evaluate_test(a, &err);
  if (!agree(tested, err)) return false;
  const bool written = rank_ != 0 || write_model(a, &err);
  if (!agree(written, err)) return false;
  if (rank_ == 0 && a.json) print_json(a);
  return true;
}

// trainSvm's default (src/svm/train.ts defaultEpochs): at least 100,000 updates over the n rows, 10 to 1000 passes.
static int default_epochs(int64_t n) {
  const int64_t e = (100000 + std::max<int64_t>(1, n) - 1) / std::max<int64_t>(1, n);
  return static_cast<int>(std::min<int64_t>(1000, std::max<int64_t>(10, e)));
}

int Run::main(const Args& args) {
  if (!read_train(args)) return 1;
  Args a = args;
  if (a.epochs == 0) a.epochs = default_epochs(n_);
  search_epochs_ = search_epochs(n_, a.epochs);
  if (!classes_.empty()) return train_ovr(a) && finish(a) ? 0 : 1;  // K >= 3 label values: one-vs-rest (ovr.cc)
  if (!scale_features(a)) return 1;
  if (a.lambda_auto && !search_binary(&a)) return 1;  // scaled first: the search sees the final fit's features
  if (!train(a)) return 1;
  if (!finish(a)) return 1;
  return 0;
}

}  // namespace anyml_mpi

using anyml_mpi::Args;
using anyml_mpi::kUsage;
using anyml_mpi::parse_args;
using anyml_mpi::Run;

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
      Run run(MPI_COMM_WORLD);
      rc = run.main(a);
    }
  }
  // Every rank gets here on every path (errors are agreed collectively), so MPI ends cleanly.
  MPI_Finalize();
  return rc;
}
