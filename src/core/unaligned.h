// UnalignedInt64: an int64_t stored at any address, for the packed records
// kept by the million (timeline entries, author posts). A packed struct's
// int64_t members lie at addresses that are not multiples of 8; binding a
// reference to one (push_back, std::max, a test's EXPECT_EQ) is undefined
// behaviour, which UBSan reports. Reading this type copies the value out,
// so no such reference can be formed; it compiles to the same unaligned
// load and store as the plain member.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace chirp {

class UnalignedInt64 {
 public:
  constexpr UnalignedInt64(int64_t value = 0)  // NOLINT: converts like the int64_t it stores
      : bytes_(std::bit_cast<std::array<unsigned char, 8>>(value)) {}
  constexpr operator int64_t() const { return std::bit_cast<int64_t>(bytes_); }
  constexpr int64_t value() const { return *this; }

 private:
  std::array<unsigned char, 8> bytes_;
};
static_assert(sizeof(UnalignedInt64) == 8 && alignof(UnalignedInt64) == 1);

}  // namespace chirp
