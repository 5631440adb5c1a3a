// SPDX-License-Identifier: MIT
// The SGD-SVM solver record behind the opaque sgd_svm handle (internal; the ABI is in anyml/anyml.h).
#ifndef ANYML_SVM_SGD_SVM_H_
#define ANYML_SVM_SGD_SVM_H_

#include <stdint.h>

#include "anyml/anyml.h"

struct sgd_svm {
  // Data: borrowed from the caller (CSR when indptr != nullptr, else dense row-major).
  int32_t rows, cols;
  const int32_t* indptr;
  const int32_t* indices;
  const float* values;
  const float* dense;
  const float* y;
  // Options.
  double lambda, average_start, bias_scale;
  int32_t batch, schedule;
  bool shuffle, averaged;
  // State (docs/svm-solver.md "State"); the buffers are owned.
  float* v;        // [cols]
  double* avg;     // [cols] or nullptr
  int32_t* perm;   // [rows]
  double scale, bias, t, epoch, pos;
  uint32_t rng[4];
  double avg_div, avg_wfrac, avg_bias;
  // Scratch.
  uint8_t* violates;  // [batch]
  float* w;           // [cols], for objective()
};

namespace anyml {
// One mini-batch of k samples starting at perm[pos] (steps 1-8 of the doc).
void sgd_svm_batch(sgd_svm& s, int32_t k);
// Fisher-Yates reshuffle of perm for a new epoch.
void sgd_svm_shuffle(sgd_svm& s);
// Writes the current (or averaged) model to w and returns the bias.
double sgd_svm_model(const sgd_svm& s, float* w);
// The objective of the model in s.w (filled by the caller with sgd_svm_model).
double sgd_svm_objective_of(const sgd_svm& s, const float* w, double b);
}  // namespace anyml
#endif  // ANYML_SVM_SGD_SVM_H_
