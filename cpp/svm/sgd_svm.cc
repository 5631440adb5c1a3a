// SPDX-License-Identifier: MIT
// SGD-SVM core: one mini-batch step, the epoch shuffle, the model and the objective, exactly as docs/svm-solver.md.
// Twin: src/svm/backends/js/sgd_svm.ts; the two must stay operation-for-operation identical (bit-exact parity tests).
//
// Pegasos-style SGD for the L2-regularised hinge loss:
//   min_{w,b}  (lambda/2)·||w||² + (1/n)·Σ_i max(0, 1 − y_i·(wᵀx_i + b)),   step eta_t = 1/(lambda·t)
// Shalev-Shwartz, Singer & Srebro, ICML 2007, Alg. 1, with w = scale·v so the shrink is O(1) and a sparse update
// O(nnz); averaged SGD (Polyak & Juditsky 1992) in Bottou's lazy form (svmasgd): avg = (a + avgWFrac·v) / avgDiv.
#include <cmath>
#include "sgd_svm.h"

#include "../kernels/internal.h"
#include "rng.h"

namespace anyml {
namespace {

// d = dot(w, x_r) with the dispatched f32 kernel (f32_spdot for CSR rows, f32_dot for dense rows).
inline float row_dot(const sgd_svm& s, int32_t r, const float* w) {
  float d;
  if (s.indptr) {
    const int32_t b = s.indptr[r], e = s.indptr[r + 1];
    ANYML_BEST_F32_SPDOT(static_cast<size_t>(e - b), s.indices + b, s.values + b, w, &d);
  } else {
    ANYML_BEST_F32_DOT(static_cast<size_t>(s.cols), s.dense + static_cast<size_t>(r) * s.cols, w, &d);
  }
  return d;
}

// v_j ← f32(v_j + f32(alpha·x_rj)). While the average holds a share of v (avgWFrac ≠ 0), a_j absorbs the change,
// a_j ← a_j − avgWFrac·(v_new − v_old), so (a + avgWFrac·v) is unchanged (step 6).
void add_row(sgd_svm& s, int32_t r, float alpha) {
  const bool track = s.avg != nullptr && s.avg_wfrac != 0.0;
  const double f = s.avg_wfrac;
  if (s.indptr) {
    const int32_t b = s.indptr[r], e = s.indptr[r + 1];
    if (!track) {
      ANYML_BEST_F32_SPAXPY(static_cast<size_t>(e - b), alpha, s.indices + b, s.values + b, s.v);
      return;
    }
    for (int32_t p = b; p < e; p++) {
      const int32_t j = s.indices[p];
      const float old = s.v[j], nw = old + alpha * s.values[p];
      s.v[j] = nw;
      s.avg[j] = s.avg[j] - f * (static_cast<double>(nw) - static_cast<double>(old));
    }
    return;
  }
  const float* x = s.dense + static_cast<size_t>(r) * s.cols;
  if (!track) {
    ANYML_BEST_F32_AXPY(static_cast<size_t>(s.cols), alpha, x, s.v);
    return;
  }
  for (int32_t j = 0; j < s.cols; j++) {
    const float old = s.v[j], nw = old + alpha * x[j];
    s.v[j] = nw;
    s.avg[j] = s.avg[j] - f * (static_cast<double>(nw) - static_cast<double>(old));
  }
}

// Fold the averaged share of v into a (a_j ← a_j + avgWFrac·v_j), then v_j ← f32(v_j·(scale·shrink)), scale ← 1.
void materialise(sgd_svm& s, double shrink) {
  if (s.avg != nullptr && s.avg_wfrac != 0.0) {
    for (int32_t j = 0; j < s.cols; j++) s.avg[j] = s.avg[j] + s.avg_wfrac * static_cast<double>(s.v[j]);
    s.avg_wfrac = 0.0;
  }
  const double f = s.scale * shrink;
  for (int32_t j = 0; j < s.cols; j++) s.v[j] = static_cast<float>(static_cast<double>(s.v[j]) * f);
  s.scale = 1.0;
}

// Per-sample shrink factor 1 − λ·η(τ), written so that it is exactly 0 where it is 0 in exact arithmetic.
inline double shrink_factor(const sgd_svm& s, double tau) {
  switch (s.schedule) {
    case SGD_SVM_SEED_ALPHA: return 1.0 - s.lambda / tau;  // α_τ = 1/τ
    case SGD_SVM_PAPER: return 1.0 - 1.0 / s.epoch;        // η = 1/(λ·epoch)
    default: return 1.0 - 1.0 / tau;                       // η = 1/(λτ)
  }
}

// Data coefficient c at τ = t + k (step 4).
inline double data_coef(const sgd_svm& s, double tau) {
  switch (s.schedule) {
    case SGD_SVM_SEED_ALPHA: return 1.0 / tau;
    case SGD_SVM_PAPER: return 1.0 / (s.lambda * s.epoch);
    default: return 1.0 / (s.lambda * tau);
  }
}

}  // namespace

void sgd_svm_batch(sgd_svm& s, int32_t k) {
  const int32_t* p = s.perm + static_cast<int32_t>(s.pos);
  // 1. All margins against one w: m_i = y_i·(scale·d_i + bias) in f64; violators have m_i < 1.
  for (int32_t i = 0; i < k; i++) {
    const int32_t r = p[i];
    const double d = static_cast<double>(row_dot(s, r, s.v));
    s.violates[i] = static_cast<double>(s.y[r]) * (s.scale * d + s.bias) < 1.0;
  }
  // 2-4. Shrink over τ = t+1 … t+k in order, and the data coefficient at t+k.
  double shrink = 1.0;
  for (int32_t i = 1; i <= k; i++) shrink *= shrink_factor(s, s.t + i);
  const double c = data_coef(s, s.t + k);
  // Bias step: the objective is not strongly convex in b, so b takes the plain subgradient rate 1/sqrt(T) of
  // k-sample batches (T = (t+k)/k), i.e. biasScale/sqrt(k·(t+k)) per violator — not Pegasos's 1/(λt), whose
  // first steps (1/λ) would dominate b for the rest of training. docs/svm-solver.md step 4.
  const double cb = s.bias_scale / std::sqrt(static_cast<double>(k) * static_cast<double>(s.t + k));
  // 5. Lazy shrink; materialise when it hits 0 (or flips sign), or when scale gets too small for f32 v.
  if (shrink <= 0.0) {
    materialise(s, shrink);
  } else {
    s.scale *= shrink;
    if (s.scale < 1e-9) materialise(s, 1.0);
  }
  // 6. Violators in batch order.
  for (int32_t i = 0; i < k; i++) {
    if (!s.violates[i]) continue;
    const double yi = static_cast<double>(s.y[p[i]]);
    add_row(s, p[i], static_cast<float>(c * yi / s.scale));
    s.bias = s.bias + cb * yi;
  }
  // 7.
  s.t += k;
  s.pos += k;
  // 8. Averaging window: avg ← (1 − mu)·avg + mu·w with mu = k / (t − averageStart).
  if (s.avg != nullptr && s.t > s.average_start) {
    const double mu = k / (s.t - s.average_start);
    if (mu >= 1.0) {
      for (int32_t j = 0; j < s.cols; j++) s.avg[j] = 0.0;
      s.avg_wfrac = s.scale;
      s.avg_div = 1.0;
      s.avg_bias = s.bias;
    } else {
      s.avg_div = s.avg_div / (1.0 - mu);
      s.avg_wfrac = s.avg_wfrac + mu * s.scale * s.avg_div;
      s.avg_bias = (1.0 - mu) * s.avg_bias + mu * s.bias;
    }
  }
}

void sgd_svm_shuffle(sgd_svm& s) {
  if (!s.shuffle) return;
  for (int32_t i = s.rows - 1; i >= 1; i--) {
    const int32_t j = static_cast<int32_t>(rng_bounded(s.rng, static_cast<uint32_t>(i) + 1u));
    const int32_t tmp = s.perm[i];
    s.perm[i] = s.perm[j];
    s.perm[j] = tmp;
  }
}

double sgd_svm_model(const sgd_svm& s, float* w) {
  if (s.avg != nullptr && s.t > s.average_start) {
    for (int32_t j = 0; j < s.cols; j++)
      w[j] = static_cast<float>((s.avg[j] + s.avg_wfrac * static_cast<double>(s.v[j])) / s.avg_div);
    return s.avg_bias;
  }
  for (int32_t j = 0; j < s.cols; j++) w[j] = static_cast<float>(s.scale * static_cast<double>(s.v[j]));
  return s.bias;
}

double sgd_svm_objective_of(const sgd_svm& s, const float* w, double b) {
  double reg = 0.0;
  for (int32_t j = 0; j < s.cols; j++) reg += static_cast<double>(w[j]) * static_cast<double>(w[j]);
  double loss = 0.0;
  for (int32_t i = 0; i < s.rows; i++) {
    const double h = 1.0 - static_cast<double>(s.y[i]) * (static_cast<double>(row_dot(s, i, w)) + b);
    if (h > 0.0) loss += h;
  }
  return s.lambda / 2.0 * reg + loss / s.rows;
}

}  // namespace anyml
