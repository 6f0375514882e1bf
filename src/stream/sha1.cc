#include "stream/sha1.h"

#include <algorithm>
#include <bit>

namespace chirp {
namespace {

constexpr size_t kBlockSize = 64;       // 512 bits
constexpr size_t kLengthFieldSize = 8;  // the message length in bits, appended by the padding
constexpr uint8_t kPaddingStart = 0x80;
constexpr int kRounds = 80;

// H(0), section 5.3.1.
constexpr std::array<uint32_t, 5> kInitialHash = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
                                                  0xC3D2E1F0};
// K0..K79, section 4.2.1: one constant for each 20 rounds.
constexpr std::array<uint32_t, 4> kRoundConstants = {0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC,
                                                     0xCA62C1D6};

uint32_t LoadBigEndian(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

// The function f_t of section 4.1.1: Ch, Parity, Maj, Parity.
uint32_t RoundFunction(int t, uint32_t x, uint32_t y, uint32_t z) {
  if (t < 20) return (x & y) ^ (~x & z);
  if (t < 40 || t >= 60) return x ^ y ^ z;
  return (x & y) ^ (x & z) ^ (y & z);
}

// Section 6.1.2: one block into the hash value.
void Compress(std::array<uint32_t, 5>& hash, const uint8_t* block) {
  std::array<uint32_t, kRounds> schedule;
  for (int t = 0; t < 16; ++t) schedule[t] = LoadBigEndian(block + 4 * t);
  for (int t = 16; t < kRounds; ++t) {
    schedule[t] =
        std::rotl(schedule[t - 3] ^ schedule[t - 8] ^ schedule[t - 14] ^ schedule[t - 16], 1);
  }
  uint32_t a = hash[0], b = hash[1], c = hash[2], d = hash[3], e = hash[4];
  for (int t = 0; t < kRounds; ++t) {
    const uint32_t temp =
        std::rotl(a, 5) + RoundFunction(t, b, c, d) + e + kRoundConstants[t / 20] + schedule[t];
    e = d;
    d = c;
    c = std::rotl(b, 30);
    b = a;
    a = temp;
  }
  hash[0] += a;
  hash[1] += b;
  hash[2] += c;
  hash[3] += d;
  hash[4] += e;
}

}  // namespace

std::array<uint8_t, kSha1DigestSize> Sha1(std::string_view data) {
  std::array<uint32_t, 5> hash = kInitialHash;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const size_t whole_blocks = data.size() / kBlockSize * kBlockSize;
  for (size_t i = 0; i < whole_blocks; i += kBlockSize) Compress(hash, bytes + i);

  // Section 5.1.1: the rest of the message, a 1 bit, zeros, and the length in
  // bits; two blocks when the length no longer fits in the first.
  std::array<uint8_t, 2 * kBlockSize> tail{};
  const size_t rest = data.size() - whole_blocks;
  std::copy_n(bytes + whole_blocks, rest, tail.begin());
  tail[rest] = kPaddingStart;
  const size_t tail_size = rest + 1 + kLengthFieldSize <= kBlockSize ? kBlockSize : 2 * kBlockSize;
  const uint64_t bits = uint64_t{data.size()} * 8;
  for (size_t i = 0; i < kLengthFieldSize; ++i) {
    tail[tail_size - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  }
  for (size_t i = 0; i < tail_size; i += kBlockSize) Compress(hash, tail.data() + i);

  std::array<uint8_t, kSha1DigestSize> digest;
  for (size_t i = 0; i < digest.size(); ++i) {
    digest[i] = static_cast<uint8_t>(hash[i / 4] >> (24 - 8 * (i % 4)));
  }
  return digest;
}

}  // namespace chirp
