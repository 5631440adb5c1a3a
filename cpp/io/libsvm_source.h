// SPDX-License-Identifier: MIT
// Partial LIBSVM reading for MPI ranks: byte ranges split at line boundaries, row ranges, and gzip via zlib.
#ifndef ANYML_IO_LIBSVM_SOURCE_H_
#define ANYML_IO_LIBSVM_SOURCE_H_

#include <stdint.h>
#include <stdio.h>

#include <string>
#include <vector>

#include "libsvm_reader.h"

namespace anyml {

// Reads a plain or gzip file (told apart by the magic bytes 1f 8b, not the name) block by block and hands out
// lines. Plain files support seek(); gzip has no random access, so gzip streams are only read from the start.
// Gzip needs a build with ANYML_WITH_ZLIB (the MPI build); without it open() refuses gzip with a clear message.
class LineReader {
 public:
  LineReader() = default;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  bool open(const std::string& path, std::string* err);
  bool gzip() const { return gz_ != nullptr; }
  int64_t size() const { return size_; }  // bytes of a plain file (-1 for gzip: unknown until inflated)
  // Plain files: positions the reader at the first line that starts at or after `offset` (a line starts at 0 or
  // right after a '\n'), so byte ranges [a, b) split a file into disjoint sets of whole lines.
  bool seek_line(int64_t offset, std::string* err);
  // The next line as [*b, *e) without its '\n'; false at the end of the data or on a read error (see failed()).
  bool next(const char** b, const char** e);
  int64_t offset() const { return base_ + static_cast<int64_t>(pos_); }  // byte offset of the next line's start
  bool failed(std::string* err) const;

 private:
  bool fill();
  std::string path_;
  FILE* f_ = nullptr;
  void* gz_ = nullptr;  // gzFile, kept opaque so this header does not need zlib.h
  int64_t size_ = -1;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  int64_t base_ = 0;  // file offset of buf_[0]
  bool eof_ = false;
  std::string error_;
};

// Phase 1 of a sharded read: among the lines starting in the byte range [begin, end) of a plain file, counts the
// data rows (is_data_line) and all lines (for line numbers in messages). For gzip pass begin = 0, end = INT64_MAX.
bool count_lines(const std::string& path, int64_t begin, int64_t end, int64_t* rows, int64_t* lines, std::string* err);

// Phase 2: from the first line starting at or after byte `begin` (0 for gzip), which is line number `first_line`,
// skips `skip` data rows and parses the next `take` rows into *out (1-based line numbers of the rows in *row_line).
bool read_rows(const std::string& path, int64_t begin, int64_t first_line, int64_t skip, int64_t take,
               const LineOptions& opt, LibsvmData* out, std::vector<int64_t>* row_line, std::string* err);

}  // namespace anyml
#endif  // ANYML_IO_LIBSVM_SOURCE_H_
