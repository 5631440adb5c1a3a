// SPDX-License-Identifier: MIT
// A small LIBSVM text reader ("label idx:val idx:val ...", 1-based indices) into CSR, for native tools and MPI.
#ifndef ANYML_IO_LIBSVM_READER_H_
#define ANYML_IO_LIBSVM_READER_H_

#include <stdint.h>

#include <string>
#include <vector>

namespace anyml {

// CSR rows with 0-based column indices, plus the raw labels as written in the file.
struct LibsvmData {
  int32_t rows = 0;
  int32_t cols = 0;  // 1 + the largest index seen
  std::vector<int32_t> indptr{0};
  std::vector<int32_t> indices;
  std::vector<float> values;
  std::vector<double> labels;
};

// Per-line parsing options. The defaults keep the historical behaviour of parse_libsvm.
struct LineOptions {
  bool keep_zeros = true;   // false: drop explicit "j:0" entries (they still count for cols), like the TS reader
  int64_t max_index = 0;    // > 0: an index above it is an error (a --features or --max-features limit)
  std::string limit_why = "--features";  // what max_index is, for the message
};

// True when the line [p, eol) holds a row (not blank, not a '#' comment): what counts as a row everywhere.
bool is_data_line(const char* p, const char* eol);

// Parses one line [bol, eol) (no '\n') and appends its row to *out; blank/comment lines append nothing.
// `line` is the 1-based line number for messages "name:line:column: what, got 'token', expected ...".
bool parse_libsvm_line(const char* bol, const char* eol, const std::string& name, int64_t line,
                       const LineOptions& opt, LibsvmData* out, std::string* err);

// Reads `path` ("-" = stdin). Returns false with *err = "path:line:column: what, got X, expected Y".
// Blank lines and '#' comments are skipped; "qid:N" tokens are ignored; indices must ascend within a line.
bool read_libsvm(const std::string& path, LibsvmData* out, std::string* err);

// Parses text already in memory; `name` is used in messages.
bool parse_libsvm(const std::string& text, const std::string& name, LibsvmData* out, std::string* err);

// Maps the two distinct labels to -1 (smaller) and +1 (larger), or a single label by its sign.
// False if there are more than two.
bool labels_to_pm1(const std::vector<double>& labels, std::vector<float>* y, std::string* err);

}  // namespace anyml
#endif  // ANYML_IO_LIBSVM_READER_H_
