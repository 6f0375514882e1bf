#include "http_url.h"

#include <gtest/gtest.h>

namespace chirp::loadgen {
namespace {

TEST(HttpUrl, ParsesHostPortAndTarget) {
  auto url = ParseHttpUrl("http://127.0.0.1:8080/metrics?x=1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/metrics?x=1");
  EXPECT_EQ(url->HostHeader(), "127.0.0.1:8080");
}

TEST(HttpUrl, DefaultsPortAndTarget) {
  auto url = ParseHttpUrl("http://localhost");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/");
}

TEST(HttpUrl, BracketsIpv6Literals) {
  auto url = ParseHttpUrl("http://[::1]:9000/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->HostHeader(), "[::1]:9000");
}

TEST(HttpUrl, RejectsWhatItCannotSpeak) {
  for (const char* bad :
       {"https://example.com/", "example.com", "http://", "http://:80/", "http://host:0/",
        "http://host:70000/", "http://host:/", "http://user@host/", "http://[::1/"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace chirp::loadgen
