#include "http/client_address.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(Cidr, MatchesIpv4AndIpv6Networks) {
  auto v4 = Cidr::Parse("10.1.0.0/16");
  ASSERT_TRUE(v4.has_value());
  EXPECT_TRUE(v4->Contains("10.1.200.3"));
  EXPECT_FALSE(v4->Contains("10.2.0.1"));
  auto v6 = Cidr::Parse("2001:db8::/32");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->Contains("2001:db8:1::5"));
  EXPECT_FALSE(v6->Contains("2001:db9::1"));
  EXPECT_TRUE(Cidr::Parse("127.0.0.1")->Contains("127.0.0.1"));
  EXPECT_FALSE(Cidr::Parse("127.0.0.1")->Contains("127.0.0.2"));
}

TEST(Cidr, RejectsMalformedNetworks) {
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/33").has_value());
  EXPECT_FALSE(Cidr::Parse("nonsense").has_value());
  EXPECT_FALSE(ParseCidrList("10.0.0.0/8, bad").has_value());
  EXPECT_EQ(ParseCidrList("10.0.0.0/8, ::1")->size(), 2u);
}

TEST(ClientAddress, IgnoresForwardedForFromUntrustedPeers) {
  const auto trusted = *ParseCidrList("127.0.0.1/32");
  EXPECT_EQ(ClientAddress("192.0.2.7", "203.0.113.9", trusted), "192.0.2.7");
}

TEST(ClientAddress, TakesRightmostUntrustedHopBehindTrustedProxy) {
  const auto trusted = *ParseCidrList("127.0.0.1/32,10.0.0.0/8");
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.2", trusted),
            "203.0.113.9");
  EXPECT_EQ(ClientAddress("127.0.0.1", "", trusted), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "garbage", trusted), "127.0.0.1");
}

TEST(ClientAddress, RateLimitKeyMasksIpv6To64) {
  EXPECT_EQ(RateLimitAddressKey("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(RateLimitAddressKey("2001:db8:1:2:3:4:5:6"),
            RateLimitAddressKey("2001:db8:1:2:ffff::1"));
}

}  // namespace
}  // namespace chirp
