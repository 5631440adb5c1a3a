// SPDX-License-Identifier: MIT
// anyml-mpi command line: the usage text and the option parser (mirrors `anyml svm train`'s checks and messages).
#include "args.h"

#include <cmath>
#include <cstdlib>

namespace anyml_mpi {
namespace {
bool parse_num(const char* s, double* out) {
  char* e;
  *out = strtod(s, &e);
  return e != s && *e == 0 && std::isfinite(*out);
}

}  // namespace

const char* const kUsage =
    "usage: mpirun -np P anyml-mpi train <file.libsvm[.gz]> [options]\n"
    "       anyml-mpi --version | --help\n"
    "\n"
    "Trains a linear SVM (Pegasos SGD, averaged, exact bias refit) on P ranks; the model equals\n"
    "trainSvm(data, { workers: P, syncEvery: b }) of the anyml library for the same options.\n"
    "Rank p trains on rows [floor(p*n/P), floor((p+1)*n/P)) and reads only its part of a plain file;\n"
    "a .gz file has no random access, so every rank inflates it from the start up to the end of its rows.\n"
    "Three or more label values train one-vs-rest, class-parallel: every rank gets all rows and fits the\n"
    "classes k with k % P = its rank, each as one process would, so the model does not depend on P.\n"
    "Pre-sharded data: a path with {rank} (e.g. part-{rank}.libsvm) makes rank p read its own whole file.\n"
    "\n"
    "options:\n"
    "  --test FILE          evaluate the model on FILE (rank 0) and report testAccuracy\n"
    "  --lambda X|auto      regularisation, a number > 0 (default 1e-4), or auto: trainSvm's k-fold\n"
    "                       search over 1e-6 ... 1e-2 on all rows, its fits spread over the ranks (every\n"
    "                       rank gets all rows for it); the same lambda as lambda: 'auto' in the library\n"
    "  --epochs N           at most N epochs (default: 10, more for small data, as trainSvm:\n"
    "                       enough for 100,000 updates, at most 1000)\n"
    "  --scale auto|maxabs|none  feature scaling folded into the model (default auto: max-abs when a\n"
    "                       value is outside [-1, 1], as trainSvm does)\n"
    "  --tol X              stop when the objective changes by <= X relative (default 1e-3; 0 = never)\n"
    "  --sync-every B|epoch local samples between model averages (default 1000)\n"
    "  --seed S             seed of every rank's sample order (default 1)\n"
    "  --batch-size K       mini-batch size (default 1)\n"
    "  --features N         feature count (default: the largest index in the file)\n"
    "  --max-features N     without --features, the largest index accepted (default 33554432); wide\n"
    "                       sparse data trains on its used columns\n"
    "  --model OUT.json     write the model (anyml-svm JSON, loadable by SvmModel.fromJSON)\n"
    "  --liblinear OUT      write the model as a LIBLINEAR .model file (liblinear-predict reads it)\n"
    "  --json               print one JSON line with the run summary and the per-epoch breakdown\n";


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
    else if (k == "--scale") {
      const std::string m = v;
      if (m == "standard") return "--scale standard: centring would make every zero of the sparse data non-zero; expected auto, maxabs or none";
      if (m != "auto" && m != "maxabs" && m != "none") return "--scale: got '" + m + "', expected auto, maxabs or none";
      a->scale = m;
    }
    else if (k == "--model") a->model = v;
    else if (k == "--liblinear") a->liblinear = v;
    else if (k == "--lambda") {
      a->lambda_auto = std::string(v) == "auto";
      if (a->lambda_auto) continue;
      if (!parse_num(v, &x) || !(x > 0)) return std::string("--lambda: got '") + v + "', expected a number > 0 or 'auto'";
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
    } else if (k == "--max-features") {
      if (!integer(1, 2147483647.0)) return std::string("--max-features: got '") + v + "', expected an integer >= 1";
      a->max_features = static_cast<int64_t>(x);
    } else {
      return "unknown option " + k;
    }
  }
  return "";
}


}  // namespace anyml_mpi
