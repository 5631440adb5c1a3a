// SPDX-License-Identifier: MIT
// Runs every registered test (or those whose name contains argv[1]); exit status 1 if any CHECK failed.
#include <string.h>

#include "harness.h"

int main(int argc, char** argv) {
  int run = 0;
  for (const auto& t : anyml_test::registry()) {
    if (argc > 1 && !strstr(t.name, argv[1])) continue;
    const int before = anyml_test::failures();
    t.fn();
    printf("%s %s\n", anyml_test::failures() == before ? "ok  " : "FAIL", t.name);
    run++;
  }
  printf("%d tests, %d failed checks\n", run, anyml_test::failures());
  return anyml_test::failures() == 0 && run > 0 ? 0 : 1;
}
