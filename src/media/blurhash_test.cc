#include "media/blurhash.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace chirp {
namespace {

constexpr std::string_view kDigits =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

int Base83(std::string_view s) {
  int value = 0;
  for (char c : s) value = value * 83 + static_cast<int>(kDigits.find(c));
  return value;
}

std::vector<uint8_t> Solid(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  std::vector<uint8_t> rgb;
  for (int i = 0; i < width * height; ++i) rgb.insert(rgb.end(), {r, g, b});
  return rgb;
}

// Dark on the left, light on the right (or the other way round).
std::vector<uint8_t> Gradient(int width, int height, bool mirrored) {
  std::vector<uint8_t> rgb;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int at = mirrored ? width - 1 - x : x;
      const auto v = static_cast<uint8_t>(at * 255 / (width - 1));
      rgb.insert(rgb.end(), {v, v, v});
    }
  }
  return rgb;
}

TEST(BlurhashTest, ASolidColourIsItsAverage) {
  const std::vector<uint8_t> white = Solid(32, 32, 255, 255, 255);
  const std::string hash = EncodeBlurhash(white.data(), 32, 32, 4, 4);
  // 1 for the components' count, 1 for the range of the others, 4 for the
  // average colour, 2 for each of the 15 others.
  ASSERT_EQ(hash.size(), 36u);
  EXPECT_EQ(hash[0], 'U') << "3 + 3 * 9 = 30";
  EXPECT_EQ(Base83(hash.substr(2, 4)), 0xFFFFFF);
  const std::vector<uint8_t> red = Solid(8, 8, 255, 0, 0);
  const std::string wide = EncodeBlurhash(red.data(), 8, 8, 4, 3);
  ASSERT_EQ(wide.size(), 28u);
  EXPECT_EQ(Base83(wide.substr(2, 4)), 0xFF0000);
  EXPECT_EQ(wide, EncodeBlurhash(red.data(), 8, 8, 4, 3)) << "the same pixels, the same hash";
}

TEST(BlurhashTest, AHorizontalGradientLivesInTheFirstComponentAcross) {
  const std::vector<uint8_t> left = Gradient(32, 16, false);
  const std::vector<uint8_t> right = Gradient(32, 16, true);
  const std::string a = EncodeBlurhash(left.data(), 32, 16, 4, 3);
  const std::string b = EncodeBlurhash(right.data(), 32, 16, 4, 3);
  ASSERT_EQ(a.size(), 28u);
  ASSERT_EQ(b.size(), 28u);
  // The first AC component (one cosine across) is quantised per channel
  // from 0 to 18, 9 standing for zero: dark on the left puts it on one
  // side of 9, dark on the right on the other.
  const int red_a = Base83(a.substr(6, 2)) / (19 * 19);
  const int red_b = Base83(b.substr(6, 2)) / (19 * 19);
  EXPECT_LT(red_a, 9);
  EXPECT_GT(red_b, 9);
  // Neither has much of it down: the first component down stays near 9.
  const int down = Base83(a.substr(6 + 2 * 3, 2)) / (19 * 19);
  EXPECT_NEAR(down, 9, 3);
}

TEST(BlurhashTest, OutOfRangeArgumentsGiveNothing) {
  const std::vector<uint8_t> rgb = Solid(4, 4, 1, 2, 3);
  EXPECT_EQ(EncodeBlurhash(rgb.data(), 4, 4, 0, 3), "");
  EXPECT_EQ(EncodeBlurhash(rgb.data(), 4, 4, 10, 3), "");
  EXPECT_EQ(EncodeBlurhash(rgb.data(), 0, 4, 4, 3), "");
  EXPECT_EQ(EncodeBlurhash(nullptr, 4, 4, 4, 3), "");
}

}  // namespace
}  // namespace chirp
