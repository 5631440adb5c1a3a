// SPDX-License-Identifier: MIT
// Golden outputs of the solver RNG for seed 42; test/unit/engine/rng.test.ts pins the same numbers for the TS twin.
#include "../svm/rng.h"
#include "harness.h"

TEST(rng_seed_42_golden) {
  uint32_t s[4];
  anyml::rng_seed(s, 42);
  const uint32_t state[4] = {939911724u, 3948730756u, 321366731u, 3317318717u};
  for (int i = 0; i < 4; i++) CHECK(s[i] == state[i], "state[%d] = %u", i, s[i]);
  const uint32_t next[8] = {2837322924u, 544945897u, 479756282u, 3500138142u, 339756180u, 113173290u, 65323186u, 1112262688u};
  for (int i = 0; i < 8; i++) { uint32_t r = anyml::rng_next(s); CHECK(r == next[i], "next #%d = %u", i, r); }
  const uint32_t b10[8] = {8, 3, 1, 4, 9, 9, 7, 7};
  for (int i = 0; i < 8; i++) { uint32_t r = anyml::rng_bounded(s, 10); CHECK(r == b10[i], "bounded(10) #%d = %u", i, r); }
  const uint32_t bmax[4] = {2132581467u, 3088945546u, 2296110747u, 445720660u};
  for (int i = 0; i < 4; i++) { uint32_t r = anyml::rng_bounded(s, 4294967295u); CHECK(r == bmax[i], "bounded(max) #%d = %u", i, r); }
}
