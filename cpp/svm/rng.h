// SPDX-License-Identifier: MIT
// The solver's RNG (docs/svm-solver.md "Random numbers"): SplitMix32 seeding, xoshiro128**, Lemire bounded draws.
// Twin: src/rng.ts (golden outputs for seed 42 are pinned in tests on both sides).
#ifndef ANYML_SVM_RNG_H_
#define ANYML_SVM_RNG_H_

#include <stdint.h>

namespace anyml {

inline uint32_t rotl32(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// Fills s[0..3] with the first four outputs of SplitMix32 started at `seed` (Steele, Lea & Flood 2014, 32-bit
// constants as in the doc), so every seed, 0 included, gives a non-degenerate xoshiro state.
inline void rng_seed(uint32_t s[4], uint32_t seed) {
  uint32_t x = seed;
  for (int i = 0; i < 4; i++) {
    x += 0x9E3779B9u;
    uint32_t z = x;
    z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
    z = (z ^ (z >> 13)) * 0xC2B2AE35u;
    s[i] = z ^ (z >> 16);
  }
}

// xoshiro128** (Blackman & Vigna 2018, https://prng.di.unimi.it/xoshiro128starstar.c).
inline uint32_t rng_next(uint32_t s[4]) {
  const uint32_t r = rotl32(s[1] * 5u, 7) * 9u;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl32(s[3], 11);
  return r;
}

// floor(next() * n / 2^32): Lemire's multiply-shift without rejection (bias < n / 2^32).
inline uint32_t rng_bounded(uint32_t s[4], uint32_t n) {
  return static_cast<uint32_t>((static_cast<uint64_t>(rng_next(s)) * n) >> 32);
}

}  // namespace anyml
#endif  // ANYML_SVM_RNG_H_
