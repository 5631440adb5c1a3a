// SPDX-License-Identifier: MIT
// LineReader and the two phases of a sharded LIBSVM read (see libsvm_source.h).
#include "libsvm_source.h"

#include <string.h>
#include <sys/stat.h>

#include <cerrno>

#ifdef ANYML_WITH_ZLIB
#include <zlib.h>
#endif

namespace anyml {
namespace {
constexpr size_t kBlock = 1 << 20;  // large reads: the file system, not the syscall count, should be the limit
}

LineReader::~LineReader() {
  if (f_) fclose(f_);
#ifdef ANYML_WITH_ZLIB
  if (gz_) gzclose(static_cast<gzFile>(gz_));
#endif
}

bool LineReader::open(const std::string& path, std::string* err) {
  path_ = path;
  f_ = fopen(path.c_str(), "rb");
  if (!f_) return *err = path + ": cannot open file (" + strerror(errno) + ")", false;
  struct stat st;
  if (fstat(fileno(f_), &st) != 0 || !S_ISREG(st.st_mode)) return *err = path + ": not a regular file", false;
  unsigned char magic[2] = {0, 0};
  const size_t got = fread(magic, 1, 2, f_);
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
#ifdef ANYML_WITH_ZLIB
    fclose(f_);
    f_ = nullptr;
    gz_ = gzopen(path.c_str(), "rb");
    if (!gz_) return *err = path + ": cannot open gzip file", false;
    gzbuffer(static_cast<gzFile>(gz_), kBlock);
    return true;
#else
    return *err = path + ": gzip input needs a build with zlib (ANYML_WITH_ZLIB)", false;
#endif
  }
  size_ = static_cast<int64_t>(st.st_size);
  rewind(f_);
  return true;
}

bool LineReader::seek_line(int64_t offset, std::string* err) {
  if (!f_) return *err = path_ + ": seek on a gzip stream (no random access)", false;
  buf_.clear();
  pos_ = end_ = 0;
  eof_ = false;
  if (offset <= 0) {
    base_ = 0;
    return fseeko(f_, 0, SEEK_SET) == 0 || (*err = path_ + ": seek failed", false);
  }
  // A line starts at `offset` only if byte offset-1 is '\n': read from there and drop the (possibly empty) rest
  // of that line, so the range owning a line is the one holding its first byte.
  if (fseeko(f_, offset - 1, SEEK_SET) != 0) return *err = path_ + ": seek failed", false;
  base_ = offset - 1;
  const char *b, *e;
  next(&b, &e);
  return !failed(err);
}

bool LineReader::fill() {
  if (eof_) return false;
  // Keep the unfinished line at the front; grow the buffer when one line is longer than a block.
  if (pos_ > 0) {
    memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    base_ += static_cast<int64_t>(pos_);
    pos_ = 0;
  }
  if (buf_.size() < end_ + kBlock) buf_.resize(end_ + kBlock);
  size_t got = 0;
  if (f_) {
    got = fread(buf_.data() + end_, 1, kBlock, f_);
    if (got < kBlock) {
      if (ferror(f_)) error_ = path_ + ": read error";
      eof_ = true;
    }
  } else {
#ifdef ANYML_WITH_ZLIB
    const int r = gzread(static_cast<gzFile>(gz_), buf_.data() + end_, static_cast<unsigned>(kBlock));
    if (r < 0) {
      int code = 0;
      error_ = path_ + ": gzip error (" + gzerror(static_cast<gzFile>(gz_), &code) + ")";
      eof_ = true;
    } else {
      got = static_cast<size_t>(r);
      if (got < kBlock) eof_ = true;
    }
#endif
  }
  end_ += got;
  return got > 0;
}

bool LineReader::next(const char** b, const char** e) {
  size_t scan = pos_;
  for (;;) {
    const void* nl = scan < end_ ? memchr(buf_.data() + scan, '\n', end_ - scan) : nullptr;
    if (nl) {
      *b = buf_.data() + pos_;
      *e = static_cast<const char*>(nl);
      pos_ = static_cast<size_t>(*e - buf_.data()) + 1;
      return true;
    }
    const size_t before = end_ - pos_;
    if (!fill()) {
      if (!error_.empty() || pos_ == end_) return false;
      // Last line without a trailing '\n'.
      *b = buf_.data() + pos_;
      *e = buf_.data() + end_;
      pos_ = end_;
      return true;
    }
    scan = before;  // fill() moved the pending bytes to the front; only the new bytes need scanning
  }
}

bool LineReader::failed(std::string* err) const {
  if (error_.empty()) return false;
  *err = error_;
  return true;
}

bool count_lines(const std::string& path, int64_t begin, int64_t end, int64_t* rows, int64_t* lines, std::string* err) {
  *rows = *lines = 0;
  LineReader r;
  if (!r.open(path, err)) return false;
  if (r.gzip()) {
    if (begin > 0) return true;  // gzip: the whole stream belongs to the first range
  } else if (!r.seek_line(begin, err)) {
    return false;
  }
  const char *b, *e;
  while (r.offset() < end && r.next(&b, &e)) {
    ++*lines;
    if (is_data_line(b, e)) ++*rows;
  }
  return !r.failed(err);
}

bool read_rows(const std::string& path, int64_t begin, int64_t first_line, int64_t skip, int64_t take,
               const LineOptions& opt, LibsvmData* out, std::vector<int64_t>* row_line, std::string* err) {
  *out = LibsvmData();
  row_line->clear();
  LineReader r;
  if (!r.open(path, err)) return false;
  if (!r.gzip() && !r.seek_line(begin, err)) return false;
  const char *b, *e;
  int64_t line = first_line - 1;
  while (out->rows < take && r.next(&b, &e)) {
    ++line;
    if (!is_data_line(b, e)) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    if (!parse_libsvm_line(b, e, path, line, opt, out, err)) return false;
    row_line->push_back(line);
  }
  if (r.failed(err)) return false;
  if (out->rows < take) {
    *err = path + ": the file changed while reading (expected " + std::to_string(take) + " more rows after line " +
           std::to_string(line) + ")";
    return false;
  }
  return true;
}

}  // namespace anyml
