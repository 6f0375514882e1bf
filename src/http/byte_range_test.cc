#include "http/byte_range.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

using Kind = ByteRange::Kind;

TEST(ByteRangeTest, AFirstAndLastByteGiveThatPartClampedToTheSize) {
  ByteRange r = ParseByteRange("bytes=10-19", 100);
  EXPECT_EQ(r.kind, Kind::kPart);
  EXPECT_EQ(r.first, 10u);
  EXPECT_EQ(r.last, 19u);
  r = ParseByteRange("bytes=90-500", 100);
  EXPECT_EQ(r.kind, Kind::kPart);
  EXPECT_EQ(r.last, 99u);
  r = ParseByteRange("Bytes=0-0", 100);
  EXPECT_EQ(r.kind, Kind::kPart);
  EXPECT_EQ(r.last, 0u);
}

TEST(ByteRangeTest, AnOpenEndRunsToTheLastByteAndASuffixTakesTheLastBytes) {
  ByteRange r = ParseByteRange("bytes=40-", 100);
  EXPECT_EQ(r.kind, Kind::kPart);
  EXPECT_EQ(r.first, 40u);
  EXPECT_EQ(r.last, 99u);
  r = ParseByteRange("bytes=-30", 100);
  EXPECT_EQ(r.first, 70u);
  EXPECT_EQ(r.last, 99u);
  r = ParseByteRange("bytes=-300", 100);  // more than there is: all of it
  EXPECT_EQ(r.kind, Kind::kPart);
  EXPECT_EQ(r.first, 0u);
}

TEST(ByteRangeTest, ARangeBeyondTheEndIsUnsatisfiable) {
  EXPECT_EQ(ParseByteRange("bytes=100-", 100).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseByteRange("bytes=200-300", 100).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseByteRange("bytes=-0", 100).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseByteRange("bytes=0-", 0).kind, Kind::kUnsatisfiable);
}

TEST(ByteRangeTest, WhatIsNotOneValidByteRangeAsksForTheWhole) {
  for (const char* header :
       {"", "bytes=", "items=0-1", "bytes=5-2", "bytes=a-b", "bytes=0-1,5-6", "bytes=1",
        "bytes=+1-2", "bytes=99999999999999999999999-", "bytes= - "}) {
    EXPECT_EQ(ParseByteRange(header, 100).kind, Kind::kWhole) << header;
  }
}

}  // namespace
}  // namespace chirp
