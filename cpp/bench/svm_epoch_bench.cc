// SPDX-License-Identifier: MIT
// Native SGD-SVM epoch benchmark: reads LIBSVM data, trains N epochs through the C ABI, prints one JSON object
// with per-epoch seconds (training only: objective and accuracy are computed outside the timed region).
// Usage: svm_epoch_bench TRAIN [--test FILE] [--epochs 10] [--lambda 1e-4] [--seed 42] [--batch 1]
//        [--schedule pegasos|seed-alpha|paper] [--averaged 0|1] [--bias-scale 1] [--no-shuffle]
// TRAIN or FILE "-" reads stdin (e.g. zcat ijcnn1.gz | svm_epoch_bench -).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chrono>
#include <string>
#include <vector>

#include "../io/libsvm_reader.h"
#include "anyml/anyml.h"

namespace {
int usage(const char* msg) {
  fprintf(stderr, "svm_epoch_bench: %s\nusage: svm_epoch_bench TRAIN [--test FILE] [--epochs N] [--lambda L] [--seed S] "
          "[--batch K] [--schedule pegasos|seed-alpha|paper] [--averaged 0|1] [--bias-scale B] [--no-shuffle]\n", msg);
  return 2;
}

// Accuracy of sign(w·x + b) on CSR data (columns beyond w are ignored).
double accuracy(const anyml::LibsvmData& d, const std::vector<float>& y, const std::vector<float>& w, double b) {
  size_t ok = 0;
  for (int32_t i = 0; i < d.rows; i++) {
    double s = b;
    for (int32_t p = d.indptr[i]; p < d.indptr[i + 1]; p++)
      if (d.indices[p] < static_cast<int32_t>(w.size())) s += static_cast<double>(w[d.indices[p]]) * d.values[p];
    ok += (s >= 0 ? 1.0f : -1.0f) == y[i];
  }
  return d.rows ? static_cast<double>(ok) / d.rows : 0.0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage("missing TRAIN file");
  std::string train = argv[1], test;
  int epochs = 10;
  sgd_svm_options o = {1e-4, 1, SGD_SVM_PEGASOS, 1, 0, 0, 1, 42};
  for (int i = 2; i < argc; i++) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--no-shuffle") { o.shuffle = 0; continue; }
    if (!v) return usage(("missing value after " + a).c_str());
    i++;
    if (a == "--test") test = v;
    else if (a == "--epochs") epochs = atoi(v);
    else if (a == "--lambda") o.lambda = atof(v);
    else if (a == "--seed") o.seed = atof(v);
    else if (a == "--batch") o.batch_size = atof(v);
    else if (a == "--averaged") o.averaged = atof(v);
    else if (a == "--bias-scale") o.bias_scale = atof(v);
    else if (a == "--schedule") {
      const std::string s = v;
      if (s == "pegasos") o.schedule = SGD_SVM_PEGASOS;
      else if (s == "seed-alpha") o.schedule = SGD_SVM_SEED_ALPHA;
      else if (s == "paper") o.schedule = SGD_SVM_PAPER;
      else return usage(("unknown schedule " + s).c_str());
    } else return usage(("unknown option " + a).c_str());
  }
  anyml::LibsvmData tr, te;
  std::vector<float> ytr, yte;
  std::string err;
  if (!anyml::read_libsvm(train, &tr, &err) || !anyml::labels_to_pm1(tr.labels, &ytr, &err)) return fprintf(stderr, "%s\n", err.c_str()), 1;
  if (!test.empty() && (!anyml::read_libsvm(test, &te, &err) || !anyml::labels_to_pm1(te.labels, &yte, &err)))
    return fprintf(stderr, "%s\n", err.c_str()), 1;
  const int32_t cols = tr.cols > te.cols ? tr.cols : te.cols;
  // Averaging starts after one epoch when more than one runs (the trainSvm default).
  if (o.averaged != 0 && epochs > 1) o.average_start = tr.rows;

  sgd_svm* h = nullptr;
  if (sgd_svm_create_csr(tr.rows, cols, tr.indptr.data(), tr.indices.data(), tr.values.data(), ytr.data(), &o, &h) != ANYML_OK)
    return fprintf(stderr, "%s\n", anyml_last_error()), 1;
  std::vector<double> secs, objs;
  for (int e = 0; e < epochs; e++) {
    int32_t done = 0;
    const auto t0 = std::chrono::steady_clock::now();
    sgd_svm_begin_epoch(h);
    sgd_svm_run(h, tr.rows, &done);
    secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    double obj = 0;
    sgd_svm_objective(h, &obj);
    objs.push_back(obj);
  }
  std::vector<float> w(cols);
  double b = 0;
  sgd_svm_weights(h, w.data(), &b);
  sgd_svm_destroy(h);

  printf("{\"train\":\"%s\",\"rows\":%d,\"cols\":%d,\"nnz\":%d,\"lambda\":%g,\"seed\":%.0f,\"batch\":%.0f,\"averaged\":%s,"
         "\"bias_scale\":%g,\"epoch_seconds\":[", train.c_str(), tr.rows, cols, tr.indptr.back(), o.lambda, o.seed,
         o.batch_size, o.averaged != 0 ? "true" : "false", o.bias_scale);
  for (size_t i = 0; i < secs.size(); i++) printf("%s%.6f", i ? "," : "", secs[i]);
  printf("],\"objective\":[");
  for (size_t i = 0; i < objs.size(); i++) printf("%s%.9g", i ? "," : "", objs[i]);
  printf("],\"train_accuracy\":%.6f", accuracy(tr, ytr, w, b));
  if (!test.empty()) printf(",\"test_accuracy\":%.6f", accuracy(te, yte, w, b));
  printf("}\n");
  return 0;
}
