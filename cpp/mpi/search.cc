// SPDX-License-Identifier: MIT
// anyml-mpi --lambda auto: the λ search of trainSvm (src/svm/train.ts chooseLambda / lambdaFolds), reproduced to
// the bit so that the chosen λ and the model equal trainSvm(data, { workers: P, lambda: 'auto' }).
//
// Node runs that search in one thread on all rows, so its λ does not depend on P; here every rank holds all rows
// (the Allgatherv of ovr.cc), the (fold, λ) fits are spread over the ranks (task t on rank t mod P, each a Run on
// MPI_COMM_SELF, i.e. literally the in-thread fit), each rank scores the validation rows of the fits it ran, and
// the per-task (accuracy, hinge) pairs are exchanged so that every rank tallies them in Node's order (fold order,
// then grid order) and reaches the same race and the same pick. The final fit then runs as without the search.
#include <algorithm>
#include <cmath>
#include <limits>

#include "run.h"

namespace anyml_mpi {
namespace {

// src/svm/train.ts: DEFAULT_LAMBDA_GRID (ascending), lambdaSearchRows and the fold seed's salt.
constexpr double kGrid[] = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2};
constexpr size_t kGridSize = sizeof kGrid / sizeof kGrid[0];
constexpr int64_t kSearchRows = 50000;
constexpr uint32_t kFoldSalt = 0x5bd1e995u;

// src/rng.ts: SplitMix32 seeding + xoshiro128** (Blackman & Vigna 2018), u32 arithmetic as Math.imul gives it.
struct Xoshiro {
  uint32_t s[4];
  explicit Xoshiro(uint32_t seed) {
    uint32_t x = seed;
    for (uint32_t& w : s) {
      x += 0x9e3779b9u;
      uint32_t z = x;
      z = (z ^ (z >> 16)) * 0x85ebca6bu;
      z = (z ^ (z >> 13)) * 0xc2b2ae35u;
      w = z ^ (z >> 16);
    }
  }
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t next() {
    const uint32_t r = rotl(s[1] * 5u, 7) * 9u, t = s[1] << 9;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }
  // rng.ts bounded: ⌊r·n / 2³²⌋ (Lemire multiply-shift without rejection); exact in integers here.
  uint32_t bounded(uint32_t n) { return static_cast<uint32_t>((static_cast<uint64_t>(next()) * n) >> 32); }
};

// rng.ts permutation: Fisher–Yates from the top, the solver's epoch-shuffle rule.
std::vector<int32_t> permutation(int32_t n, uint32_t seed) {
  std::vector<int32_t> p(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; i++) p[i] = i;
  Xoshiro g(seed);
  for (int32_t i = n - 1; i > 0; i--) std::swap(p[i], p[g.bounded(static_cast<uint32_t>(i) + 1)]);
  return p;
}

// JavaScript's Math.round: the nearest integer, halves up (floor(x + 0.5) would round 0.49999999999999994 up).
double js_round(double x) {
  const double f = std::floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

}  // namespace

// src/svm/train.ts defaultFolds: 5 folds below 10,000 rows, 3 from there.
int search_folds(int64_t n) { return n >= 10000 ? 3 : 5; }

// src/svm/train.ts defaultSearchEpochs: at least 30,000 updates per search fit, 3 to 1000 passes, at most `epochs`.
int search_epochs(int64_t n, int epochs) {
  const int k = search_folds(n);
  const int64_t fit_rows = std::max<int64_t>(1, std::min<int64_t>(kSearchRows, k > 1 ? (n * (k - 1)) / k : n));
  const int64_t e = std::max<int64_t>(3, std::min<int64_t>(1000, (30000 + fit_rows - 1) / fit_rows));
  return static_cast<int>(std::min<int64_t>(epochs, e));
}

// src/svm/train.ts lambdaFolds: one seeded permutation; fold f validates perm[lo, hi) (lo = round(f·n/k)) and
// trains on perm[0, lo) ++ perm[hi, n) cut to lambdaSearchRows. False when n is too small to split.
bool Run::search_folds_of(int32_t n, uint32_t seed, std::vector<Fold>* folds) {
  const int k = search_folds(n);
  const std::vector<int32_t> perm = permutation(n, seed ^ kFoldSalt);
  std::vector<int32_t> bounds(static_cast<size_t>(k) + 1);
  for (int f = 0; f <= k; f++) bounds[f] = static_cast<int32_t>(js_round(static_cast<double>(f) * n / k));
  if (n < 2 || bounds[1] >= n || bounds[1] == 0) return false;
  for (int f = 0; f < k; f++) {
    Fold d;
    const auto lo = perm.begin() + bounds[f], hi = perm.begin() + bounds[f + 1];
    d.train.assign(perm.begin(), lo);
    d.train.insert(d.train.end(), hi, perm.end());
    if (static_cast<int64_t>(d.train.size()) > kSearchRows) d.train.resize(static_cast<size_t>(kSearchRows));
    d.val.assign(lo, hi);
    folds->push_back(std::move(d));
  }
  return true;
}

// This (MPI_COMM_SELF) run becomes the rows `rows` of `all`, in that order, as subsetDataset copies them
// (src/svm/data.ts): each row's entries unchanged, its label and ±1 target with it.
void Run::take_rows(const Run& all, const std::vector<int32_t>& rows) {
  const anyml::LibsvmData& s = all.d_;
  d_ = anyml::LibsvmData();
  d_.cols = s.cols;
  y_.clear();
  for (int32_t i : rows) {
    d_.indices.insert(d_.indices.end(), s.indices.begin() + s.indptr[i], s.indices.begin() + s.indptr[i + 1]);
    d_.values.insert(d_.values.end(), s.values.begin() + s.indptr[i], s.values.begin() + s.indptr[i + 1]);
    d_.indptr.push_back(static_cast<int32_t>(d_.indices.size()));
    d_.labels.push_back(s.labels[i]);
    if (!all.y_.empty()) y_.push_back(all.y_[i]);
  }
  d_.rows = static_cast<int32_t>(rows.size());
  n_ = d_.rows;
  rows_.assign(1, n_);
  cols_ = all.cols_, width_ = all.width_, columns_ = all.columns_, src_ = all.src_;
}

// The fits of one (fold, λ) task on this run's rows (a fold's training rows): the binary fit, or under one-vs-rest
// the K class fits, each the P = 1 fit with `a`'s options (lambda and epochs already the task's). The trained
// weights go to `w` (one cols_ block per vector) and the refit biases to `b`.
bool Run::fit_task(const Args& a, const std::vector<double>& classes, std::vector<float>* w, std::vector<double>* b) {
  w->clear(), b->clear();
  const size_t vectors = classes.empty() ? 1 : classes.size();
  for (size_t k = 0; k < vectors; k++) {
    if (!classes.empty()) {
      y_.resize(static_cast<size_t>(d_.rows));
      for (int32_t i = 0; i < d_.rows; i++) y_[i] = d_.labels[i] == classes[k] ? 1.0f : -1.0f;
    }
    hist_.clear();
    bias_ = 0;
    if (!train(a)) return false;
    w->insert(w->end(), w_.begin(), w_.end());
    b->push_back(bias_);
  }
  return true;
}

// validateFits (src/svm/multiclass.ts) → SvmModel.evaluate with λ = 0 (src/svm/evaluate.ts) on the rows `val` of
// this (all-rows) run: accuracy = right / m; the objective is then the mean hinge, per vector Σ_i max(0, 1 − y·f_i)
// in row order over f64 decision values (src/svm/data.ts decisionValues), averaged over the K one-vs-rest vectors.
// Binary: f > 0 predicts the positive label; K classes: the largest f_k, the lowest k on a tie.
void Run::score_task(const std::vector<int32_t>& val, const std::vector<float>& w, const std::vector<double>& b,
                     const std::vector<double>& classes, double* accuracy, double* hinge) const {
  const size_t vectors = b.size(), d = static_cast<size_t>(cols_), m = val.size();
  std::vector<double> h(vectors, 0.0), dec(vectors);
  int64_t right = 0;
  for (int32_t i : val) {
    for (size_t k = 0; k < vectors; k++) {
      double s = 0;
      for (int32_t e = d_.indptr[i]; e < d_.indptr[i + 1]; e++)
        s += static_cast<double>(w[k * d + d_.indices[e]]) * static_cast<double>(d_.values[e]);
      dec[k] = s + b[k];
      const bool mine = classes.empty() ? y_[i] > 0 : d_.labels[i] == classes[k];
      h[k] += std::max(0.0, 1 - (mine ? 1.0 : -1.0) * dec[k]);
    }
    if (classes.empty()) {
      right += (dec[0] > 0) == (y_[i] > 0);
    } else {
      size_t best = 0;
      for (size_t k = 1; k < vectors; k++)
        if (dec[k] > dec[best]) best = k;
      right += d_.labels[i] == classes[best];
    }
  }
  // evaluate.ts: total += (λ/2)·‖w‖² + hinge/n with λ = 0, then total / vectors.
  double total = 0;
  for (size_t k = 0; k < vectors; k++) total += 0.0 + (m > 0 ? h[k] / static_cast<double>(m) : 0.0);
  *accuracy = m > 0 ? static_cast<double>(right) / static_cast<double>(m) : 0;
  *hinge = total / static_cast<double>(vectors);
}

// Runs the (fold, λ) tasks, task t on rank t mod P, and returns every task's (accuracy, hinge) on every rank. The
// exchange is an MPI_SUM over vectors that are +0 except at the sender's tasks: x + 0 = x exactly, whatever the
// reduction order, so every rank gets the bits the fitting rank computed. False (on every rank) when a fit failed.
bool Run::run_tasks(const Run& all, const Args& a, const std::vector<Fold>& folds, const std::vector<Task>& tasks,
                    const std::vector<double>& classes, std::vector<double>* out) {
  out->assign(2 * tasks.size(), 0.0);
  Run fit(MPI_COMM_SELF, true);
  std::vector<float> w;
  std::vector<double> b;
  bool ok = true;
  std::string why;
  for (size_t t = static_cast<size_t>(rank_); t < tasks.size() && ok; t += static_cast<size_t>(P_)) {
    Args ta = a;
    ta.lambda = tasks[t].lambda;
    ta.epochs = search_epochs_;
    fit.take_rows(all, folds[tasks[t].fold].train);
    ok = fit.fit_task(ta, classes, &w, &b);
    if (!ok) why = "lambda search, fold " + std::to_string(tasks[t].fold + 1) + ", lambda " + num(ta.lambda) + ": " + fit.error();
    else all.score_task(folds[tasks[t].fold].val, w, b, classes, &(*out)[2 * t], &(*out)[2 * t + 1]);
  }
  if (!agree(ok, why)) return false;
  MPI_Allreduce(MPI_IN_PLACE, out->data(), static_cast<int>(out->size()), MPI_DOUBLE, MPI_SUM, comm_);
  return true;
}

// chooseLambda's race (Maron & Moore's Hoeffding races, src/svm/train.ts race): after the first fold, drop a λ
// more than 3 binomial standard errors below that fold's best accuracy.
static std::vector<size_t> race(const std::vector<size_t>& alive, const std::vector<Tally>& t) {
  const auto acc = [&t](size_t l) { return t[l].correct / t[l].rows; };
  double best = -std::numeric_limits<double>::infinity();
  for (size_t l : alive) best = std::max(best, acc(l));
  const double se = std::sqrt((best * (1 - best)) / t[alive[0]].rows);
  std::vector<size_t> keep;
  for (size_t l : alive)
    if (acc(l) >= best - 3 * se - 1e-12) keep.push_back(l);
  return keep;
}

// Adds the tasks' scores to the tallies in task order (= Node's fold order, then grid order):
// correct += accuracy·m, hinge += hinge·m, rows += m, the f64 sums chooseLambda takes.
static void tally(const std::vector<Task>& tasks, const std::vector<double>& res, const std::vector<Fold>& folds,
                  std::vector<Tally>* t) {
  for (size_t i = 0; i < tasks.size(); i++) {
    Tally& s = (*t)[tasks[i].grid];
    const double m = static_cast<double>(folds[tasks[i].fold].val.size());
    s.correct += res[2 * i] * m, s.hinge += res[2 * i + 1] * m, s.rows += m;
  }
}

// The one-standard-error pick of chooseLambda (ESL §7.10): among the surviving λ within one binomial standard error
// of the best accuracy, the lowest validation hinge (ties → the larger λ); the scores go to search_ in grid order.
double Run::pick_lambda(const std::vector<size_t>& alive, const std::vector<Tally>& t) {
  const double validated = t[alive[0]].rows;
  search_.clear();
  for (size_t l = 0; l < kGridSize; l++)
    search_.push_back({kGrid[l], t[l].correct / t[l].rows, t[l].hinge / t[l].rows, t[l].rows < validated});
  double best = -std::numeric_limits<double>::infinity();
  for (size_t l : alive) best = std::max(best, search_[l].accuracy);
  const double se = std::sqrt((best * (1 - best)) / validated);
  const LambdaScore* pick = &search_[alive[0]];
  for (size_t l : alive) {
    const LambdaScore& s = search_[l];
    if (s.accuracy < best - se - 1e-12) continue;
    if (pick->accuracy < best - se - 1e-12 || s.hinge <= pick->hinge) pick = &s;
  }
  return pick->lambda;
}

// --lambda auto on `all` (every row on this rank, scaled and compacted as the final fit sees them): the k-fold
// search, two phases because of the race (fold 0 × the grid, then folds 1.. × the survivors). Sets a->lambda.
// `classes` empty: binary (all.y_ holds ±1); else the one-vs-rest classes, the multiclass score.
bool Run::choose_lambda(const Run& all, const std::vector<double>& classes, Args* a) {
  const double t0 = now();
  std::vector<Fold> folds;
  search_.clear();
  if (!search_folds_of(all.d_.rows, a->seed, &folds)) {  // too few rows to split: the middle of the grid
    a->lambda = kGrid[kGridSize / 2];
    search_seconds_ = now() - t0;
    return true;
  }
  std::vector<Tally> t(kGridSize);
  std::vector<size_t> alive;
  std::vector<Task> tasks;
  for (size_t l = 0; l < kGridSize; l++) alive.push_back(l), tasks.push_back({0, l, kGrid[l]});
  std::vector<double> res;
  if (!run_tasks(all, *a, folds, tasks, classes, &res)) return false;
  tally(tasks, res, folds, &t);
  if (folds.size() > 1) alive = race(alive, t);
  tasks.clear();
  for (size_t f = 1; f < folds.size(); f++)
    for (size_t l : alive) tasks.push_back({f, l, kGrid[l]});
  if (!run_tasks(all, *a, folds, tasks, classes, &res)) return false;
  tally(tasks, res, folds, &t);
  a->lambda = pick_lambda(alive, t);
  search_seconds_ = now() - t0;
  return true;
}

// The search record as src/svm/train.ts writes it into trainedWith: [{lambda, accuracy, hinge, folds?: 1}, …].
std::string Run::search_json() const {
  std::string j = "[";
  for (size_t l = 0; l < search_.size(); l++) {
    const LambdaScore& s = search_[l];
    j += std::string(l ? "," : "") + "{\"lambda\":" + num(s.lambda) + ",\"accuracy\":" + num(s.accuracy) +
         ",\"hinge\":" + num(s.hinge) + (s.one_fold ? ",\"folds\":1}" : "}");
  }
  return j + "]";
}

// Binary --lambda auto: every rank gets all (already scaled) rows for the search, then frees them; the final fit
// stays data-parallel on the shards.
bool Run::search_binary(Args* a) {
  Run all(MPI_COMM_SELF, true);
  if (!agree(gather_rows(&all), src_ + ": more than 2^31 - 1 stored values in all, too many for the lambda search, "
                                      "which gives every rank all rows"))
    return false;
  all.y_.resize(static_cast<size_t>(all.d_.rows));
  for (int32_t i = 0; i < all.d_.rows; i++) all.y_[i] = all.d_.labels[i] == pos_ ? 1.0f : -1.0f;
  return choose_lambda(all, {}, a);
}

}  // namespace anyml_mpi
