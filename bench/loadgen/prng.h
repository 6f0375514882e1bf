// Seeded pseudo-random numbers whose output is fixed by this file alone, so
// a seed names the same graph and the same request sequence everywhere
// (std:: distributions differ between standard libraries).
#pragma once

#include <cstdint>

namespace chirp::loadgen {

// SplitMix64: a 64-bit mixer, used to derive independent seeds.
constexpr uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A seed for stream `stream` of the generator seeded with `seed` (one stream
// per account or per connection), independent of every other stream.
constexpr uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  uint64_t state = seed ^ (stream * 0xd1b54a32d192ed03ULL);
  SplitMix64(state);
  return SplitMix64(state);
}

// xoshiro256**: fast, 256 bits of state, passes the usual statistical tests.
// Not thread-safe; one per thread or per connection.
class Prng {
 public:
  explicit constexpr Prng(uint64_t seed) {
    for (uint64_t& word : s_) word = SplitMix64(seed);
  }

  constexpr uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound); bound > 0. Unbiased (multiply-and-reject).
  constexpr uint64_t Below(uint64_t bound) {
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * bound;
    auto low = static_cast<uint64_t>(m);
    if (low < bound) {
      const uint64_t threshold = -bound % bound;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(Next()) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform in [0, 1), 53 random bits.
  constexpr double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // True with probability `p`.
  constexpr bool Chance(double p) { return Unit() < p; }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4] = {};
};

}  // namespace chirp::loadgen
