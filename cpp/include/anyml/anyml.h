// SPDX-License-Identifier: MIT
// The anyml C ABI: status codes, BLAS-1 f32 kernels, the int8 convolution and the SGD-SVM solver (shared by wasm,
// native and MPI builds).
#ifndef ANYML_ANYML_H_
#define ANYML_ANYML_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Status codes. Every function returns one; on failure anyml_last_error() says what and why.
// Must match ANYML_STATUS in src/backends/wasm/abi.ts (a test checks it).
enum {
  ANYML_OK = 0,
  ANYML_E_INVALID_ARG = 1,  // a null pointer, a size or value out of range
  ANYML_E_NOMEM = 2,        // an allocation failed
  ANYML_E_STATE = 3         // call out of order (e.g. sgd_svm_run before sgd_svm_begin_epoch)
};

// The message of the last failure on this thread ("" when none). Valid until the next failing call.
const char* anyml_last_error(void);

// ---- BLAS-1 kernels (f32). Scalar semantics, which the TS twins in src/kernels/ reproduce bit for bit: ----
// *out = x[0]*y[0] + x[1]*y[1] + ..., accumulated left to right in f32 (no FMA). SIMD builds sum in lanes.
int f32_dot(size_t n, const float* x, const float* y, float* out);
// y[i] = y[i] + alpha*x[i] in f32 (x may equal y).
int f32_axpy(size_t n, float alpha, const float* x, float* y);
// x[i] = alpha*x[i] in f32.
int f32_scal(size_t n, float alpha, float* x);
// *out = f32(sqrt(sum x[i]^2)) with the squares summed in f64 (cannot overflow for finite f32 input).
int f32_nrm2(size_t n, const float* x, float* out);
// Sparse row (CSR) times dense: *out = sum val[i]*y[idx[i]], left to right in f32. 0 <= idx[i] < len(y).
int f32_spdot(size_t nnz, const int32_t* idx, const float* val, const float* y, float* out);
// Sparse axpy: y[idx[i]] = y[idx[i]] + alpha*val[i] in f32, i ascending.
int f32_spaxpy(size_t nnz, float alpha, const int32_t* idx, const float* val, float* y);

// ---- int8 convolution: TFLite's reference ConvPerChannel bit for bit (TS twin: convInt8, src/quant/kernels.ts) ----
// NHWC, batch 1, stride 1, 'same' padding: x[h][w][cin] and out[h][w][cout] int8, weights OHWI [cout][k][k][cin]
// int8, k = 1 or 3 (out-of-image taps count as the input zero point). For each output channel c:
//   acc = bias[c] + Σ (x − in_zero)·w                                      (int32, wrapping)
//   out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + out_zero, act_min, act_max)
// with TFLite's MultiplyByQuantizedMultiplier (acc·2^max(shift,0) in int32, gemmlowp's
// SaturatingRoundingDoublingHighMul by the Q31 multiplier, RoundingDivideByPOT by 2^max(−shift,0)).
// Ranges: h, w, cin, cout >= 1 with (h+k−1)·(w+k−1)·max(cin, cout) and (k·cin+8)·k·cout <= 2^30 (the padded
// copies); shift[c] in [−31, 31]; in_zero, out_zero in [−128, 127]; −128 <= act_min <= act_max <= 127; any int32
// bias and multiplier.
// Allocates a packed int16 copy of x and weights for the call (ANYML_E_NOMEM if that fails).
int q8_conv2d(const int8_t* x, int32_t h, int32_t w, int32_t cin, int32_t k, int32_t cout,
              const int8_t* weights, const int32_t* bias, const int32_t* multiplier, const int32_t* shift,
              int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max, int8_t* out);

// ---- SGD-SVM solver: exactly docs/svm-solver.md. ----
typedef struct sgd_svm sgd_svm;

// Schedules. Must match SCHEDULE_CODE in src/backends/wasm/abi.ts.
enum { SGD_SVM_PEGASOS = 0, SGD_SVM_SEED_ALPHA = 1, SGD_SVM_PAPER = 2 };

// Options as 8 doubles (so JS fills it through one Float64Array); integers and flags are stored exactly.
typedef struct sgd_svm_options {
  double lambda;         // > 0
  double batch_size;     // integer >= 1
  double schedule;       // SGD_SVM_*
  double shuffle;        // 0 or 1
  double averaged;       // 0 or 1
  double average_start;  // integer >= 0: samples before averaging starts
  double bias_scale;     // finite; 0 fits no bias
  double seed;           // integer in [0, 2^32)
} sgd_svm_options;

// Packed scalar state for sgd_svm_get_state / sgd_svm_set_state. Must match STATE_SLOT in abi.ts.
enum {
  SGD_SVM_S_SCALE = 0, SGD_SVM_S_BIAS = 1, SGD_SVM_S_T = 2, SGD_SVM_S_EPOCH = 3, SGD_SVM_S_POS = 4,
  SGD_SVM_S_RNG0 = 5,  // rng[0..3] in slots 5..8, each an integer in [0, 2^32)
  SGD_SVM_S_AVG_DIV = 9, SGD_SVM_S_AVG_WFRAC = 10, SGD_SVM_S_AVG_BIAS = 11,
  SGD_SVM_STATE_SCALARS = 12
};

// The solver keeps pointers to the caller's arrays (not copies): they must outlive it. y[i] is -1 or +1.
// CSR: indptr[rows+1] (indptr[0] = 0, non-decreasing), indices in [0, cols), values.
int sgd_svm_create_csr(int32_t rows, int32_t cols, const int32_t* indptr, const int32_t* indices,
                       const float* values, const float* y, const sgd_svm_options* opts, sgd_svm** out);
// Dense row-major data[rows*cols].
int sgd_svm_create_dense(int32_t rows, int32_t cols, const float* data, const float* y,
                         const sgd_svm_options* opts, sgd_svm** out);
// epoch += 1, pos = 0, reshuffle the permutation (when shuffle is on).
int sgd_svm_begin_epoch(sgd_svm* h);
// Process min(count, rows - pos) samples of the current epoch; *processed = how many.
int sgd_svm_run(sgd_svm* h, int32_t count, int32_t* processed);
// (lambda/2)*||w||^2 + mean hinge loss, with w, b = sgd_svm_weights.
int sgd_svm_objective(sgd_svm* h, double* out);
// w[cols] (f32) and *bias of the current (or averaged) model.
int sgd_svm_weights(sgd_svm* h, float* w, double* bias);
// The solver's own buffers: v[cols], avg[cols] (NULL unless averaged), perm[rows]. Read or overwrite them in
// place, then call sgd_svm_set_state, which checks them.
int sgd_svm_state_buffers(sgd_svm* h, float** v, double** avg, int32_t** perm);
int sgd_svm_get_state(const sgd_svm* h, double* scalars /* [SGD_SVM_STATE_SCALARS] */);
int sgd_svm_set_state(sgd_svm* h, const double* scalars /* [SGD_SVM_STATE_SCALARS] */);
int sgd_svm_destroy(sgd_svm* h);

#ifdef __cplusplus
}  // extern "C"
#endif
#endif  // ANYML_ANYML_H_
