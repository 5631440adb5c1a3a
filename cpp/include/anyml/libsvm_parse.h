// SPDX-License-Identifier: MIT
// The libsvm_parse_* C ABI: an incremental LIBSVM text parser (bytes in, CSR + raw labels out) for the wasm core.
// It accepts exactly what parseLibsvm in src/io/libsvm.ts accepts and stops at the same first error; the TS wrapper
// (src/io/libsvm_wasm.ts) builds the error message from the record of libsvm_parse_error, so texts are identical.
#ifndef ANYML_LIBSVM_PARSE_H_
#define ANYML_LIBSVM_PARSE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct libsvm_parse libsvm_parse;

// Data error kinds (slot LIBSVM_PARSE_E_KIND). Must match PARSE_ERROR in src/io/libsvm_wasm.ts.
enum {
  LIBSVM_PARSE_NONE = 0,
  LIBSVM_PARSE_LABEL_SYNTAX = 1,  // the label is not a number, or is glued to the next token
  LIBSVM_PARSE_LABEL_RANGE = 2,   // the label is not finite
  LIBSVM_PARSE_LABEL_SET = 3,     // a label outside the forced values
  LIBSVM_PARSE_INDEX = 4,         // no "index:" with an index in 1 .. 2^31-1
  LIBSVM_PARSE_VALUE = 5,         // no number after the colon, or junk after it
  LIBSVM_PARSE_FEATURE = 6,       // index not ascending or above the limit, or value beyond float32
  LIBSVM_PARSE_NO_ROWS = 7        // finish() without a single data row
};

// Slots of the error record (doubles). TOKEN is the byte offset of the bad token in the copied line bytes, which
// run from the line start to the end of the token (LENGTH bytes).
enum {
  LIBSVM_PARSE_E_KIND = 0, LIBSVM_PARSE_E_LINE = 1, LIBSVM_PARSE_E_TOKEN = 2, LIBSVM_PARSE_E_LENGTH = 3,
  LIBSVM_PARSE_E_INDEX = 4, LIBSVM_PARSE_E_LAST = 5,  // FEATURE only: the index read and the previous one (0: none)
  LIBSVM_PARSE_ERROR_SLOTS = 6
};

// keep_zeros: 0 or 1. limit: largest index accepted, 1 .. 2^31-1. forced_count: 0 to accept every finite label,
// or n >= 2 to accept only the n distinct finite values forced[0..n-1] (copied).
int libsvm_parse_create(int32_t keep_zeros, int32_t limit, int32_t forced_count, const double* forced,
                        libsvm_parse** out);
// Parses every complete line of the input so far; a line may span pushes. ANYML_E_INVALID_ARG: a data error (see
// libsvm_parse_error); ANYML_E_STATE: called after an error or after finish.
int libsvm_parse_push(libsvm_parse* h, const uint8_t* bytes, size_t len);
// Parses the last line (when the input has no final newline); LIBSVM_PARSE_NO_ROWS when there was no row.
int libsvm_parse_finish(libsvm_parse* h);
// The data error that stopped the parse: info[LIBSVM_PARSE_ERROR_SLOTS] and the line bytes (owned by h).
int libsvm_parse_error(const libsvm_parse* h, double* info, const uint8_t** line);
// shape = [rows, nnz, largest index seen]; labels = the first two distinct label values (NaN when unseen; the
// forced ones when forced).
int libsvm_parse_shape(const libsvm_parse* h, int32_t* shape /* [3] */, double* labels /* [2] */);
// The parser's own arrays (valid until destroy): indptr[rows+1], indices[nnz] (0-based), values[nnz], raw[rows].
int libsvm_parse_arrays(const libsvm_parse* h, const int32_t** indptr, const int32_t** indices, const float** values,
                        const double** raw);
int libsvm_parse_destroy(libsvm_parse* h);

#ifdef __cplusplus
}  // extern "C"
#endif
#endif  // ANYML_LIBSVM_PARSE_H_
