#include "http/connection_limits.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(ConnectionLimits, RefusesBeyondThePerAddressCapAndAdmitsAgainOnRelease) {
  ConnectionLimits limits(ConnectionCaps{.total = 100, .per_address = 2});
  auto a = limits.Admit("192.0.2.1");
  auto b = limits.Admit("192.0.2.1");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(limits.Admit("192.0.2.1"), nullptr);
  EXPECT_NE(limits.Admit("192.0.2.2"), nullptr);  // another address is its own
  a.reset();
  EXPECT_EQ(limits.held_for("192.0.2.1"), 1u);
  EXPECT_NE(limits.Admit("192.0.2.1"), nullptr);
}

TEST(ConnectionLimits, RefusesBeyondTheTotal) {
  ConnectionLimits limits(ConnectionCaps{.total = 2, .per_address = 10});
  auto a = limits.Admit("192.0.2.1");
  auto b = limits.Admit("192.0.2.2");
  EXPECT_EQ(limits.Admit("192.0.2.3"), nullptr);
  EXPECT_EQ(limits.total(), 2u);
  b.reset();
  EXPECT_EQ(limits.total(), 1u);
  EXPECT_NE(limits.Admit("192.0.2.3"), nullptr);
}

TEST(ConnectionLimits, CountsAnIpv6SlashSixtyFourAsOneAddress) {
  ConnectionLimits limits(ConnectionCaps{.total = 100, .per_address = 1});
  auto a = limits.Admit("2001:db8:1:2::1");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(limits.Admit("2001:db8:1:2::ffff"), nullptr);
  EXPECT_NE(limits.Admit("2001:db8:1:3::1"), nullptr);
}

TEST(ConnectionLimits, UnlimitedNetworksCountOnlyAgainstTheTotal) {
  ConnectionLimits limits(ConnectionCaps{
      .total = 3, .per_address = 1, .unlimited_networks = *ParseCidrList("127.0.0.1/32")});
  auto a = limits.Admit("127.0.0.1");
  auto b = limits.Admit("127.0.0.1");
  auto c = limits.Admit("127.0.0.1");
  EXPECT_NE(c, nullptr);
  EXPECT_EQ(limits.Admit("127.0.0.1"), nullptr);  // the total still holds
}

TEST(ConnectionLimits, ALeaseMayOutliveTheLimits) {
  ConnectionLimits::Lease lease;
  {
    ConnectionLimits limits(ConnectionCaps{});
    lease = limits.Admit("192.0.2.1");
  }
  lease.reset();  // releases into state the lease kept alive
}

}  // namespace
}  // namespace chirp
