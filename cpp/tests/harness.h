// SPDX-License-Identifier: MIT
// A tiny test harness (no gtest): TEST(name) registers a function; CHECK* record failures with file:line.
#ifndef ANYML_TESTS_HARNESS_H_
#define ANYML_TESTS_HARNESS_H_

#include <stdio.h>

#include <functional>
#include <vector>

namespace anyml_test {
struct Test { const char* name; void (*fn)(); };
inline std::vector<Test>& registry() { static std::vector<Test> r; return r; }
inline int& failures() { static int n = 0; return n; }
struct Register { Register(const char* n, void (*f)()) { registry().push_back({n, f}); } };
}  // namespace anyml_test

#define TEST(name)                                                      \
  static void test_##name();                                            \
  static anyml_test::Register reg_##name(#name, test_##name);           \
  static void test_##name()

// CHECK(cond, printf-style context...): on failure prints file:line, the condition and the context.
#define CHECK(cond, ...)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      anyml_test::failures()++;                                                            \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);             \
      fprintf(stderr, "" __VA_ARGS__);                                                     \
      fprintf(stderr, "\n");                                                               \
    }                                                                                      \
  } while (0)

#endif  // ANYML_TESTS_HARNESS_H_
