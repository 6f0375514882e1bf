#include "flags.h"

#include <gtest/gtest.h>

namespace chirp::loadgen {
namespace {

constexpr std::string_view kKnown[] = {"rate", "url", "seed"};

Result<Flags> Parse(std::vector<std::string> args) { return Flags::Parse(args, kKnown); }

TEST(Flags, ReadsBothForms) {
  auto flags = Parse({"--rate", "2.5", "--url=http://x/"});
  ASSERT_TRUE(flags.ok()) << flags.error().message;
  EXPECT_EQ(flags->String("url"), "http://x/");
  EXPECT_DOUBLE_EQ(*flags->Number("rate", 0, 0, 10), 2.5);
  EXPECT_EQ(*flags->Unsigned("seed", 7), 7u);
  EXPECT_FALSE(flags->Has("seed"));
}

TEST(Flags, RejectsUnknownRepeatedAndDanglingFlags) {
  EXPECT_FALSE(Parse({"--speed", "1"}).ok());
  EXPECT_FALSE(Parse({"--rate", "1", "--rate", "2"}).ok());
  EXPECT_FALSE(Parse({"--rate"}).ok());
  EXPECT_FALSE(Parse({"rate", "1"}).ok());
}

TEST(Flags, ChecksTypesAndRanges) {
  auto flags = Parse({"--rate", "fast", "--seed", "-1"});
  ASSERT_TRUE(flags.ok());
  EXPECT_FALSE(flags->Number("rate", 0, 0, 10).ok());
  EXPECT_FALSE(flags->Unsigned("seed", 0).ok());
  auto ranged = Parse({"--rate", "11"});
  EXPECT_FALSE(ranged->Number("rate", 0, 0, 10).ok());
  EXPECT_FALSE(ranged->Int("rate", 0, 0, 10).ok());
}

TEST(Flags, SwitchesTakeNoValue) {
  constexpr std::string_view kSwitches[] = {"idle"};
  const std::vector<std::string> args = {"--idle", "--rate", "3"};
  auto flags = Flags::Parse(args, kKnown, kSwitches);
  ASSERT_TRUE(flags.ok()) << flags.error().message;
  EXPECT_TRUE(flags->Has("idle"));
  EXPECT_DOUBLE_EQ(*flags->Number("rate", 0, 0, 10), 3);
  const std::vector<std::string> valued = {"--idle=yes"};
  EXPECT_FALSE(Flags::Parse(valued, kKnown, kSwitches).ok());
  const std::vector<std::string> twice = {"--idle", "--idle"};
  EXPECT_FALSE(Flags::Parse(twice, kKnown, kSwitches).ok());
  EXPECT_FALSE(Parse({"--idle"}).ok()) << "a switch only where it is one";
}

}  // namespace
}  // namespace chirp::loadgen
